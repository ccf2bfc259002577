using Build.Tools;

namespace Build.Database;

/// <summary>A value of a statement, passed as a parameter (never spliced into the text).</summary>
public sealed record SqlParameter(string Name, object Value)
{
    public string Render() => $"@{Name} = {(Value is string text ? Sql.Literal(text) : Convert.ToString(Value, System.Globalization.CultureInfo.InvariantCulture))}";
}

/// <summary>
/// One step of a database plan. Its lines are what a dry run prints; the executor (<see cref="DatabasePlanExecutor"/>)
/// runs the same record, so what is printed is what runs. A value known only when the step runs is written in angle
/// brackets, as in the deploy plans.
/// </summary>
public abstract record DatabaseStep
{
    /// <summary>The step's first line, then indented detail lines.</summary>
    public abstract IEnumerable<string> Render();
}

/// <summary>One SQL statement sent through Npgsql to <see cref="Database"/>.</summary>
public sealed record SqlStep(string Database, string Text) : DatabaseStep
{
    public IReadOnlyList<SqlParameter> Parameters { get; init; } = [];

    /// <summary>For a statement that answers a number: the log line it makes, <c>{0}</c> the number (not part of the plan's text).</summary>
    public string? Report { get; init; }

    /// <summary>A query answering true or false: the statement runs only when it answers true.</summary>
    public SqlStep? OnlyIf { get; init; }

    /// <summary>The statement and its parameters on one line.</summary>
    public string Line() =>
        Text + (Parameters.Count == 0 ? string.Empty : "   -- " + string.Join(", ", Parameters.Select(p => p.Render())))
        + (OnlyIf is { } condition ? "   -- only if: " + condition.Line() : string.Empty);

    public override IEnumerable<string> Render() => [$"sql on {Database}: {Line()}"];

    public (string Name, object Value)[] Values() => Parameters.Select(p => (p.Name, p.Value)).ToArray();
}

/// <summary>Statements that commit together or not at all.</summary>
public sealed record TransactionStep(string Database, IReadOnlyList<SqlStep> Statements) : DatabaseStep
{
    public override IEnumerable<string> Render() =>
        [$"in one transaction on {Database}:", .. Statements.Select(s => "    " + s.Line())];
}

/// <summary>
/// Migrations applied in order, each in its own transaction with its row in the history table. <see cref="Files"/> null:
/// which ones are pending depends on the database's history, read when the step runs.
/// </summary>
public sealed record MigrateStep(string Database, IReadOnlyList<MigrationFile>? Files, string HistoryTable) : DatabaseStep
{
    /// <summary>
    /// Every migration file, which the history is checked against when the step runs (an applied one that changed is
    /// refused, one whose file is gone is a warning); null: the workspace's, loaded then.
    /// </summary>
    public IReadOnlyList<MigrationFile>? All { get; init; }

    public override IEnumerable<string> Render()
    {
        if (Files is null)
        {
            return [$"migrate {Database}: <pending migrations, read at run time>, each in its own transaction, recorded in {HistoryTable}"];
        }

        return Files.Count == 0
            ? [$"migrate {Database}: no migrations to apply"]
            : [$"migrate {Database}: {Files.Count} migration(s), each in its own transaction, recorded in {HistoryTable}:", .. Files.Select(f => "    " + f.RelativePath)];
    }
}

/// <summary>
/// The seed files of a profile, applied in one transaction. <see cref="Tables"/> are counted before and after (for the
/// closing line; empty: nothing is counted); with <see cref="OnlyIf"/> the step seeds only while they hold fewer rows.
/// </summary>
public sealed record SeedStep(string Database, string Profile, IReadOnlyList<string> Files) : DatabaseStep
{
    public IReadOnlyList<string> Tables { get; init; } = [];

    /// <summary>The app's seed command instead of <see cref="Files"/> (config/database.json seed.command).</summary>
    public ToolCommand? Command { get; init; }

    public SeedThreshold? OnlyIf { get; init; }

    public override IEnumerable<string> Render()
    {
        IEnumerable<string> lines = Command is { } command
            ? [$"seed {Database} with profile '{Profile}': run: {command.Render()}"]
            : [$"seed {Database} with profile '{Profile}' in one transaction:", .. Files.Select(f => "    " + f)];
        return OnlyIf is null ? lines : lines.Append("    " + OnlyIf.Render(Tables));
    }
}

/// <summary>
/// Seed only while the seeded tables hold fewer than <see cref="Rows"/> rows together, counted when the step runs.
/// <see cref="Now"/>: what they held when the plan was made; null when that could not be read.
/// </summary>
public sealed record SeedThreshold(int Rows, long? Now)
{
    public const string ReadAtRunTime = "<if the seeded tables are below the threshold, read at run time>";

    public string Render(IReadOnlyList<string> tables)
    {
        var condition = $"{string.Join(", ", tables)}: fewer than {Rows} row(s) together";
        return Now is { } rows
            ? $"if the seeded tables are below the threshold when it runs ({condition}; now {rows})"
            : $"{ReadAtRunTime} ({condition})";
    }
}

/// <summary>
/// The safety copy of a reset, kept on the server instead of a dump. <see cref="Move"/> false: the database is copied
/// aside by template (a file copy) and then reset in place. <see cref="Move"/> true: the database itself is renamed aside
/// (instant) and an empty database made like it takes its name, for a migration command that works on the database by
/// its name. Either way, when a later step fails, <see cref="PutBack"/> returns the aside copy to the database's own name
/// with its server-level state (<see cref="DatabaseState"/>); when every step succeeded, <see cref="After"/> runs.
/// </summary>
public sealed record AsideCopyStep(IReadOnlyList<SqlStep> Statements, IReadOnlyList<SqlStep> PutBack, SqlStep? After) : DatabaseStep
{
    public bool Move { get; init; }

    public override IEnumerable<string> Render() =>
    [
        Move
            ? "rename the database aside (the safety copy, nothing copied) and put an empty one in its place:"
            : "keep a copy aside on the server (the safety copy, instead of a dump):",
        .. Statements.Select(s => $"    sql on {s.Database}: {s.Line()}"),
        "    if a later step fails, the aside copy is put back under the database's own name:",
        .. PutBack.Select(s => $"        sql on {s.Database}: {s.Line()}"),
        .. (After is null ? Array.Empty<string>() : ["    after the last step succeeded:", $"        sql on {After.Database}: {After.Line()}"]),
    ];
}

/// <summary>
/// A new, empty database made like the target, under a temporary name (<see cref="Name"/>): a reset builds the new
/// database there while the target stays as it is, serving its sessions. When a later step fails, it is dropped.
/// </summary>
public sealed record NewDatabaseStep(string Name, IReadOnlyList<SqlStep> Statements) : DatabaseStep
{
    public override IEnumerable<string> Render() =>
    [
        $"build the new database as {Name} (the database stays as it is until the swap; any failure until then drops {Name}):",
        .. Statements.Select(s => $"    sql on {s.Database}: {s.Line()}"),
    ];
}

/// <summary>
/// The database built under <see cref="Incoming"/> takes the target's name: sessions ended, then in one transaction
/// the target's server-level state carried over, the target renamed aside (the safety copy) and the new one renamed
/// into its place; then <see cref="After"/> (dropping the aside copy when none is kept).
/// </summary>
public sealed record SwapStep(string Incoming, string Reason, IReadOnlyList<SqlStep> Statements, SqlStep? After) : DatabaseStep
{
    public override IEnumerable<string> Render() =>
    [
        $"swap {Incoming} into the database's place (the replaced database is kept aside, renamed, not copied):",
        .. Statements.Select(s => $"    sql on {s.Database}: {s.Line()}"),
        .. (After is null ? Array.Empty<string>() : [$"    sql on {After.Database}: {After.Line()}"]),
    ];
}

/// <summary>
/// Retention of the aside copies, started here and run beside the steps after it on a connection of its own
/// (<see cref="AsideCopies.StartPruneAsync"/>): the copies beyond the newest keepAside that an earlier run left.
/// </summary>
public sealed record RetentionStep(SqlStep Line) : DatabaseStep
{
    public override IEnumerable<string> Render() => [$"sql on {Line.Database}: {Line.Line()}"];
}

/// <summary>An external command (pg_restore, psql), exactly as it runs.</summary>
public sealed record ToolStep(ToolCommand Command, string? Why = null) : DatabaseStep
{
    public override IEnumerable<string> Render() =>
        Why is null ? ["run: " + Command.Render()] : ["run: " + Command.Render(), "    " + Why];
}

/// <summary>A check made before anything changes; the plan stops with a refusal when it fails.</summary>
public sealed record CheckStep(string Description) : DatabaseStep
{
    public override IEnumerable<string> Render() => ["check: " + Description];
}

/// <summary>Saving or restoring a snapshot: its statements on the maintenance database, in order.</summary>
public sealed record SnapshotStep(SnapshotAction Action, string Name, IReadOnlyList<SqlStep> Statements) : DatabaseStep
{
    public override IEnumerable<string> Render() =>
    [
        Action == SnapshotAction.Save ? $"save snapshot '{Name}':" : $"replace the database with a clone of snapshot '{Name}':",
        .. Statements.Select(s => $"    sql on {s.Database}: {s.Line()}"),
    ];
}

public enum SnapshotAction
{
    Save,
    Restore,
}

/// <summary>A state-changing database task as data: a title, ordered steps and notes. Printed by a dry run, run by the executor.</summary>
public sealed record DatabasePlan : Host.ITaskPlan
{
    public required string Title { get; init; }

    public IReadOnlyList<DatabaseStep> Steps { get; init; } = [];

    public IReadOnlyList<string> Notes { get; init; } = [];

    public IEnumerable<string> Render() => Host.PlanText.Render(Title, Steps.Select(s => (IReadOnlyList<string>)s.Render().ToArray()), Notes);
}

/// <summary>Restore's plan: the backup chosen (its checksums already checked) and the steps that restore it.</summary>
public sealed record RestorePlan(BackupEntry Backup, DatabasePlan Steps) : Host.ITaskPlan
{
    public IEnumerable<string> Render() => Steps.Render();
}
