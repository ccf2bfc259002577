namespace Build.Tools.Postgres;

/// <summary>
/// What pg_restore does with an archive, apart from where it connects: the same for the host's pg_restore and the one
/// inside the database's compose container (which connects over its local socket).
/// </summary>
public sealed record PgRestoreOptions
{
    /// <summary>Write the restore as an SQL script to this file ("-": standard output) instead of into a database.</summary>
    public string? ScriptFile { get; init; }

    /// <summary>Drop each object before recreating it (<c>--clean --if-exists</c>).</summary>
    public bool Clean { get; init; }

    /// <summary>All or nothing: a failure rolls the whole restore back (implies exit on error).</summary>
    public bool SingleTransaction { get; init; } = true;

    /// <summary>Parallel connections (<c>--jobs</c>), above 1 only from a file: each stops at the first error instead of one transaction.</summary>
    public int Jobs { get; init; } = 1;

    /// <summary>Only these sections of the archive (<c>--section</c>: pre-data, data, post-data); empty: all.</summary>
    public IReadOnlyList<string> Sections { get; init; } = [];

    /// <summary>Only the archive's entries this file lists (<c>--use-list</c>: a <c>--list</c> output, lines commented out with ';').</summary>
    public string? UseList { get; init; }

    /// <summary>Objects belong to the restoring user, so a dump from another environment restores without its roles.</summary>
    public bool NoOwner { get; init; } = true;
}

public sealed record PgRestoreSettings : ToolSettings
{
    public required PostgresConnection Connection { get; init; }

    /// <summary>The archive; null reads it from standard input.</summary>
    public string? InputFile { get; init; }

    public PgRestoreOptions Options { get; init; } = new();
}

/// <summary>The host's <c>pg_restore</c>.</summary>
public sealed class PgRestoreTool(ICommandRunner runner) : Tool<PgRestoreSettings>(runner)
{
    protected override string ToolName => "pg_restore";

    protected override string? InstallHint => PgDumpTool.Hint;

    /// <summary>The options after the connection, shared with the run inside a container.</summary>
    public static ArgumentList Options(PgRestoreOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.ScriptFile is not null)
        {
            // A script is run later by psql in one transaction; transaction options belong there.
            return Selection(options)
                .AddSwitch("--clean", options.Clean)
                .AddSwitch("--if-exists", options.Clean)
                .AddSwitch("--no-owner", options.NoOwner)
                .AddJoined("--file", options.ScriptFile);
        }

        return Selection(options)
            .AddSwitch("--clean", options.Clean)
            .AddSwitch("--if-exists", options.Clean)
            .AddSwitch("--no-owner", options.NoOwner)
            .AddJoined("--jobs", options.Jobs > 1 ? options.Jobs.ToString(System.Globalization.CultureInfo.InvariantCulture) : null)
            .AddSwitch("--single-transaction", options.SingleTransaction && options.Jobs <= 1)
            .AddSwitch("--exit-on-error", !options.SingleTransaction || options.Jobs > 1)
            .Add("--no-password");
    }

    private static ArgumentList Selection(PgRestoreOptions options)
    {
        var arguments = new ArgumentList();
        foreach (var section in options.Sections)
        {
            arguments.AddJoined("--section", section);
        }

        return arguments.AddJoined("--use-list", options.UseList);
    }

    public static ArgumentList Arguments(PgRestoreSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var arguments = settings.Options.ScriptFile is null
            ? new ArgumentList(settings.Connection.Arguments()).Add(Options(settings.Options).Values)
            : new ArgumentList(Options(settings.Options).Values);
        if (settings.InputFile is not null)
        {
            arguments.Add(settings.InputFile);
        }

        return arguments;
    }

    public ToolCommand Command(PgRestoreSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return CreateCommand(settings, Arguments(settings)) with
        {
            Environment = settings.Connection.Environment(),
            SecretVariables = new HashSet<string> { "PGPASSWORD" },
        };
    }

    public Task<CommandResult> RestoreAsync(PgRestoreSettings settings, CancellationToken cancellationToken = default) =>
        Runner.RunAsync(Command(settings), cancellationToken);

    /// <summary>
    /// The archive (or the part <paramref name="options"/> select) as the SQL script psql would run, written to
    /// <see cref="PgRestoreOptions.ScriptFile"/>; connects to nothing.
    /// </summary>
    public ToolCommand ScriptCommand(string archive, PgRestoreOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return Bare(ToolName, InstallHint, Options(options with { ScriptFile = options.ScriptFile ?? "-" }).Add(archive), query: false);
    }

    /// <summary>
    /// <c>pg_restore --list</c>: the archive's table of contents, read without a server. A query (it changes nothing,
    /// so it also runs in a dry run); it fails on anything pg_restore cannot read, and names the dumped database.
    /// </summary>
    public Task<CommandResult> ListAsync(string archive, CancellationToken cancellationToken = default) =>
        Runner.RunAsync(ListCommand(archive), cancellationToken);

    public ToolCommand ListCommand(string archive) =>
        Bare(ToolName, InstallHint, new ArgumentList(ListOptions).Add(archive), query: true) with { Quiet = true };

    /// <summary>The options of a table-of-contents listing, shared with the run inside a container.</summary>
    public static IReadOnlyList<string> ListOptions => ["--list"];
}
