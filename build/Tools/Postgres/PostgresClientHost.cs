using Build.Tools.Compose;

namespace Build.Tools.Postgres;

/// <summary>
/// What to dump: a database, optionally as seen by an exported snapshot, at a zlib level (null: pg_dump's default).
/// The archive always streams through standard output into the file, so the runner hashes it while it is written.
/// </summary>
public sealed record DumpRequest(string Database, string OutputFile, string? Snapshot = null, int? Compression = null);

/// <summary>
/// What to restore: an archive into a database, cleanly or into an empty one. <see cref="Jobs"/> above 1 restores
/// with that many parallel connections where the client reads the archive from a file (not through standard input).
/// </summary>
public sealed record RestoreRequest(string Database, string InputFile, bool Clean, int Jobs = 1)
{
    /// <summary>Only these sections (pg_restore --section); empty: the whole archive.</summary>
    public IReadOnlyList<string> Sections { get; init; } = [];

    /// <summary>Only the entries this table-of-contents file lists (pg_restore --use-list).</summary>
    public string? UseList { get; init; }
}

/// <summary>
/// Where pg_dump and pg_restore run: on this host against a connection, or inside the database's own compose
/// container (client and server versions then always match). Everything else the kit does through Npgsql.
/// </summary>
public interface IPostgresClientHost
{
    /// <summary>For messages: "the host's pg_dump", "compose service 'db'".</summary>
    string Description { get; }

    /// <summary>Why this client cannot dump a server of that major version (one clear sentence), or null when it can.</summary>
    Task<string?> DumpIncompatibilityAsync(int serverMajorVersion, CancellationToken cancellationToken = default);

    /// <summary>The version line of the client that makes the dump, for the manifest.</summary>
    Task<string> ClientVersionAsync(CancellationToken cancellationToken = default);

    /// <summary>Dumps; answers the archive's SHA-256 and size, hashed while it was written (null when the runner did not write it).</summary>
    Task<OutputFileDigest?> DumpAsync(DumpRequest request, CancellationToken cancellationToken = default);

    /// <summary>Restores into an empty database directly (pg_restore; one transaction, or parallel jobs stopping at the first error).</summary>
    Task RestoreAsync(RestoreRequest request, CancellationToken cancellationToken = default);

    /// <summary>The archive's table of contents (pg_restore --list): fails when this client cannot read the archive.</summary>
    Task<string> ListAsync(string dumpFile, CancellationToken cancellationToken = default);

    // The commands the methods above run, exactly: a plan shows them, with run-time values as placeholders.
    ToolCommand DumpCommand(DumpRequest request);

    ToolCommand RestoreCommand(RestoreRequest request);

    ToolCommand ListCommand(string dumpFile);
}

/// <summary>
/// What both client hosts share: each operation runs exactly the command its plan shows; a host says only which
/// commands those are (and how it reads the client's version).
/// </summary>
public abstract class PostgresClientHost(ICommandRunner runner) : IPostgresClientHost
{
    /// <summary>The one runner every command of this host goes through.</summary>
    protected ICommandRunner Runner { get; } = runner;

    public abstract string Description { get; }

    public abstract Task<string?> DumpIncompatibilityAsync(int serverMajorVersion, CancellationToken cancellationToken = default);

    public abstract Task<string> ClientVersionAsync(CancellationToken cancellationToken = default);

    public async Task<OutputFileDigest?> DumpAsync(DumpRequest request, CancellationToken cancellationToken = default) =>
        (await Runner.RunAsync(DumpCommand(request), cancellationToken).ConfigureAwait(false)).OutputFile;

    public Task RestoreAsync(RestoreRequest request, CancellationToken cancellationToken = default) =>
        Runner.RunAsync(RestoreCommand(request), cancellationToken);

    public async Task<string> ListAsync(string dumpFile, CancellationToken cancellationToken = default) =>
        (await Runner.RunAsync(ListCommand(dumpFile), cancellationToken).ConfigureAwait(false)).StandardOutput;

    public abstract ToolCommand DumpCommand(DumpRequest request);

    public abstract ToolCommand RestoreCommand(RestoreRequest request);

    public abstract ToolCommand ListCommand(string dumpFile);
}

/// <summary>The host's pg_dump and pg_restore, connecting over the network with the password in PGPASSWORD.</summary>
public sealed class LocalClientHost(ICommandRunner runner, PostgresConnection connection) : PostgresClientHost(runner)
{
    private readonly PgDumpTool dump = new(runner);
    private readonly PgRestoreTool restore = new(runner);
    private Task<string>? version;

    public override string Description => "the host's pg_dump";

    public override async Task<string?> DumpIncompatibilityAsync(int serverMajorVersion, CancellationToken cancellationToken = default) =>
        PgDumpTool.Incompatibility(
            PgDumpTool.ParseMajorVersion(await ClientVersionAsync(cancellationToken).ConfigureAwait(false))
            ?? throw new ToolFailedException("pg_dump", 1, "could not read its version.", []),
            serverMajorVersion);

    // Asked twice per backup (the check, the manifest): pg_dump --version runs once.
    public override Task<string> ClientVersionAsync(CancellationToken cancellationToken = default) => version ??= dump.VersionAsync(cancellationToken);

    public override ToolCommand DumpCommand(DumpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var command = dump.Command(new PgDumpSettings { Connection = connection.WithDatabase(request.Database), Snapshot = request.Snapshot, Compression = request.Compression });
        return command with { StandardOutputFile = request.OutputFile };
    }

    public override ToolCommand RestoreCommand(RestoreRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return restore.Command(new PgRestoreSettings
        {
            Connection = connection.WithDatabase(request.Database),
            InputFile = request.InputFile,
            Options = new() { Clean = request.Clean, Jobs = request.Jobs, Sections = request.Sections, UseList = request.UseList },
        });
    }

    /// <summary>
    /// The data of the archive's entries in <paramref name="useList"/> (one table's), as pg_restore writes it for psql
    /// (settings, then <c>COPY ... FROM stdin;</c> and the rows), handed to <paramref name="reader"/> instead of a server.
    /// </summary>
    public Task LoadTableDataAsync(string dumpFile, string useList, IStandardOutputReader reader, CancellationToken cancellationToken = default) =>
        Runner.RunAsync(TableDataCommand(dumpFile, useList, reader), cancellationToken);

    /// <summary>The command <see cref="LoadTableDataAsync"/> runs: pg_restore writes the script to standard output.</summary>
    public ToolCommand TableDataCommand(string dumpFile, string useList, IStandardOutputReader reader) =>
        restore.ScriptCommand(dumpFile, new PgRestoreOptions { Sections = ["data"], UseList = useList, ScriptFile = "-" }) with { StandardOutputReader = reader };

    public override ToolCommand ListCommand(string dumpFile) => restore.ListCommand(dumpFile);
}

/// <summary>
/// pg_dump and pg_restore inside the compose service's container (<c>exec -T</c>), over its local socket. The dump
/// streams out through standard output into the file and back in through standard input: binary safe, no copy
/// into the container, and the client always matches the server.
/// </summary>
public sealed class ComposeClientHost(
    ICommandRunner runner, ComposeVersion version, ComposeSettings settings, string service, string username, string? password) : PostgresClientHost(runner)
{
    private readonly string? databasePassword = password;

    public override string Description => $"pg_dump inside compose service '{service}'";

    // The container's client is the server's own version: nothing to check.
    public override Task<string?> DumpIncompatibilityAsync(int serverMajorVersion, CancellationToken cancellationToken = default) => Task.FromResult<string?>(null);

    public override async Task<string> ClientVersionAsync(CancellationToken cancellationToken = default)
    {
        var command = Exec(["pg_dump", "--version"]) with { IsQuery = true, Quiet = true };
        var result = await Runner.RunAsync(command, cancellationToken).ConfigureAwait(false);
        return result.StandardOutput.Trim();
    }

    /// <summary>pg_restore --list in the container, the archive in through standard input: read-only, a query.</summary>
    public override ToolCommand ListCommand(string dumpFile) =>
        Exec(new[] { "pg_restore" }.Concat(PgRestoreTool.ListOptions), withPassword: false) with { StandardInputFile = dumpFile, IsQuery = true, Quiet = true };

    public override ToolCommand DumpCommand(DumpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var arguments = new ArgumentList(["pg_dump", "--username", username, "--dbname", request.Database, "--format=custom"])
            .AddJoined("--compress", request.Compression?.ToString(System.Globalization.CultureInfo.InvariantCulture))
            .AddJoined("--snapshot", request.Snapshot)
            .Add("--no-password");
        return Exec(arguments.Values) with { StandardOutputFile = request.OutputFile };
    }

    public override ToolCommand RestoreCommand(RestoreRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        // The archive comes in through standard input, which pg_restore reads front to back: one job, one transaction.
        var options = PgRestoreTool.Options(new PgRestoreOptions { Clean = request.Clean });
        var arguments = new ArgumentList(["pg_restore", "--username", username, "--dbname", request.Database]).Add(options.Values);
        return Exec(arguments.Values) with { StandardInputFile = request.InputFile };
    }

    private ToolCommand Exec(IEnumerable<string> command, bool withPassword = true)
    {
        var subcommand = new List<string> { "exec", "-T" };
        var password = withPassword ? databasePassword : null;
        if (password is not null)
        {
            // "-e NAME" without a value: compose copies it from its own environment, so the password is never an argument.
            subcommand.AddRange(["-e", "PGPASSWORD"]);
        }

        subcommand.Add(service);
        subcommand.AddRange(command);
        var composeCommand = ComposeTool.Command(version, settings, subcommand);
        if (password is null)
        {
            return composeCommand;
        }

        var environment = new Dictionary<string, string?>(composeCommand.Environment) { ["PGPASSWORD"] = password };
        return composeCommand with { Environment = environment, SecretVariables = new HashSet<string>(composeCommand.SecretVariables) { "PGPASSWORD" } };
    }
}
