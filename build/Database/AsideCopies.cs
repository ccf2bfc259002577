using System.Globalization;
using System.Text;
using Cake.Core.Diagnostics;
using Npgsql;

namespace Build.Database;

/// <summary>One database kept aside by DbReset or Restore: its name, when and why it was set aside, its size.</summary>
public sealed record AsideCopy(string Name, DateTime TakenAtUtc, string Reason, long? SizeBytes);

/// <summary>
/// The safety copies that cost nothing: before DbReset or Restore replaces a database, the database itself is renamed
/// aside (<c>&lt;database&gt;__aside__&lt;stamp&gt;</c>, on the same server) instead of being dumped, and the replacement,
/// built and checked under another name first, takes its name in the same transaction. The newest
/// <see cref="Keep"/> aside copies stay (BackupList shows them); older ones are dropped. An aside copy is recognised by its
/// comment (<c>kit aside copy of "&lt;database&gt;", ...</c>), never by its name alone. Every statement is made here, once,
/// for both the plan a dry run prints and the run.
/// </summary>
public sealed class AsideCopies(DatabaseTarget target, string maintenanceDatabase, int keep, ICakeLog log)
{
    private const string Marker = "__aside__";
    private const int MaximumIdentifierBytes = 63;

    // The copies this run's retention is dropping (StartPruneAsync).
    private readonly HashSet<string> dropping = new(StringComparer.Ordinal);

    /// <summary>How many aside copies of the database are kept.</summary>
    public int Keep { get; } = keep;

    /// <summary>The aside copy's name in a plan: the stamp is the run's.</summary>
    public string PlannedName => Prefix + BackupPlan.StampPlaceholder;

    private string Database => target.Database;

    // Room for "__aside__" + a stamp + "_NN" within PostgreSQL's 63 bytes: a long database name is shortened (by whole characters).
    private string Prefix
    {
        get
        {
            var name = Database;
            while (Encoding.UTF8.GetByteCount(name) > MaximumIdentifierBytes - Marker.Length - BackupStore.StampFormat.Length - 3)
            {
                name = name[..^1];
            }

            return name + Marker;
        }
    }

    private string CommentPrefix => $"kit aside copy of {Sql.Identifier(Database)}, ";

    private static string Comment(string prefix, string reason, string takenAt) => $"{prefix}{reason}, {takenAt}";

    /// <summary>
    /// Ends the sessions on the database, then, in one transaction: <paramref name="incoming"/> given the database's
    /// own server-level state (<see cref="DatabaseState"/>: owner, privileges, settings, comment), the database renamed
    /// aside, <paramref name="incoming"/> renamed to its name, the aside copy marked. Either all of it happens or none.
    /// </summary>
    public IReadOnlyList<SqlStep> SwapStatements(string incoming, string aside, string reason, string takenAt) =>
    [
        ServerInfo.TerminateOtherSessionsStep(maintenanceDatabase, Database),
        new(maintenanceDatabase, $"{DatabaseState.Placeholder(Database)} applied to {Sql.Identifier(incoming)}; " + SwapSql(incoming, aside, reason, takenAt)),
    ];

    /// <summary>Ends the sessions on the database, then copies it aside (CREATE DATABASE ... TEMPLATE) and marks the copy.</summary>
    public IReadOnlyList<SqlStep> CopyStatements(string aside, string reason, string takenAt) =>
    [
        ServerInfo.TerminateOtherSessionsStep(maintenanceDatabase, Database),
        new(maintenanceDatabase, CopySql(aside)),
        new(maintenanceDatabase, CommentSql(aside, reason, takenAt)),
    ];

    /// <summary>
    /// Ends the sessions on the database, renames it aside and marks it (one transaction), then creates an empty
    /// database like it under its name and gives that the aside copy's server-level state.
    /// </summary>
    public IReadOnlyList<SqlStep> MoveStatements(string aside, string reason, string takenAt) =>
    [
        ServerInfo.TerminateOtherSessionsStep(maintenanceDatabase, Database),
        new(maintenanceDatabase, MoveSql(aside, reason, takenAt)),
        new(maintenanceDatabase, ServerInfo.CreateLikeSql(Database, ServerInfo.LikePlaceholder(aside))),
        new(maintenanceDatabase, $"{DatabaseState.Placeholder(Database)} applied to {Sql.Identifier(Database)}"),
    ];

    /// <summary>
    /// What puts the aside copy back under the database's own name when a step after it was made failed, with the
    /// database's server-level state as it was read before the reset (a template copy has none of its own; a renamed
    /// database gets its comment back).
    /// </summary>
    public IReadOnlyList<SqlStep> PutBackStatements(string aside) =>
    [
        new(maintenanceDatabase, $"DROP DATABASE IF EXISTS {Sql.Identifier(Database)} WITH (FORCE)"),
        new(maintenanceDatabase, $"ALTER DATABASE {Sql.Identifier(aside)} RENAME TO {Sql.Identifier(Database)}; {DatabaseState.Placeholder(Database)} applied to {Sql.Identifier(Database)}"),
    ];

    /// <summary>The temporary name a replacement is built under (<c>&lt;database&gt;__incoming</c>) before it is swapped in.</summary>
    public string IncomingName => Database.Length > 40 ? Database[..40] + "__incoming" : Database + "__incoming";

    /// <summary>Drops an aside copy right away (backup.beforeReset or beforeRestore false: no safety copy wanted).</summary>
    public SqlStep DropStep(string aside) => new(maintenanceDatabase, $"DROP DATABASE IF EXISTS {Sql.Identifier(aside)}");

    /// <summary>
    /// Runs <see cref="DropStep"/> once the replacement is swapped in (no safety copy wanted): the reset or restore is
    /// done, so a drop that fails (a session on the copy) is a warning naming what to drop, not a failure of the run.
    /// </summary>
    public async Task DropReplacedAsync(NpgsqlConnection connection, string aside, CancellationToken cancellationToken)
    {
        try
        {
            await DatabaseConnector.ExecuteAsync(connection, DropStep(aside).Text, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (NpgsqlException exception)
        {
            log.Warning($"The replaced database, renamed {aside}, was not dropped ({DatabaseConnector.Reason(exception)}); BackupList lists it. Drop it with DROP DATABASE {Sql.Identifier(aside)}.");
        }
    }

    /// <summary>The retention step's line: what a plan prints (<see cref="StartPruneAsync"/> runs it beside the work).</summary>
    public SqlStep PruneStep() =>
        new(maintenanceDatabase, $"DROP DATABASE <the aside copies of {Database} beyond the newest {Keep}, read at run time>   -- beside the next steps, on a connection of its own; this run's own copy is added after");

    private string SwapSql(string incoming, string aside, string reason, string takenAt) =>
        $"ALTER DATABASE {Sql.Identifier(Database)} RENAME TO {Sql.Identifier(aside)}; "
        + $"ALTER DATABASE {Sql.Identifier(incoming)} RENAME TO {Sql.Identifier(Database)}; "
        + CommentSql(aside, reason, takenAt);

    private string MoveSql(string aside, string reason, string takenAt) =>
        $"ALTER DATABASE {Sql.Identifier(Database)} RENAME TO {Sql.Identifier(aside)}; " + CommentSql(aside, reason, takenAt);

    private string CopySql(string aside, int? serverMajorVersion = null) => ServerInfo.TemplateCloneSql(aside, Database, null, serverMajorVersion);

    private string CommentSql(string aside, string reason, string takenAt) =>
        $"COMMENT ON DATABASE {Sql.Identifier(aside)} IS {Sql.Literal(Comment(CommentPrefix, reason, takenAt))}";

    /// <summary>A free aside name for now (a second one within a second gets a suffix).</summary>
    public async Task<(string Name, string TakenAt)> NewNameAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        var now = DateTime.UtcNow;
        var name = Prefix + BackupStore.Stamp(now);
        for (var n = 2; dropping.Contains(name) || await ServerInfo.DatabaseExistsAsync(connection, name, cancellationToken).ConfigureAwait(false); n++)
        {
            name = $"{Prefix}{BackupStore.Stamp(now)}_{n}";
        }

        return (name, now.ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture));
    }

    /// <summary>Runs <see cref="SwapStatements"/>; a session that reconnects in between makes it try again, a few times.</summary>
    public async Task SwapAsync(NpgsqlConnection connection, string incoming, string aside, string reason, string takenAt, CancellationToken cancellationToken)
    {
        // One batch is one transaction: the state is carried over, and the names swapped, together or not at all.
        var state = await DatabaseState.ReadAsync(connection, Database, cancellationToken).ConfigureAwait(false);
        var carry = state is null ? string.Empty : state.ApplySql(incoming) + "; ";
        await WithoutSessionsAsync(connection, carry + SwapSql(incoming, aside, reason, takenAt), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Runs <see cref="CopyStatements"/>.</summary>
    public async Task CopyAsync(NpgsqlConnection connection, string aside, string reason, string takenAt, CancellationToken cancellationToken)
    {
        await WithoutSessionsAsync(connection, CopySql(aside, ServerInfo.MajorVersion(connection)), cancellationToken).ConfigureAwait(false);
        await DatabaseConnector.ExecuteAsync(connection, CommentSql(aside, reason, takenAt), cancellationToken: cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Runs <see cref="MoveStatements"/> with <paramref name="state"/>, the database's own, read before. Once the rename
    /// is done a failure of the rest is the caller's to undo with <see cref="PutBackAsync"/>: <paramref name="moved"/> says whether it is.
    /// </summary>
    public async Task MoveAsync(NpgsqlConnection connection, string aside, string reason, string takenAt, DatabaseState state, Action moved, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(moved);
        await WithoutSessionsAsync(connection, MoveSql(aside, reason, takenAt), cancellationToken).ConfigureAwait(false);
        moved();
        await DatabaseConnector.ExecuteAsync(connection, await ServerInfo.CreateLikeSqlAsync(connection, Database, aside, cancellationToken).ConfigureAwait(false), cancellationToken: cancellationToken).ConfigureAwait(false);
        await DatabaseConnector.ExecuteAsync(connection, state.ApplySql(Database), cancellationToken: cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Runs <see cref="PutBackStatements"/>: <paramref name="state"/> is the database's own, read before the reset.</summary>
    public async Task PutBackAsync(NpgsqlConnection connection, string aside, DatabaseState? state, CancellationToken cancellationToken)
    {
        var (drop, rename) = (PutBackStatements(aside)[0].Text, $"ALTER DATABASE {Sql.Identifier(aside)} RENAME TO {Sql.Identifier(Database)}");
        await DatabaseConnector.ExecuteAsync(connection, drop, cancellationToken: cancellationToken).ConfigureAwait(false);
        await DatabaseConnector.ExecuteAsync(
            connection, rename + "; " + (state?.ApplySql(Database) ?? $"COMMENT ON DATABASE {Sql.Identifier(Database)} IS NULL"), cancellationToken: cancellationToken).ConfigureAwait(false);
    }

    private Task WithoutSessionsAsync(NpgsqlConnection connection, string sql, CancellationToken cancellationToken) =>
        ServerInfo.ExecuteWithoutSessionsAsync(connection, Database, sql, log, cancellationToken);

    /// <summary>
    /// The aside copies of the database on its server, newest first; with their sizes for a listing (the server then
    /// reads the size of every file of every copy: tens of milliseconds that retention, which needs only the names, skips).
    /// </summary>
    public async Task<IReadOnlyList<AsideCopy>> ListAsync(NpgsqlConnection connection, CancellationToken cancellationToken = default, bool sizes = true)
    {
        ArgumentNullException.ThrowIfNull(connection);
        var size = sizes ? "CASE WHEN has_database_privilege(d.datname, 'CONNECT') THEN pg_database_size(d.datname) END" : "NULL::bigint";
        await using var command = new NpgsqlCommand(
            $"""
            SELECT d.datname, shobj_description(d.oid, 'pg_database'), {size}
            FROM pg_database d
            WHERE starts_with(shobj_description(d.oid, 'pg_database'), @prefix)
            """,
            connection);
        command.Parameters.AddWithValue("prefix", CommentPrefix);
        var copies = new List<AsideCopy>();
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                var name = reader.GetString(0);
                copies.Add(new AsideCopy(name, BackupStore.ParseStamp(StampOf(name)) ?? DateTime.MinValue, reader.GetString(1)[CommentPrefix.Length..], reader.IsDBNull(2) ? null : reader.GetInt64(2)));
            }
        }

        return BackupStore.NewestFirst(copies, c => c.TakenAtUtc, c => StampOf(c.Name)).ToArray();
    }

    /// <summary>The stamp of an aside copy's name (what follows the marker), or empty.</summary>
    private static string StampOf(string name) => name.LastIndexOf(Marker, StringComparison.Ordinal) is var at and >= 0 ? name[(at + Marker.Length)..] : string.Empty;

    /// <summary>
    /// Retention beside a reset's or restore's work, once its checks have passed and before it makes its own copy:
    /// reads, on <paramref name="connection"/>, which copies an earlier run left beyond the newest <see cref="Keep"/>,
    /// and drops them on a connection of its own while the work runs (dropping a database of this size takes a few
    /// tenths of a second of file removal, which the work no longer waits for). The copy this run makes is added after,
    /// so up to <see cref="Keep"/> + 1 copies exist between runs, and a run that fails has dropped no copy that
    /// retention keeps. The task never fails: a problem is a line, and the next run tries again. Await it before the
    /// run ends.
    /// </summary>
    public async Task<Task> StartPruneAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        var doomed = (await ListAsync(connection, cancellationToken, sizes: false).ConfigureAwait(false)).Skip(Keep).Select(c => c.Name).ToArray();
        if (doomed.Length == 0)
        {
            return Task.CompletedTask;
        }

        // A copy this run makes within the same second as a doomed one never takes its name while it is being dropped.
        dropping.UnionWith(doomed);
        return Task.Run(
            async () =>
            {
                try
                {
                    await using var own = await DatabaseConnector.OpenLeanAsync(target, maintenanceDatabase, cancellationToken).ConfigureAwait(false);
                    await DropAsync(own, doomed, cancellationToken).ConfigureAwait(false);
                }
                catch (Exception exception) when (exception is DatabaseException or NpgsqlException or OperationCanceledException)
                {
                    log.Information($"Retention: the older aside copies of {Database} were not dropped ({DatabaseConnector.Reason(exception)}); the next reset or restore drops them.");
                }
            },
            CancellationToken.None);
    }

    /// <summary>Drops these aside copies; a copy someone is connected to is left, and said so.</summary>
    private async Task DropAsync(NpgsqlConnection connection, IEnumerable<string> names, CancellationToken cancellationToken)
    {
        foreach (var name in names)
        {
            try
            {
                // Without FORCE: someone looking at an old copy keeps it.
                await DatabaseConnector.ExecuteAsync(connection, $"DROP DATABASE IF EXISTS {Sql.Identifier(name)}", cancellationToken: cancellationToken).ConfigureAwait(false);
                log.Information($"Retention: dropped aside copy {name} of {Database} (keep the newest {Keep}: backup.keepAside)");
            }
            catch (PostgresException exception)
            {
                log.Information($"Retention: left aside copy {name}: {exception.MessageText}.");
            }
        }
    }
}
