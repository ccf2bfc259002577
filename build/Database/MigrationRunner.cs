using System.Diagnostics;
using Build.Configuration;
using Cake.Core.Diagnostics;
using Npgsql;

namespace Build.Database;

/// <summary>What Migrate did (or, in a dry run, would do).</summary>
public sealed record MigrationResult(IReadOnlyList<MigrationFile> Applied, IReadOnlyList<MigrationFile> Pending, int CurrentVersion);

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

    public async Task<MigrationResult> MigrateAsync(NpgsqlConnection connection, IReadOnlyList<MigrationFile> migrations, bool dryRun, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(migrations);
        if (!dryRun)
        {
            await EnsureHistoryTableAsync(connection, cancellationToken).ConfigureAwait(false);
            await DatabaseConnector.ExecuteAsync(connection, $"SELECT pg_advisory_lock({LockKey})", cancellationToken: cancellationToken).ConfigureAwait(false);
        }

        try
        {
            var applied = await AppliedAsync(connection, cancellationToken).ConfigureAwait(false);
            foreach (var migration in migrations)
            {
                if (applied.TryGetValue(migration.Version, out var recorded) && recorded.Checksum != migration.Checksum)
                {
                    throw DatabaseException.Refused(
                        $"{migration.RelativePath} was changed after it was applied (recorded checksum {recorded.Checksum[..12]}, file now {migration.Checksum[..12]}). "
                        + "An applied migration is history: restore the file from git and put the change into a new migration.");
                }
            }

            foreach (var orphan in applied.Keys.Where(v => migrations.All(m => m.Version != v)).Order())
            {
                log.Warning($"Migration {orphan:D4} ({applied[orphan].File}) is recorded as applied but its file is gone.");
            }

            var pending = migrations.Where(m => !applied.ContainsKey(m.Version)).ToArray();
            var done = new List<MigrationFile>();
            if (!dryRun)
            {
                foreach (var migration in pending)
                {
                    await ApplyAsync(connection, migration, cancellationToken).ConfigureAwait(false);
                    done.Add(migration);
                }
            }

            var current = applied.Keys.Concat(done.Select(m => m.Version)).DefaultIfEmpty(0).Max();
            return new MigrationResult(done, dryRun ? pending : [], current);
        }
        finally
        {
            if (!dryRun && connection.State == System.Data.ConnectionState.Open)
            {
                await DatabaseConnector.ExecuteAsync(connection, $"SELECT pg_advisory_unlock({LockKey})", cancellationToken: CancellationToken.None).ConfigureAwait(false);
            }
        }
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
