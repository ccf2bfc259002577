using System.Diagnostics;
using Build.Configuration;
using Build.Tools;
using Build.Tools.Postgres;
using Cake.Core.Diagnostics;
using Npgsql;

namespace Build.Database;

/// <summary>
/// Backup, verify and restore of one target. A backup is written to <c>.tmp-&lt;stamp&gt;/</c> and renamed to
/// <c>&lt;stamp&gt;/</c> only after the dump is complete and its manifest is on disk, so a failed or killed backup never
/// looks complete; retention runs only after that rename. Row counts are read in the transaction whose exported
/// snapshot pg_dump dumps, so the manifest describes exactly the dump.
/// </summary>
public sealed class BackupService(DatabaseTarget target, IPostgresClientHost client, BackupConfig config, string root, ICakeLog log)
{
    /// <summary>Leftovers of killed backups younger than this may still be running in another process: left alone.</summary>
    public static readonly TimeSpan StaleTemporaryAge = TimeSpan.FromHours(1);

    public BackupStore Store { get; } = new(Path.Combine(Path.GetFullPath(config.Folder, root), target.EnvironmentName));

    public async Task<BackupEntry> BackupAsync(IReadOnlySet<string>? protectedNames = null, CancellationToken cancellationToken = default)
    {
        var watch = Stopwatch.StartNew();
        Directory.CreateDirectory(Store.Folder);
        await using var connection = await DatabaseConnector.OpenAsync(target, cancellationToken: cancellationToken).ConfigureAwait(false);
        var (serverVersion, serverVersionNumber) = await ServerInfo.VersionAsync(connection, cancellationToken).ConfigureAwait(false);
        await client.EnsureCanDumpAsync(serverVersionNumber / 10000, cancellationToken).ConfigureAwait(false);
        var clientVersion = await client.ClientVersionAsync(cancellationToken).ConfigureAwait(false);

        var now = DateTime.UtcNow;
        var name = BackupStore.Stamp(now);
        for (var n = 2; Directory.Exists(Path.Combine(Store.Folder, name)) || Directory.Exists(Path.Combine(Store.Folder, BackupStore.TemporaryPrefix + name)); n++)
        {
            name = $"{BackupStore.Stamp(now)}_{n}";
        }

        var temporary = Path.Combine(Store.Folder, BackupStore.TemporaryPrefix + name);
        var final = Path.Combine(Store.Folder, name);
        const string dumpFile = "database.dump";
        Directory.CreateDirectory(temporary);
        log.Information($"Backing up {target.Describe()} with {client.Description} into {Path.GetRelativePath(root, final)}");
        try
        {
            SortedDictionary<string, long> rows;
            await using (var transaction = await connection.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, cancellationToken).ConfigureAwait(false))
            {
                // The snapshot is fixed by this first statement; counting after the dump, in the same transaction, sees
                // exactly what pg_dump saw, without holding locks of our own while it runs.
                var snapshot = await DatabaseConnector.ScalarAsync<string>(connection, "SELECT pg_export_snapshot()", transaction, cancellationToken).ConfigureAwait(false);
                await client.DumpAsync(new DumpRequest(target.Database, Path.Combine(temporary, dumpFile), snapshot), cancellationToken).ConfigureAwait(false);
                rows = await ServerInfo.RowCountsAsync(connection, transaction, cancellationToken).ConfigureAwait(false);
                await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            }

            var (sha256, size) = BackupManifest.Hash(Path.Combine(temporary, dumpFile));
            var manifest = new BackupManifest
            {
                Environment = target.EnvironmentName,
                Database = target.Database,
                CreatedAt = new DateTimeOffset(now),
                DumpFile = dumpFile,
                Sha256 = sha256,
                SizeBytes = size,
                ServerVersion = serverVersion,
                ServerVersionNumber = serverVersionNumber,
                ClientVersion = clientVersion,
                DumpedBy = client.Description,
                DurationSeconds = Math.Round(watch.Elapsed.TotalSeconds, 3),
                Tables = rows,
            };
            manifest.WriteTo(temporary);
            Directory.Move(temporary, final);
            var entry = new BackupEntry(name, final, now, manifest);
            ApplyRetention(entry, protectedNames ?? new HashSet<string>());
            return entry;
        }
        catch (Exception exception) when (exception is ToolFailedException or IOException or NpgsqlException)
        {
            TryDelete(temporary);
            throw DatabaseException.Failed(FailureLine(exception));
        }
        catch
        {
            TryDelete(temporary);
            throw;
        }
    }

    /// <summary>Refuses, before anything is touched, a backup this client's pg_restore cannot read.</summary>
    private async Task EnsureCanReadAsync(BackupEntry entry, CancellationToken cancellationToken)
    {
        var made = entry.Manifest.ClientVersion is { } written ? PgDumpTool.ParseMajorVersion(written) : null;
        var ours = PgDumpTool.ParseMajorVersion(await client.ClientVersionAsync(cancellationToken).ConfigureAwait(false));
        if (made is { } dumpMajor && ours is { } clientMajor && PgDumpTool.ReadIncompatibility(entry.Name, dumpMajor, client.Description, clientMajor) is { } problem)
        {
            throw DatabaseException.Refused(problem);
        }
    }

    /// <summary>Restores the backup into a scratch database, compares row counts with the manifest and drops it.</summary>
    public async Task VerifyAsync(BackupEntry entry, string maintenanceDatabase, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entry);
        await EnsureCanReadAsync(entry, cancellationToken).ConfigureAwait(false);
        var scratch = $"kit_verify_{Guid.NewGuid():N}"[..30];
        await using var admin = await DatabaseConnector.OpenAsync(target, maintenanceDatabase, cancellationToken).ConfigureAwait(false);
        await DatabaseConnector.ExecuteAsync(admin, $"CREATE DATABASE {Sql.Identifier(scratch)} TEMPLATE template0", cancellationToken: cancellationToken).ConfigureAwait(false);
        try
        {
            log.Information($"Verifying: restoring {entry.Name} into scratch database {scratch}");
            await client.RestoreAsync(new RestoreRequest(scratch, entry.DumpPath, Clean: false), cancellationToken).ConfigureAwait(false);
            await using var restored = await DatabaseConnector.OpenAsync(target, scratch, cancellationToken).ConfigureAwait(false);
            var differences = ServerInfo.CompareRowCounts(entry.Manifest.Tables, await ServerInfo.RowCountsAsync(restored, cancellationToken: cancellationToken).ConfigureAwait(false));
            if (differences.Count > 0)
            {
                throw DatabaseException.Failed($"Verify of {entry.Name} failed: {string.Join("; ", differences.Take(5))}.");
            }
        }
        catch (ToolFailedException failure)
        {
            throw DatabaseException.Failed($"Verify of {entry.Name} failed: pg_restore could not restore it ({LastLine(failure)}).");
        }
        finally
        {
            await SnapshotService.DropAsync(admin, scratch, CancellationToken.None).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Replaces the target's contents with the backup in one transaction: the application's schemas are dropped
    /// (so objects created after the backup go too), then every object of the dump is dropped if it exists and
    /// recreated (pg_restore --clean --if-exists, run by psql --single-transaction with ON_ERROR_STOP). Either the
    /// database is the backup afterwards, or it is as it was. Row counts are then checked against the manifest.
    /// </summary>
    public async Task RestoreAsync(BackupEntry entry, IReadOnlyList<string> applicationSchemas, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entry);
        ArgumentNullException.ThrowIfNull(applicationSchemas);
        await EnsureCanReadAsync(entry, cancellationToken).ConfigureAwait(false);
        var work = Path.Combine(Store.Folder, $"{BackupStore.TemporaryPrefix}restore-{BackupStore.Stamp(DateTime.UtcNow)}-{Guid.NewGuid():N}"[..60]);
        Directory.CreateDirectory(work);
        try
        {
            var script = Path.Combine(work, "restore.sql");
            var combined = Path.Combine(work, "restore-clean.sql");
            await client.WriteRestoreScriptAsync(entry.DumpPath, script, cancellationToken).ConfigureAwait(false);
            await using (var output = new FileStream(combined, FileMode.CreateNew, FileAccess.Write))
            {
                await using (var prelude = new StreamWriter(output, new System.Text.UTF8Encoding(false), leaveOpen: true))
                {
                    await prelude.WriteLineAsync("-- Written by the kit's Restore: the application's schemas go first, so nothing created after the backup survives.").ConfigureAwait(false);
                    foreach (var schema in applicationSchemas)
                    {
                        await prelude.WriteLineAsync($"DROP SCHEMA IF EXISTS {Sql.Identifier(schema)} CASCADE;").ConfigureAwait(false);
                    }
                }

                await using var source = new FileStream(script, FileMode.Open, FileAccess.Read);
                await source.CopyToAsync(output, cancellationToken).ConfigureAwait(false);
            }

            File.Delete(script);
            await using (var connection = await DatabaseConnector.OpenAsync(target, cancellationToken: cancellationToken).ConfigureAwait(false))
            {
                var ended = await ServerInfo.TerminateOtherSessionsAsync(connection, target.Database, cancellationToken).ConfigureAwait(false);
                if (ended > 0)
                {
                    log.Information($"Ended {ended} other session(s) on {target.Database}");
                }
            }

            await client.RunScriptAsync(target.Database, combined, cancellationToken).ConfigureAwait(false);
        }
        catch (ToolFailedException failure)
        {
            throw DatabaseException.Failed($"Restore of {entry.Name} failed and was rolled back, the database is as it was: {LastLine(failure)}");
        }
        catch (IOException exception)
        {
            throw DatabaseException.Failed($"Restore of {entry.Name} failed before touching the database: {exception.Message}");
        }
        finally
        {
            TryDelete(work);
        }

        await using var check = await DatabaseConnector.OpenAsync(target, cancellationToken: cancellationToken).ConfigureAwait(false);
        var differences = ServerInfo.CompareRowCounts(entry.Manifest.Tables, await ServerInfo.RowCountsAsync(check, cancellationToken: cancellationToken).ConfigureAwait(false));
        if (differences.Count > 0)
        {
            throw DatabaseException.Failed($"Restored {entry.Name}, but the row counts differ from its manifest: {string.Join("; ", differences.Take(5))}.");
        }
    }

    private void ApplyRetention(BackupEntry newest, IReadOnlySet<string> protectedNames)
    {
        var complete = Store.List();
        var doomed = RetentionPolicy.SelectForDeletion(
            complete.Select(b => (b.Name, b.TakenAtUtc)).ToArray(), config.Retention.KeepLast, config.Retention.KeepDailyForDays, newest.TakenAtUtc);
        foreach (var name in doomed.Where(n => n != newest.Name && !protectedNames.Contains(n)))
        {
            log.Information($"Retention: deleting backup {name} (keep the last {config.Retention.KeepLast} and one a day for {config.Retention.KeepDailyForDays} days)");
            Directory.Delete(Path.Combine(Store.Folder, name), recursive: true);
        }

        foreach (var stale in Store.Incomplete().Where(d => DateTime.UtcNow - Directory.GetLastWriteTimeUtc(d) > StaleTemporaryAge))
        {
            log.Information($"Removing the leftover of an unfinished backup: {Path.GetFileName(stale)}");
            TryDelete(stale);
        }
    }

    private string FailureLine(Exception exception)
    {
        var where = Path.GetRelativePath(root, Store.Folder);
        var detail = exception switch
        {
            ToolFailedException tool => LastLine(tool),
            NpgsqlException npgsql => DatabaseConnector.Reason(npgsql),
            _ => exception.Message,
        };
        return detail.Contains("No space left on device", StringComparison.OrdinalIgnoreCase) || exception is IOException { HResult: 28 or -2147024784 }
            ? $"Backup failed: no space left on device in {where}. The partial backup was removed; earlier backups are untouched. Free space or set backup.folder in config/database.json."
            : $"Backup failed ({detail}). The partial backup was removed; earlier backups are untouched.";
    }

    private static string LastLine(ToolFailedException failure) =>
        failure.ErrorTail.LastOrDefault(l => !string.IsNullOrWhiteSpace(l))?.Trim().TrimStart('|').Trim() ?? $"{failure.Tool} exit code {failure.ToolExitCode}";

    private static void TryDelete(string folder)
    {
        try
        {
            if (Directory.Exists(folder))
            {
                Directory.Delete(folder, recursive: true);
            }
        }
        catch (IOException)
        {
            // Left behind as .tmp-*: never listed as a backup, removed by a later backup once stale.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
