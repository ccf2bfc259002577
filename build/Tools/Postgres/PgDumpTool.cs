namespace Build.Tools.Postgres;

public sealed record PgDumpSettings : ToolSettings
{
    public required PostgresConnection Connection { get; init; }

    /// <summary>Custom format (<c>-Fc</c>): compressed, restorable selectively by pg_restore.</summary>
    public string Format { get; init; } = "custom";

    public required string OutputFile { get; init; }
}

/// <summary>The host's <c>pg_dump</c>.</summary>
public sealed class PgDumpTool(ICommandRunner runner) : Tool<PgDumpSettings>(runner)
{
    protected override string ToolName => "pg_dump";

    protected override string? InstallHint => "Install the PostgreSQL client (apt-get install postgresql-client).";

    public static ArgumentList Arguments(PgDumpSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return new ArgumentList(settings.Connection.Arguments()).AddJoined("--format", settings.Format).AddJoined("--file", settings.OutputFile).Add("--no-password");
    }

    public Task<CommandResult> DumpAsync(PgDumpSettings settings, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var command = CreateCommand(settings, Arguments(settings)) with
        {
            Environment = settings.Connection.Environment(),
            SecretVariables = new HashSet<string> { "PGPASSWORD" },
        };
        return Runner.RunAsync(command, cancellationToken);
    }
}
