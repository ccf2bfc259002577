using System.Globalization;
using System.Text.RegularExpressions;

namespace Build.Tools.Postgres;

public sealed record PgDumpSettings : ToolSettings
{
    public required PostgresConnection Connection { get; init; }

    /// <summary>Custom format (<c>-Fc</c>): compressed, restorable selectively by pg_restore.</summary>
    public string Format { get; init; } = "custom";

    /// <summary>The dump file; null writes to standard output.</summary>
    public string? OutputFile { get; init; }

    /// <summary>The archive's zlib level (0-9); null: pg_dump's default (6 for the custom format).</summary>
    public int? Compression { get; init; }

    /// <summary>A snapshot exported by <c>pg_export_snapshot()</c>: the dump sees exactly what that transaction saw.</summary>
    public string? Snapshot { get; init; }
}

/// <summary>The host's <c>pg_dump</c>.</summary>
public sealed partial class PgDumpTool(ICommandRunner runner) : Tool<PgDumpSettings>(runner)
{
    public const string Hint = "Install the PostgreSQL client (apt-get install postgresql-client).";

    protected override string ToolName => "pg_dump";

    protected override string? InstallHint => Hint;

    public static ArgumentList Arguments(PgDumpSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return new ArgumentList(settings.Connection.Arguments())
            .AddJoined("--format", settings.Format)
            .AddJoined("--file", settings.OutputFile)
            .AddJoined("--compress", settings.Compression?.ToString(CultureInfo.InvariantCulture))
            .AddJoined("--snapshot", settings.Snapshot)
            .Add("--no-password");
    }

    public ToolCommand Command(PgDumpSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return CreateCommand(settings, Arguments(settings)) with
        {
            Environment = settings.Connection.Environment(),
            SecretVariables = new HashSet<string> { "PGPASSWORD" },
        };
    }

    public Task<CommandResult> DumpAsync(PgDumpSettings settings, CancellationToken cancellationToken = default) =>
        Runner.RunAsync(Command(settings), cancellationToken);

    /// <summary>The version line of the host's pg_dump (<c>pg_dump --version</c>, a query: it runs in a dry run too).</summary>
    public async Task<string> VersionAsync(CancellationToken cancellationToken = default) =>
        (await Runner.RunAsync(Bare(ToolName, Hint, new ArgumentList(["--version"]), query: true), cancellationToken).ConfigureAwait(false)).StandardOutput.Trim();

    /// <summary>The major version of the host's pg_dump.</summary>
    public async Task<int> MajorVersionAsync(CancellationToken cancellationToken = default)
    {
        var version = await VersionAsync(cancellationToken).ConfigureAwait(false);
        return ParseMajorVersion(version)
            ?? throw new ToolFailedException(ToolName, 1, $"could not read a version from '{version}'.", []);
    }

    /// <summary>"pg_dump (PostgreSQL) 15.18 (Debian 15.18-0+deb12u1)" gives 15; "9.6.24" gives 9.</summary>
    public static int? ParseMajorVersion(string versionOutput)
    {
        ArgumentNullException.ThrowIfNull(versionOutput);
        var match = VersionPattern().Match(versionOutput);
        var group = match.Groups[1].Success ? match.Groups[1] : match.Groups[2];
        return match.Success ? int.Parse(group.Value, CultureInfo.InvariantCulture) : null;
    }

    /// <summary>
    /// pg_dump refuses servers newer than itself, so the host's client must be at least the server's major version.
    /// Null when it can; otherwise the message naming both versions and the fix.
    /// </summary>
    public static string? Incompatibility(int clientMajor, int serverMajor) =>
        clientMajor >= serverMajor
            ? null
            : $"the host's pg_dump is version {clientMajor} but the server runs PostgreSQL {serverMajor}; pg_dump cannot dump a newer server. "
              + $"Install postgresql-client-{serverMajor} (or newer) and put it first on PATH, or back up through the compose service.";

    /// <summary>pg_restore reads archives written by its own and older versions of pg_dump, not newer ones.</summary>
    public static string? ReadIncompatibility(string backup, int dumpMajor, string client, int clientMajor) =>
        clientMajor >= dumpMajor
            ? null
            : $"{backup} was written by pg_dump {dumpMajor}; {client} is version {clientMajor} and cannot read it. "
              + $"Install postgresql-client-{dumpMajor} (or newer) and put it first on PATH, or restore through the compose service.";

    [GeneratedRegex(@"\(PostgreSQL\)\s+(\d+)(?:\.\d+)*|^\s*(?:pg_\w+\s+)?(\d+)\.", RegexOptions.Multiline)]
    private static partial Regex VersionPattern();
}
