using System.Diagnostics;
using Build.Configuration;
using Cake.Core.Diagnostics;
using Npgsql;

namespace Build.Database;

/// <summary>What Migrate did: the migrations applied and the version the database is at now.</summary>
public sealed record MigrationResult(IReadOnlyList<MigrationFile> Applied, int CurrentVersion);

/// <summary>The history read against the files: what is pending, the version now, and applied versions whose file is gone.</summary>
public sealed record MigrationStatus(IReadOnlyList<MigrationFile> Pending, int CurrentVersion, IReadOnlyList<string> Missing);

/// <summary>
/// Applies pending migrations in version order, each in its own transaction together with its row in the history
/// table (version, file, checksum, time applied), under an advisory lock so two runs never interleave. Checks first,
/// changes after: an applied migration whose file changed stops the run before anything is applied.
/// </summary>
public sealed class MigrationRunner(HistoryTableConfig history, ICakeLog log)
{
    // Any fixed number: the advisory lock only has to be the same for every run of the kit.
    private const long LockKey = 0x6B69745F6D6967; // "kit_mig"

    private string Table => Sql.Qualified(history.Schema, history.Table);

    /// <summary>
    /// Read-only (what a plan asks): the history against <paramref name="migrations"/>. An applied migration whose file
    /// changed is a refusal here already, so a plan never lists migrations a run would refuse.
    /// </summary>
    public async Task<MigrationStatus> StatusAsync(NpgsqlConnection connection, IReadOnlyList<MigrationFile> migrations, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(migrations);
        return Status(await AppliedAsync(connection, cancellationToken).ConfigureAwait(false), migrations);
    }

    /// <summary>
    /// Applies the pending migrations of <paramref name="migrations"/>. <paramref name="planned"/>: the ones the plan
    /// listed (null: whichever are pending). Under the lock the pending ones must be exactly those, else nothing is applied:
    /// a database that would apply others is not the one the plan was made for.
    /// </summary>
    public async Task<MigrationResult> MigrateAsync(NpgsqlConnection connection, IReadOnlyList<MigrationFile> migrations, IReadOnlyList<MigrationFile>? planned, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(migrations);
        await EnsureHistoryTableAsync(connection, cancellationToken).ConfigureAwait(false);
        await DatabaseConnector.ExecuteAsync(connection, $"SELECT pg_advisory_lock({LockKey})", cancellationToken: cancellationToken).ConfigureAwait(false);
        try
        {
            var status = Status(await AppliedAsync(connection, cancellationToken).ConfigureAwait(false), migrations);
            foreach (var missing in status.Missing)
            {
                log.Warning(missing);
            }

            if (planned is not null && !planned.Select(m => m.Version).SequenceEqual(status.Pending.Select(m => m.Version)))
            {
                throw DatabaseException.Failed(
                    $"The plan applies {Names(planned)}, but the database has {Names(status.Pending)} pending now (another run migrated it meanwhile?); nothing was migrated.");
            }

            var done = new List<MigrationFile>();
            foreach (var migration in planned ?? status.Pending)
            {
                await ApplyAsync(connection, migration, cancellationToken).ConfigureAwait(false);
                done.Add(migration);
            }

            return new MigrationResult(done, done.Select(m => m.Version).Append(status.CurrentVersion).Max());
        }
        finally
        {
            if (connection.State == System.Data.ConnectionState.Open)
            {
                await DatabaseConnector.ExecuteAsync(connection, $"SELECT pg_advisory_unlock({LockKey})", cancellationToken: CancellationToken.None).ConfigureAwait(false);
            }
        }
    }

    private static string Names(IReadOnlyList<MigrationFile> migrations) =>
        migrations.Count == 0 ? "none" : string.Join(", ", migrations.Select(m => m.RelativePath));

    private static MigrationStatus Status(IReadOnlyDictionary<int, (string File, string Checksum)> applied, IReadOnlyList<MigrationFile> migrations)
    {
        foreach (var migration in migrations)
        {
            if (applied.TryGetValue(migration.Version, out var recorded) && recorded.Checksum != migration.Checksum)
            {
                throw DatabaseException.Refused(
                    $"{migration.RelativePath} was changed after it was applied (recorded checksum {recorded.Checksum[..12]}, file now {migration.Checksum[..12]}). "
                    + "An applied migration is history: restore the file from git and put the change into a new migration.");
            }
        }

        var missing = applied.Keys.Where(v => migrations.All(m => m.Version != v)).Order()
            .Select(v => $"Migration {v:D4} ({applied[v].File}) is recorded as applied but its file is gone.").ToArray();
        return new MigrationStatus(migrations.Where(m => !applied.ContainsKey(m.Version)).ToArray(), applied.Keys.DefaultIfEmpty(0).Max(), missing);
    }

    /// <summary>Applied versions with the file and checksum recorded; empty when there is no history table yet.</summary>
    public async Task<IReadOnlyDictionary<int, (string File, string Checksum)>> AppliedAsync(NpgsqlConnection connection, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(connection);
        var result = new Dictionary<int, (string, string)>();
        var exists = await DatabaseConnector.ScalarAsync<bool>(
            connection, "SELECT to_regclass(@table) IS NOT NULL", cancellationToken: cancellationToken, parameters: ("table", Table)).ConfigureAwait(false);
        if (!exists)
        {
            return result;
        }

        await using var command = new NpgsqlCommand($"SELECT version, file, checksum FROM {Table} ORDER BY version", connection);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            result[reader.GetInt32(0)] = (reader.GetString(1), reader.GetString(2));
        }

        return result;
    }

    private Task EnsureHistoryTableAsync(NpgsqlConnection connection, CancellationToken cancellationToken) =>
        DatabaseConnector.ExecuteAsync(
            connection,
            $"""
             CREATE SCHEMA IF NOT EXISTS {Sql.Identifier(history.Schema)};
             CREATE TABLE IF NOT EXISTS {Table} (
                 version integer PRIMARY KEY,
                 description text NOT NULL,
                 file text NOT NULL,
                 checksum text NOT NULL,
                 applied_at timestamptz NOT NULL DEFAULT now(),
                 duration_ms integer NOT NULL
             );
             """,
            cancellationToken: cancellationToken);

    private async Task ApplyAsync(NpgsqlConnection connection, MigrationFile migration, CancellationToken cancellationToken)
    {
        log.Information($"Applying {migration.RelativePath}");
        var watch = Stopwatch.StartNew();
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await DatabaseConnector.ExecuteAsync(connection, migration.Sql, transaction, cancellationToken).ConfigureAwait(false);
        }
        catch (PostgresException exception)
        {
            await transaction.RollbackAsync(CancellationToken.None).ConfigureAwait(false);
            throw DatabaseException.Failed(
                $"{migration.RelativePath} failed: {exception.MessageText} ({exception.SqlState}). It was rolled back; the migrations before it stay applied.");
        }

        await DatabaseConnector.ExecuteAsync(
            connection,
            $"INSERT INTO {Table} (version, description, file, checksum, duration_ms) VALUES (@version, @description, @file, @checksum, @duration)",
            transaction,
            cancellationToken,
            ("version", migration.Version),
            ("description", migration.Description),
            ("file", migration.RelativePath),
            ("checksum", migration.Checksum),
            ("duration", (int)watch.ElapsedMilliseconds)).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }
}
