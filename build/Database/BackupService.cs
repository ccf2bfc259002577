using System.Diagnostics;
using Build.Configuration;
using Build.Tools;
using Build.Tools.Postgres;
using Cake.Core.Diagnostics;
using Npgsql;

namespace Build.Database;

/// <summary>
/// Backup, verify and restore of one target. A backup is written to <c>.tmp-&lt;stamp&gt;/</c> and renamed to
/// <c>&lt;stamp&gt;/</c> only after the dump is complete and its manifest and SHA256SUMS are on disk, so a failed or
/// killed backup never looks complete; retention runs only after that rename, and only among the backups of the same
/// database and server (<see cref="BackupKey"/>). Row counts are read in the transaction whose exported snapshot
/// pg_dump dumps, so the manifest describes exactly the dump.
/// </summary>
public sealed class BackupService(DatabaseTarget target, IPostgresClientHost client, BackupConfig config, string root, ICakeLog log)
{
    /// <summary>Leftovers of killed backups younger than this may still be running in another process: left alone.</summary>
    public static readonly TimeSpan StaleTemporaryAge = TimeSpan.FromHours(1);

    public BackupStore Store { get; } = new(Path.Combine(Path.GetFullPath(config.Folder, root), target.EnvironmentName));

    /// <summary>The database and server this service's backups belong to.</summary>
    public BackupKey Key { get; } = BackupKey.Of(target);

    /// <summary>The backup as data: what a dry run prints and <see cref="BackupAsync(BackupPlan, IReadOnlySet{string}?, CancellationToken)"/> runs.</summary>
    public BackupPlan Plan(bool verify = false)
    {
        var temporary = Path.Combine(Store.Folder, BackupStore.TemporaryPrefix + BackupPlan.StampPlaceholder);
        return new BackupPlan
        {
            Target = target.Describe(),
            Database = target.Database,
            Folder = Path.GetRelativePath(root, Store.Folder).Replace('\\', '/'),
            Key = Key.Describe(),
            Client = client.Description,
            Dump = client.DumpCommand(DumpRequestFor(temporary, BackupPlan.SnapshotPlaceholder)),
            KeepLast = config.Retention.KeepLast,
            KeepDailyForDays = config.Retention.KeepDailyForDays,
            Verify = verify
                ? client.RestoreCommand(new RestoreRequest($"<{VerifyScratch.Prefix}scratch>", Path.Combine(Store.Folder, BackupPlan.StampPlaceholder, BackupPlan.DumpFile), Clean: false))
                : null,
        };
    }

    // One request for the plan and the run: the plan's placeholders are the run's values.
    private DumpRequest DumpRequestFor(string folder, string snapshot) => new(target.Database, Path.Combine(folder, BackupPlan.DumpFile), snapshot);

    public Task<BackupEntry> BackupAsync(IReadOnlySet<string>? protectedNames = null, CancellationToken cancellationToken = default) =>
        BackupAsync(Plan(), protectedNames, cancellationToken);

    /// <summary>Runs <paramref name="plan"/>: its dump command with the stamp and snapshot bound, its retention.</summary>
    public async Task<BackupEntry> BackupAsync(BackupPlan plan, IReadOnlySet<string>? protectedNames = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(plan);
        var watch = Stopwatch.StartNew();
        EnsureWritable("Backup");
        await using var connection = await DatabaseConnector.OpenAsync(target, cancellationToken: cancellationToken).ConfigureAwait(false);
        foreach (var line in await VerifyScratch.RemoveLeftoversAsync(connection, cancellationToken).ConfigureAwait(false))
        {
            log.Information(line);
        }

        var (serverVersion, serverVersionNumber) = await ServerInfo.VersionAsync(connection, cancellationToken).ConfigureAwait(false);
        if (await client.DumpIncompatibilityAsync(serverVersionNumber / 10000, cancellationToken).ConfigureAwait(false) is { } problem)
        {
            // Refused before anything is written: the kit's step, not the tool's failure (exit code 2).
            throw DatabaseException.Refused(problem);
        }
        var clientVersion = await client.ClientVersionAsync(cancellationToken).ConfigureAwait(false);

        var now = DateTime.UtcNow;
        var name = BackupStore.Stamp(now);
        for (var n = 2; Directory.Exists(Path.Combine(Store.Folder, name)) || Directory.Exists(Path.Combine(Store.Folder, BackupStore.TemporaryPrefix + name)); n++)
        {
            name = $"{BackupStore.Stamp(now)}_{n}";
        }

        var temporary = Path.Combine(Store.Folder, BackupStore.TemporaryPrefix + name);
        var final = Path.Combine(Store.Folder, name);
        const string dumpFile = BackupPlan.DumpFile;
        CreateFolder(temporary, "Backup");
        log.Information($"Backing up {target.Describe()} with {client.Description} into {Path.GetRelativePath(root, final)}");
        try
        {
            SortedDictionary<string, long> rows;
            await using (var transaction = await connection.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, cancellationToken).ConfigureAwait(false))
            {
                // The snapshot is fixed by this first statement; counting after the dump, in the same transaction, sees
                // exactly what pg_dump saw, without holding locks of our own while it runs.
                var snapshot = await DatabaseConnector.ScalarAsync<string>(connection, "SELECT pg_export_snapshot()", transaction, cancellationToken).ConfigureAwait(false);
                await client.DumpAsync(DumpRequestFor(temporary, snapshot), cancellationToken).ConfigureAwait(false);
                rows = await ServerInfo.RowCountsAsync(connection, transaction, cancellationToken).ConfigureAwait(false);
                await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            }

            var (sha256, size) = BackupManifest.Hash(Path.Combine(temporary, dumpFile));
            var manifest = new BackupManifest
            {
                Environment = target.EnvironmentName,
                Database = target.Database,
                Server = Key.Server,
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
            BackupChecksums.Write(temporary, dumpFile, BackupManifest.FileName);
            Directory.Move(temporary, final);
            var entry = new BackupEntry(name, final, now, manifest);
            ApplyRetention(entry, protectedNames ?? new HashSet<string>(), plan.KeepLast, plan.KeepDailyForDays);
            return entry;
        }
        catch (Exception exception) when (exception is ToolFailedException or IOException or NpgsqlException or UnauthorizedAccessException)
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
        var scratch = VerifyScratch.NewName();
        // This connection names the scratch database from before it exists until after it is dropped, so a backup
        // running meanwhile in another process never takes it for the leftover of a killed verify.
        await using var admin = await DatabaseConnector.OpenAsync(target, maintenanceDatabase, cancellationToken, VerifyScratch.ApplicationName(scratch)).ConfigureAwait(false);
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
            throw DatabaseException.Failed($"Verify of {entry.Name} failed: pg_restore could not restore it ({PostgresClientError.Cause(failure)}).");
        }
        finally
        {
            await SnapshotService.DropAsync(admin, scratch, CancellationToken.None).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Replaces the target's contents with the backup in one transaction. Everything that can refuse runs first,
    /// before the target is touched: pg_restore's version, its reading of the archive's table of contents (which must
    /// name the manifest's database and tables) and of the whole archive into a script. Only then the pre-restore
    /// backup, the end of other sessions, and the script: the application's schemas dropped (so objects created after
    /// the backup go too), every object of the dump dropped if it exists and recreated (pg_restore --clean
    /// --if-exists), and last, still inside the transaction, the row counts compared with the manifest. psql runs it
    /// with --single-transaction and ON_ERROR_STOP: either the database is the backup afterwards, or it is as it was.
    /// The caller has checked the backup's integrity (<see cref="BackupStore.CheckIntegrity"/>) and the guard.
    /// </summary>
    /// <returns>The pre-restore backup, when one was taken.</returns>
    public async Task<BackupEntry?> RestoreAsync(BackupEntry entry, IReadOnlyList<string> applicationSchemas, DatabasePlan plan, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entry);
        ArgumentNullException.ThrowIfNull(applicationSchemas);
        ArgumentNullException.ThrowIfNull(plan);
        var backUpFirst = plan.Steps.OfType<BackupStep>().FirstOrDefault()?.Plan;
        EnsureWritable("Restore");
        await EnsureCanReadAsync(entry, cancellationToken).ConfigureAwait(false);
        await CheckArchiveAsync(entry, cancellationToken).ConfigureAwait(false);
        var work = Path.Combine(Store.Folder, $"{BackupStore.TemporaryPrefix}restore-{BackupStore.Stamp(DateTime.UtcNow)}-{Guid.NewGuid():N}"[..60]);
        CreateFolder(work, "Restore");
        try
        {
            var script = await WriteRestoreScriptAsync(entry, applicationSchemas, work, cancellationToken).ConfigureAwait(false);
            BackupEntry? before = null;
            if (backUpFirst is not null)
            {
                before = await BackupAsync(backUpFirst, new HashSet<string> { entry.Name }, cancellationToken).ConfigureAwait(false);
                log.Information($"Pre-restore backup: {Path.GetRelativePath(root, before.Folder)}");
            }

            await ReplaceAsync(entry, script, cancellationToken).ConfigureAwait(false);
            return before;
        }
        finally
        {
            TryDelete(work);
        }
    }

    /// <summary>Stands for the restore's own scratch folder, named when it runs.</summary>
    public const string RestoreWorkPlaceholder = "<run>";

    /// <summary>
    /// The restore as data, in the order <see cref="RestoreAsync"/> runs it: every check before the target is touched,
    /// then the pre-restore backup, the end of other sessions and the one-transaction script.
    /// </summary>
    public DatabasePlan PlanRestore(BackupEntry entry, IReadOnlyList<string> applicationSchemas, bool backUpFirst)
    {
        ArgumentNullException.ThrowIfNull(entry);
        ArgumentNullException.ThrowIfNull(applicationSchemas);
        var work = Path.Combine(Store.Folder, $"{BackupStore.TemporaryPrefix}restore-{RestoreWorkPlaceholder}");
        var manifest = entry.Manifest;
        var drops = string.Join(" ", applicationSchemas.Select(schema => $"DROP SCHEMA IF EXISTS {Sql.Identifier(schema)} CASCADE;"));
        var steps = new List<DatabaseStep>
        {
            new CheckStep($"{client.Description} reads an archive of {manifest.ClientVersion ?? "<pg_dump version not recorded>"} (its own version read at run time)"),
            new ToolStep(client.ListCommand(entry.DumpPath), $"the table of contents must name database '{manifest.Database}' and the manifest's {manifest.Tables.Count} table(s)"),
            new ToolStep(
                client.RestoreScriptCommand(entry.DumpPath, Path.Combine(work, "restore.sql")),
                $"the whole archive as one script, read before anything changes; written to {Path.GetRelativePath(root, Path.Combine(work, "restore-clean.sql"))} between '{drops}' and the manifest's row-count check"),
        };
        if (backUpFirst)
        {
            steps.Add(new BackupStep(Plan(), "Pre-restore backup"));
        }

        steps.Add(ServerInfo.TerminateOtherSessionsStep(target.Database, target.Database));
        steps.Add(new ToolStep(
            client.RunScriptCommand(target.Database, Path.Combine(work, "restore-clean.sql")),
            "one transaction that stops at the first error; the row counts are compared with the manifest inside it, so a difference rolls everything back"));
        return new DatabasePlan
        {
            Title = $"Restore {Path.GetRelativePath(root, entry.Folder)} (database '{manifest.Database}', {manifest.TotalRows:N0} rows in {manifest.Tables.Count} tables) into {target.Describe()}:",
            Steps = steps,
        };
    }

    /// <summary>pg_restore --list: the archive is readable by this client and is the dump the manifest describes.</summary>
    private async Task CheckArchiveAsync(BackupEntry entry, CancellationToken cancellationToken)
    {
        string contents;
        try
        {
            contents = await client.ListAsync(entry.DumpPath, cancellationToken).ConfigureAwait(false);
        }
        catch (ToolFailedException failure)
        {
            throw DatabaseException.Refused($"Refused: pg_restore cannot read {Path.GetRelativePath(root, entry.DumpPath)} ({PostgresClientError.Cause(failure)}). Nothing was restored; pick another backup (--target=BackupList).");
        }

        if (ArchiveContents.Problem(contents, entry.Manifest) is { } problem)
        {
            throw DatabaseException.Refused($"Refused: {Path.GetRelativePath(root, entry.DumpPath)} is not the dump its manifest describes: {problem}. Nothing was restored; pick another backup (--target=BackupList).");
        }
    }

    /// <summary>The whole archive as one script: read completely before the target is touched, so a damaged archive stops here.</summary>
    private async Task<string> WriteRestoreScriptAsync(BackupEntry entry, IReadOnlyList<string> applicationSchemas, string work, CancellationToken cancellationToken)
    {
        var script = Path.Combine(work, "restore.sql");
        var combined = Path.Combine(work, "restore-clean.sql");
        try
        {
            await client.WriteRestoreScriptAsync(entry.DumpPath, script, cancellationToken).ConfigureAwait(false);
            await using (var output = new FileStream(combined, FileMode.CreateNew, FileAccess.Write))
            {
                var utf8 = new System.Text.UTF8Encoding(false);
                await using (var prelude = new StreamWriter(output, utf8, leaveOpen: true))
                {
                    await prelude.WriteLineAsync("-- Written by the kit's Restore: the application's schemas go first, so nothing created after the backup survives.").ConfigureAwait(false);
                    foreach (var schema in applicationSchemas)
                    {
                        await prelude.WriteLineAsync($"DROP SCHEMA IF EXISTS {Sql.Identifier(schema)} CASCADE;").ConfigureAwait(false);
                    }
                }

                await using (var source = new FileStream(script, FileMode.Open, FileAccess.Read))
                {
                    await source.CopyToAsync(output, cancellationToken).ConfigureAwait(false);
                }

                await using var check = new StreamWriter(output, utf8, leaveOpen: true);
                await check.WriteLineAsync().ConfigureAwait(false);
                await check.WriteLineAsync(ServerInfo.RowCountCheckSql(entry.Manifest.Tables)).ConfigureAwait(false);
            }

            File.Delete(script);
            return combined;
        }
        catch (ToolFailedException failure)
        {
            throw DatabaseException.Failed($"Restore of {entry.Name} stopped before touching the database: pg_restore could not read the archive ({PostgresClientError.Cause(failure)}).");
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            throw DatabaseException.Failed($"Restore of {entry.Name} stopped before touching the database: {exception.Message}");
        }
    }

    private async Task ReplaceAsync(BackupEntry entry, string script, CancellationToken cancellationToken)
    {
        var asItWas = $"the restore ran in one transaction, so it was rolled back and {target.Database} is as it was before";
        try
        {
            await using (var connection = await DatabaseConnector.OpenAsync(target, cancellationToken: cancellationToken).ConfigureAwait(false))
            {
                var ended = await ServerInfo.TerminateOtherSessionsAsync(connection, target.Database, cancellationToken).ConfigureAwait(false);
                if (ended > 0)
                {
                    log.Information($"Ended {ended} other session(s) on {target.Database}");
                }
            }

            await client.RunScriptAsync(target.Database, script, cancellationToken).ConfigureAwait(false);
        }
        catch (ToolFailedException failure) when (PostgresClientError.IsConnectionLost(failure))
        {
            throw DatabaseException.Failed(
                $"Restore of {entry.Name} was interrupted: the server ended the connection ({PostgresClientError.Cause(failure)}: the session was ended by an administrator, or the server shut down); "
                + $"{asItWas}. Run the Restore again once the server accepts connections.");
        }
        catch (ToolFailedException failure) when (PostgresClientError.Cause(failure) is var cause && cause.StartsWith(ServerInfo.RowCountCheckMarker, StringComparison.Ordinal))
        {
            throw DatabaseException.Failed(
                $"Restore of {entry.Name} was rolled back, {target.Database} is as it was: the restored row counts differ from the manifest ({cause[ServerInfo.RowCountCheckMarker.Length..].Trim()}).");
        }
        catch (ToolFailedException failure)
        {
            throw DatabaseException.Failed($"Restore of {entry.Name} failed and was rolled back, {target.Database} is as it was: {PostgresClientError.Cause(failure)}");
        }
        catch (NpgsqlException exception) when (DatabaseConnector.IsTerminated(exception))
        {
            throw DatabaseException.Failed(
                $"Restore of {entry.Name} was interrupted before it started: the server ended the connection ({DatabaseConnector.Reason(exception)}); nothing was changed. "
                + "Run the Restore again once the server accepts connections.");
        }
        catch (NpgsqlException exception)
        {
            throw DatabaseException.Failed($"Restore of {entry.Name} stopped before it started, nothing was changed: {DatabaseConnector.Reason(exception)}");
        }
    }

    private void ApplyRetention(BackupEntry newest, IReadOnlySet<string> protectedNames, int keepLast, int keepDailyForDays)
    {
        // Only this database's backups compete for its places: another database's backups in the same folder are never counted or deleted.
        var complete = Store.ListFor(Key);
        var doomed = RetentionPolicy.SelectForDeletion(
            complete.Select(b => (b.Name, b.TakenAtUtc)).ToArray(), keepLast, keepDailyForDays, newest.TakenAtUtc);
        foreach (var name in doomed.Where(n => n != newest.Name && !protectedNames.Contains(n)))
        {
            log.Information($"Retention: deleting backup {name} of {Key.Describe()} (keep the last {keepLast} and one a day for {keepDailyForDays} days)");
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
            ToolFailedException failure => PostgresClientError.Cause(failure),
            NpgsqlException npgsql => DatabaseConnector.Reason(npgsql),
            _ => exception.Message,
        };
        if (detail.Contains("No space left on device", StringComparison.OrdinalIgnoreCase) || exception is IOException { HResult: 28 or -2147024784 })
        {
            return $"Backup failed: no space left on device in {where}. The partial backup was removed; earlier backups are untouched. Free space or set backup.folder in config/database.json.";
        }

        if (IsReadOnly(exception))
        {
            return ReadOnlyLine("Backup", where, exception);
        }

        // pg_dump reads every table as the connecting user: a table it may not read stops the whole dump.
        var fix = exception is ToolFailedException && (detail.Contains("permission denied", StringComparison.Ordinal) || detail.Contains("row-level security", StringComparison.Ordinal))
            ? $" Back up as a user that can read every table (the owner of the database or a superuser), not '{target.Username}'."
            : string.Empty;
        // The only tool inside the backup's try is pg_dump (on the host, or inside the container through compose).
        var tool = exception is ToolFailedException ? "pg_dump: " : string.Empty;
        return $"Backup failed ({tool}{detail}). The partial backup was removed; earlier backups are untouched.{fix}";
    }

    /// <summary>
    /// Before connecting to anything: the backups folder exists and takes a new folder (a read-only mount or a folder
    /// of another user says so here in one line, instead of after a dump).
    /// </summary>
    private void EnsureWritable(string action)
    {
        CreateFolder(Store.Folder, action);
        var probe = Path.Combine(Store.Folder, $"{BackupStore.TemporaryPrefix}write-check-{Guid.NewGuid():N}");
        CreateFolder(probe, action);
        TryDelete(probe);
    }

    /// <summary>Creates a folder of the backups tree, or stops with one line when the folder may not be written.</summary>
    private void CreateFolder(string folder, string action)
    {
        try
        {
            Directory.CreateDirectory(folder);
        }
        catch (Exception exception) when (IsReadOnly(exception))
        {
            throw DatabaseException.Failed(ReadOnlyLine(action, Path.GetRelativePath(root, Store.Folder), exception));
        }
    }

    private static bool IsReadOnly(Exception exception) =>
        exception is UnauthorizedAccessException
        || (exception is IOException io && (io.HResult is 30 or 13 || io.Message.Contains("Read-only file system", StringComparison.OrdinalIgnoreCase)));

    private static string ReadOnlyLine(string action, string where, Exception exception)
    {
        var why = exception is IOException && exception.Message.Contains("Read-only", StringComparison.OrdinalIgnoreCase) ? "read-only file system" : "permission denied";
        return $"{action} failed: cannot write to {where} ({why}); nothing was changed. Make the folder writable by this user, or set backup.folder in config/database.json.";
    }

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
