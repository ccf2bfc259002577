namespace Build.Tools.Postgres;

public sealed record PsqlScriptSettings : ToolSettings
{
    public required PostgresConnection Connection { get; init; }

    /// <summary>The script; "-" reads it from standard input.</summary>
    public required string ScriptFile { get; init; }
}

/// <summary>The host's <c>psql</c>, used for one thing: running a restore script as one transaction that stops at the first error.</summary>
public sealed class PsqlTool(ICommandRunner runner) : Tool<PsqlScriptSettings>(runner)
{
    protected override string ToolName => "psql";

    protected override string? InstallHint => PgDumpTool.Hint;

    /// <summary>A psql command from prepared arguments (Doctor's probe); a query runs in a dry run too and is not echoed.</summary>
    public static ToolCommand Command(ArgumentList arguments, bool query = false) => Bare("psql", PgDumpTool.Hint, arguments, query);

    public static ArgumentList VersionArguments() => new(["--version"]);

    /// <summary>Options after the connection, shared with the run inside a container.</summary>
    public static IReadOnlyList<string> ScriptOptions(string scriptFile) =>
        ["--no-psqlrc", "--quiet", "--set", "ON_ERROR_STOP=1", "--single-transaction", "--no-password", "--file", scriptFile];

    public static ArgumentList Arguments(PsqlScriptSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return new ArgumentList(settings.Connection.Arguments()).Add(ScriptOptions(settings.ScriptFile));
    }

    public Task<CommandResult> RunScriptAsync(PsqlScriptSettings settings, CancellationToken cancellationToken = default) =>
        Runner.RunAsync(Command(settings), cancellationToken);

    public ToolCommand Command(PsqlScriptSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return CreateCommand(settings, Arguments(settings), quiet: true) with
        {
            Environment = settings.Connection.Environment(),
            SecretVariables = new HashSet<string> { "PGPASSWORD" },
        };
    }
}
