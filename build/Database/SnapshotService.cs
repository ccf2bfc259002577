using System.Text;
using System.Text.RegularExpressions;
using Cake.Core.Diagnostics;
using Npgsql;

namespace Build.Database;

/// <summary>
/// Named snapshots as template databases on the same server: <c>&lt;database&gt;__snap__&lt;name&gt;</c>. Saving clones the
/// database (CREATE DATABASE ... TEMPLATE); resetting from one clones it back under a temporary name first and swaps
/// only when that worked, so a failed clone leaves the database as it was. Seconds instead of migrations and seeds.
/// </summary>
public sealed partial class SnapshotService(DatabaseTarget target, string maintenanceDatabase, AsideCopies asides, bool keepAside, ICakeLog log)
{
    private const string Separator = "__snap__";
    private const int MaximumIdentifierBytes = 63;

    public string SnapshotDatabaseName(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (!NamePattern().IsMatch(name))
        {
            throw DatabaseException.Refused($"Snapshot name '{name}' must be 1 to 40 letters, digits, _ or - (e.g. --save-snapshot=before-upgrade).");
        }

        var database = target.Database + Separator + name;
        return Encoding.UTF8.GetByteCount(database) <= MaximumIdentifierBytes
            ? database
            : throw DatabaseException.Refused(
                $"Snapshot '{name}' of database '{target.Database}' would need a database name longer than PostgreSQL's {MaximumIdentifierBytes} bytes. Use a shorter snapshot name.");
    }

    /// <summary>Stands for the owner of the database, read from the server when the step runs.</summary>
    public string OwnerPlaceholder => $"<owner of {target.Database}, read at run time>";

    /// <summary>The statements <see cref="SaveAsync"/> sends, in order, on the maintenance database: what a plan prints.</summary>
    public IReadOnlyList<SqlStep> SaveStatements(string name)
    {
        var snapshot = SnapshotDatabaseName(name);
        var scratch = ScratchName(snapshot);
        return
        [
            .. DropStatements(scratch),
            .. CloneStatements(target.Database, scratch, OwnerPlaceholder),
            .. DropStatements(snapshot),
            Maintenance(FinishSaveSql(scratch, snapshot, name, "<now>")),
        ];
    }

    /// <summary>
    /// The statements <see cref="RestoreAsync"/> sends, in order, on the maintenance database: the clone is made under
    /// a temporary name while the database stays as it is; then, with its sessions ended, the database is renamed aside
    /// and the clone takes its name in one transaction (the aside copy is the reset's safety copy, no dump).
    /// </summary>
    public IReadOnlyList<SqlStep> RestoreStatements(string name)
    {
        var snapshot = SnapshotDatabaseName(name);
        var incoming = IncomingName();
        return
        [
            Maintenance(ServerInfo.DatabaseExistsSql) with { Parameters = [new SqlParameter("name", snapshot)] },
            .. (keepAside ? [asides.PruneStep()] : Array.Empty<SqlStep>()),
            .. DropStatements(incoming),
            .. CloneStatements(snapshot, incoming, OwnerPlaceholder),
            .. asides.SwapStatements(incoming, asides.PlannedName, $"replaced by DbReset --from-snapshot={name}", "<now>"),
            .. (keepAside ? Array.Empty<SqlStep>() : [asides.DropStep(asides.PlannedName)]),
        ];
    }

    private SqlStep Maintenance(string text) => new(maintenanceDatabase, text);

    private SqlStep[] DropStatements(string database)
    {
        var exists = Maintenance(ServerInfo.DatabaseExistsSql) with { Parameters = [new SqlParameter("name", database)] };
        return DropSql(database).Select(text => Maintenance(text) with { OnlyIf = exists }).ToArray();
    }

    private SqlStep[] CloneStatements(string source, string destination, string owner) =>
        [ServerInfo.TerminateOtherSessionsStep(maintenanceDatabase, source), Maintenance(CloneSql(source, destination, owner))];

    private static string ScratchName(string snapshot)
    {
        var scratch = snapshot + "__new";
        return Encoding.UTF8.GetByteCount(scratch) > MaximumIdentifierBytes ? snapshot[..Math.Max(1, snapshot.Length - 5)] + "__new" : scratch;
    }

    private string IncomingName() => asides.IncomingName;

    // The owner comes quoted from the run (read from the server), or as the plan's placeholder.
    private static string CloneSql(string source, string destination, string quotedOwner, int? serverMajorVersion = null) =>
        ServerInfo.TemplateCloneSql(destination, source, quotedOwner, serverMajorVersion);

    // Two commands: DROP DATABASE refuses to run inside the implicit transaction of a multi-statement batch.
    private static string[] DropSql(string database) =>
        [$"ALTER DATABASE {Sql.Identifier(database)} WITH IS_TEMPLATE false", $"DROP DATABASE {Sql.Identifier(database)} WITH (FORCE)"];

    private static string RenameSql(string from, string to) => $"ALTER DATABASE {Sql.Identifier(from)} RENAME TO {Sql.Identifier(to)}";

    private string FinishSaveSql(string scratch, string snapshot, string name, string savedAt) =>
        $"{RenameSql(scratch, snapshot)}; "
        + $"ALTER DATABASE {Sql.Identifier(snapshot)} WITH IS_TEMPLATE true ALLOW_CONNECTIONS false; "
        + $"COMMENT ON DATABASE {Sql.Identifier(snapshot)} IS {Sql.Literal($"kit snapshot '{name}' of {target.Database}, saved {savedAt}")}";

    /// <summary>Stores the current database as the template <paramref name="name"/>, replacing an older one of that name.</summary>
    public async Task<string> SaveAsync(string name, CancellationToken cancellationToken = default)
    {
        var snapshot = SnapshotDatabaseName(name);
        await using var connection = await DatabaseConnector.OpenAsync(target, maintenanceDatabase, cancellationToken).ConfigureAwait(false);
        var owner = await OwnerAsync(connection, target.Database, cancellationToken).ConfigureAwait(false);
        var scratch = ScratchName(snapshot);

        await DropAsync(connection, scratch, cancellationToken).ConfigureAwait(false);
        await CloneAsync(connection, target.Database, scratch, owner, cancellationToken).ConfigureAwait(false);
        await DropAsync(connection, snapshot, cancellationToken).ConfigureAwait(false);
        await DatabaseConnector.ExecuteAsync(
            connection, FinishSaveSql(scratch, snapshot, name, $"{DateTimeOffset.UtcNow:yyyy-MM-dd HH:mm:ss} UTC"), cancellationToken: cancellationToken).ConfigureAwait(false);
        return snapshot;
    }

    /// <summary>Replaces the database with a clone of snapshot <paramref name="name"/>.</summary>
    public async Task<string> RestoreAsync(string name, CancellationToken cancellationToken = default)
    {
        var snapshot = SnapshotDatabaseName(name);
        await using var connection = await DatabaseConnector.OpenAsync(target, maintenanceDatabase, cancellationToken).ConfigureAwait(false);
        if (!await ServerInfo.DatabaseExistsAsync(connection, snapshot, cancellationToken).ConfigureAwait(false))
        {
            var known = await ListAsync(connection, cancellationToken).ConfigureAwait(false);
            throw DatabaseException.Refused(
                $"There is no snapshot '{name}' of database '{target.Database}'. "
                + (known.Count == 0 ? "Save one first: --save-snapshot=<name>." : $"Known: {string.Join(", ", known)}."));
        }

        var pruning = Task.CompletedTask;
        try
        {
            // The snapshot exists: retention drops the copies an earlier run left beyond the newest keepAside, beside the clone.
            pruning = keepAside ? await asides.StartPruneAsync(connection, cancellationToken).ConfigureAwait(false) : Task.CompletedTask;
            var owner = await OwnerAsync(connection, target.Database, cancellationToken).ConfigureAwait(false);
            var incoming = IncomingName();
            await DropAsync(connection, incoming, cancellationToken).ConfigureAwait(false);
            await CloneAsync(connection, snapshot, incoming, owner, cancellationToken).ConfigureAwait(false);

            // The clone exists: only now is the database renamed aside and the clone renamed into its place, together.
            var (aside, takenAt) = await asides.NewNameAsync(connection, cancellationToken).ConfigureAwait(false);
            try
            {
                await asides.SwapAsync(connection, incoming, aside, $"replaced by DbReset --from-snapshot={name}", takenAt, cancellationToken).ConfigureAwait(false);
            }
            catch
            {
                await DropAsync(connection, incoming, CancellationToken.None).ConfigureAwait(false);
                throw;
            }

            if (keepAside)
            {
                log.Information($"Aside copy before reset: database {aside} (BackupList lists it)");
            }
            else
            {
                await asides.DropReplacedAsync(connection, aside, cancellationToken).ConfigureAwait(false);
            }

            return snapshot;
        }
        finally
        {
            // Never fails: what it could not drop it said, and the next run drops.
            await pruning.ConfigureAwait(false);
        }
    }

    public async Task<IReadOnlyList<string>> ListAsync(NpgsqlConnection connection, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(connection);
        var prefix = target.Database + Separator;
        var names = new List<string>();
        await using var command = new NpgsqlCommand("SELECT datname FROM pg_database WHERE starts_with(datname, @prefix) ORDER BY 1", connection);
        command.Parameters.AddWithValue("prefix", prefix);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            names.Add(reader.GetString(0)[prefix.Length..]);
        }

        return names;
    }

    private async Task CloneAsync(NpgsqlConnection connection, string source, string destination, string owner, CancellationToken cancellationToken)
    {
        try
        {
            await ServerInfo.ExecuteWithoutSessionsAsync(connection, source, CloneSql(source, destination, Sql.Identifier(owner), ServerInfo.MajorVersion(connection)), log, cancellationToken).ConfigureAwait(false);
        }
        catch (PostgresException exception)
        {
            throw DatabaseException.Failed($"Cloning {source} into {destination} failed: {exception.MessageText} ({exception.SqlState}).");
        }
    }

    internal static async Task DropAsync(NpgsqlConnection connection, string database, CancellationToken cancellationToken)
    {
        if (!await ServerInfo.DatabaseExistsAsync(connection, database, cancellationToken).ConfigureAwait(false))
        {
            return;
        }

        // A template cannot be dropped; FORCE ends any session still connected (PostgreSQL 13+).
        foreach (var statement in DropSql(database))
        {
            await DatabaseConnector.ExecuteAsync(connection, statement, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
    }

    private static async Task<string> OwnerAsync(NpgsqlConnection connection, string database, CancellationToken cancellationToken) =>
        await DatabaseConnector.ScalarAsync<string?>(
            connection, "SELECT pg_get_userbyid(datdba)::text FROM pg_database WHERE datname = @name", cancellationToken: cancellationToken, parameters: ("name", database)).ConfigureAwait(false)
        ?? throw DatabaseException.Failed($"Database '{database}' does not exist on {connection.Host}:{connection.Port}.");

    [GeneratedRegex("^[A-Za-z0-9_-]{1,40}$")]
    private static partial Regex NamePattern();
}
