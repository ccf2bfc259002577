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
    private DumpRequest DumpRequestFor(string folder, string snapshot) => new(target.Database, Path.Combine(folder, BackupPlan.DumpFile), snapshot, config.CompressionLevel);

    public Task<BackupEntry> BackupAsync(IReadOnlySet<string>? protectedNames = null, CancellationToken cancellationToken = default) =>
        BackupAsync(Plan(), protectedNames, cancellationToken);

    /// <summary>Runs <paramref name="plan"/>: its dump command with the stamp and snapshot bound, its retention.</summary>
    public async Task<BackupEntry> BackupAsync(BackupPlan plan, IReadOnlySet<string>? protectedNames = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(plan);
        var watch = Stopwatch.StartNew();
        // The connection opens on another thread while this one starts pg_dump --version (a process, on the host) and
        // checks the folder: each is mostly first-run code, and two cores take them side by side. A folder that cannot
        // be written is still the one line said (the connection is then closed unused). Inside a compose service
        // --version waits for the connection: a stopped stack is said in one line, before any command runs.
        // Names, text, integers and booleans only (the leftovers, the version, the snapshot, the row counts): the lean
        // connection, which starts without loading the database's types.
        var opening = Task.Run(() => DatabaseConnector.OpenLeanAsync(target, cancellationToken: cancellationToken), cancellationToken);
        var clientVersionTask = client is LocalClientHost ? client.ClientVersionAsync(cancellationToken) : null;
        try
        {
            EnsureWritable("Backup");
        }
        catch
        {
            await DatabaseConnector.CloseUnusedAsync(opening).ConfigureAwait(false);
            throw;
        }

        await using var connection = await opening.ConfigureAwait(false);
        foreach (var line in await VerifyScratch.RemoveLeftoversAsync(connection, cancellationToken).ConfigureAwait(false))
        {
            log.Information(line);
        }

        var (serverVersion, serverVersionNumber) = ServerInfo.Version(connection);
        if (await client.DumpIncompatibilityAsync(serverVersionNumber / 10000, cancellationToken).ConfigureAwait(false) is { } problem)
        {
            // Refused before anything is written: the kit's step, not the tool's failure (exit code 2).
            throw DatabaseException.Refused(problem);
        }
        var clientVersion = await (clientVersionTask ?? client.ClientVersionAsync(cancellationToken)).ConfigureAwait(false);

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
            OutputFileDigest? digest;
            await using (var transaction = await connection.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, cancellationToken).ConfigureAwait(false))
            {
                // The snapshot is fixed by this first statement. pg_dump dumps it while this connection counts the rows
                // in it, at the same time: the counts are exact for the dump, and nothing waits for the dump to end
                // before it starts (on a server of several cores the count finishes long before the compression does).
                var snapshot = await DatabaseConnector.ScalarAsync<string>(connection, "SELECT pg_export_snapshot()", transaction, cancellationToken).ConfigureAwait(false);
                // The count runs beside pg_dump's own backend and client: without parallel workers it takes one core, not
                // three (measured on a 456 MB table: 0.35 s of server CPU serially against 0.48 s with two workers).
                await DatabaseConnector.ExecuteAsync(connection, "SET LOCAL max_parallel_workers_per_gather = 0", transaction, cancellationToken).ConfigureAwait(false);
                var dump = client.DumpAsync(DumpRequestFor(temporary, snapshot), cancellationToken);
                var counting = ServerInfo.RowCountsAsync(connection, transaction, cancellationToken);
                try
                {
                    await Task.WhenAll(dump, counting).ConfigureAwait(false);
                }
                catch when (dump.IsFaulted && dump.Exception?.InnerException is { } dumpFailure)
                {
                    // Both fail for one cause (a table the user may not read): pg_dump's words are the ones to quote.
                    System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(dumpFailure);
                }

                (digest, rows) = (await dump.ConfigureAwait(false), await counting.ConfigureAwait(false));
                await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            }

            // Hashed while pg_dump wrote it; read again only when the runner could not (a test's recording runner).
            var (sha256, size) = digest is { } written ? (written.Sha256, written.Bytes) : BackupManifest.Hash(Path.Combine(temporary, dumpFile));
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
            BackupChecksums.Write(temporary, (dumpFile, sha256), (BackupManifest.FileName, null));
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
        await using var admin = await DatabaseConnector.OpenLeanAsync(target, maintenanceDatabase, cancellationToken, VerifyScratch.ApplicationName(scratch)).ConfigureAwait(false);
        try
        {
            log.Information($"Verifying: restoring {entry.Name} into scratch database {scratch}");
            var problem = await RestoreIntoScratchAsync(admin, entry, scratch, jobs: 1, listing: null, cancellationToken).ConfigureAwait(false);
            if (problem is not null)
            {
                throw DatabaseException.Failed($"Verify of {entry.Name} failed: {problem}.");
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
    /// Creates <paramref name="scratch"/> like the target (owner, encoding, locale), restores the archive into it and
    /// counts its rows; null when they match the manifest, else the differences.
    /// </summary>
    /// <param name="listing">The archive's table of contents, read by the checks; with it and parallel jobs, the large tables are split (<see cref="RestoreSplit"/>).</param>
    private async Task<string?> RestoreIntoScratchAsync(NpgsqlConnection admin, BackupEntry entry, string scratch, int jobs, string? listing, CancellationToken cancellationToken)
    {
        await DatabaseConnector.ExecuteAsync(admin, await CreateLikeTargetSqlAsync(admin, scratch, cancellationToken).ConfigureAwait(false), cancellationToken: cancellationToken).ConfigureAwait(false);
        var split = jobs > 1 && client is LocalClientHost && listing is not null
            ? RestoreSplit.Entries(listing, RestoreSplit.LargeTables(entry.Manifest, config.RestoreSplitRows))
            : default;
        if (split.Tables is { Count: > 0 })
        {
            await RestoreSplittingAsync(entry, scratch, jobs, split, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            await client.RestoreAsync(new RestoreRequest(scratch, entry.DumpPath, Clean: false, jobs), cancellationToken).ConfigureAwait(false);
        }

        await using var restored = await DatabaseConnector.OpenLeanAsync(target, scratch, cancellationToken: cancellationToken).ConfigureAwait(false);
        // The server's counters of inserted rows first (no scan); a difference is confirmed by counting every row.
        if (await ServerInfo.RestoredRowCountsAsync(restored, cancellationToken).ConfigureAwait(false) is { } inserted
            && ServerInfo.CompareRowCounts(entry.Manifest.Tables, inserted).Count == 0)
        {
            return null;
        }

        var differences = ServerInfo.CompareRowCounts(entry.Manifest.Tables, await ServerInfo.RowCountsAsync(restored, cancellationToken: cancellationToken).ConfigureAwait(false));
        return differences.Count == 0 ? null : string.Join("; ", differences.Take(5));
    }

    /// <summary>
    /// The restore of <see cref="RestoreSplit"/>: pg_restore creates the schema (one transaction); then the other
    /// tables' data (pg_restore, parallel jobs) and each large table's rows (through all the connections at once) load
    /// side by side; then pg_restore builds the indexes and constraints over all the rows. A failure of either load
    /// stops the other. The table-of-contents files live in a temporary folder for the run.
    /// </summary>
    private async Task RestoreSplittingAsync(BackupEntry entry, string scratch, int jobs, (IReadOnlyList<(string Table, string Entry)> Tables, string Others) split, CancellationToken cancellationToken)
    {
        var local = (LocalClientHost)client;
        var folder = Directory.CreateTempSubdirectory("kit-restore-");
        try
        {
            var othersList = Path.Combine(folder.FullName, "others.list");
            await File.WriteAllTextAsync(othersList, split.Others, cancellationToken).ConfigureAwait(false);
            var tables = new List<(string Table, string UseList)>();
            foreach (var (table, tocEntry) in split.Tables)
            {
                var useList = Path.Combine(folder.FullName, $"table-{tables.Count + 1}.list");
                await File.WriteAllTextAsync(useList, tocEntry + "\n", cancellationToken).ConfigureAwait(false);
                tables.Add((table, useList));
            }

            var (schema, otherData, loads, after) = SplitRestore(entry, scratch, jobs, othersList, tables);
            await client.RestoreAsync(schema, cancellationToken).ConfigureAwait(false);
            await SideBySide.RunAsync(
                cancellationToken,
                stop => client.RestoreAsync(otherData, stop),
                async stop =>
                {
                    foreach (var (_, load, useList) in loads)
                    {
                        try
                        {
                            await local.LoadTableDataAsync(entry.DumpPath, useList, load, stop).ConfigureAwait(false);
                        }
                        catch (ParallelTableLoad.CannotSplitException reason)
                        {
                            // Nothing of it was loaded: pg_restore loads it through one connection.
                            log.Verbose($"{load.Description}: not split ({reason.Message}); pg_restore loads it");
                            await client.RestoreAsync(new RestoreRequest(scratch, entry.DumpPath, Clean: false) { Sections = ["data"], UseList = useList }, stop).ConfigureAwait(false);
                        }
                    }
                }).ConfigureAwait(false);

            await client.RestoreAsync(after, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    /// <summary>The runs of a split restore, in order; the plan shows them with placeholders for the list files.</summary>
    private (RestoreRequest Schema, RestoreRequest OtherData, IReadOnlyList<(string Table, ParallelTableLoad Load, string UseList)> Loads, RestoreRequest After) SplitRestore(
        BackupEntry entry, string scratch, int jobs, string others, IReadOnlyList<(string Table, string UseList)> tables) =>
        (new RestoreRequest(scratch, entry.DumpPath, Clean: false) { Sections = ["pre-data"] },
         new RestoreRequest(scratch, entry.DumpPath, Clean: false, jobs) { Sections = ["data"], UseList = others },
         tables.Select(t => (t.Table, new ParallelTableLoad(t.Table, jobs, cancellationToken => DatabaseConnector.OpenLeanAsync(target, scratch, cancellationToken)), t.UseList)).ToArray(),
         new RestoreRequest(scratch, entry.DumpPath, Clean: false, jobs) { Sections = ["post-data"] });

    /// <summary>Stands for the target's owner, encoding and locale, read from the server when the restore runs.</summary>
    private string LikeTargetPlaceholder => ServerInfo.LikePlaceholder(target.Database);

    private static string CreateScratchSql(string scratch, string like) => ServerInfo.CreateLikeSql(scratch, like);

    private Task<string> CreateLikeTargetSqlAsync(NpgsqlConnection admin, string scratch, CancellationToken cancellationToken) =>
        ServerInfo.CreateLikeSqlAsync(admin, scratch, target.Database, cancellationToken);

    /// <summary>
    /// Restores the backup into a new database and swaps names once it passed its checks. Everything that can refuse
    /// runs first: pg_restore's version and its reading of the archive's table of contents (which must name the
    /// manifest's database). Then the archive is restored into a scratch database made like the target (pg_restore
    /// with parallel jobs where the client reads the file itself) and its row counts are compared with the manifest;
    /// until here the target is not touched, and any failure drops the scratch database. Last, the target's sessions
    /// are ended and, in one transaction, the target is renamed aside and the scratch database takes its name: the
    /// replaced database is the safety copy (<see cref="AsideCopies"/>), no dump is taken before.
    /// The caller has checked the backup's integrity (<see cref="BackupStore.CheckIntegrity"/>) and the guard.
    /// </summary>
    /// <returns>The aside copy of the replaced database, when one is kept.</returns>
    public async Task<string?> RestoreAsync(BackupEntry entry, AsideCopies asides, string maintenanceDatabase, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entry);
        ArgumentNullException.ThrowIfNull(asides);
        var scratch = VerifyScratch.NewName();
        // Two processes (the client's version, pg_restore --list) that refuse before anything is touched: run side by
        // side, then awaited in order, so when both refuse the version's refusal is the one reported. The maintenance
        // connection opens meanwhile, on another thread (opening one changes nothing); it is closed unused when a
        // check refuses, and its own failure is said only once the checks passed.
        var opening = Task.Run(() => OpenMaintenanceAsync(entry, maintenanceDatabase, scratch, cancellationToken), cancellationToken);
        var canRead = EnsureCanReadAsync(entry, cancellationToken);
        var archive = CheckArchiveAsync(entry, cancellationToken);
        try
        {
            await Task.WhenAll(canRead, archive).ConfigureAwait(false);
        }
        catch
        {
            await DatabaseConnector.CloseUnusedAsync(opening).ConfigureAwait(false);
            await canRead.ConfigureAwait(false);
            await archive.ConfigureAwait(false);
            throw;
        }

        var untouched = $"{target.Database} was not touched";
        var swapped = false;
        await using var admin = await opening.ConfigureAwait(false);
        var pruning = Task.CompletedTask;
        try
        {
            // The checks passed: retention drops the copies an earlier run left beyond the newest keepAside, beside the restore.
            pruning = config.BeforeRestore ? await asides.StartPruneAsync(admin, cancellationToken).ConfigureAwait(false) : Task.CompletedTask;
            log.Information($"Restoring {entry.Name} into new database {scratch}; {target.Database} stays as it is until the restore passed its checks");
            var problem = await RestoreIntoScratchAsync(admin, entry, scratch, client is LocalClientHost ? config.RestoreJobs : 1, await archive.ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
            if (problem is not null)
            {
                throw DatabaseException.Failed($"Restore of {entry.Name} stopped, {untouched} and is as it was: the restored row counts differ from the manifest ({problem}).");
            }

            var (aside, takenAt) = await asides.NewNameAsync(admin, cancellationToken).ConfigureAwait(false);
            await asides.SwapAsync(admin, scratch, aside, $"replaced by Restore of {entry.Name}", takenAt, cancellationToken).ConfigureAwait(false);
            swapped = true;
            if (!config.BeforeRestore)
            {
                await asides.DropReplacedAsync(admin, aside, cancellationToken).ConfigureAwait(false);
                return null;
            }

            log.Information($"Aside copy of what was replaced: database {aside} (BackupList lists it)");
            return aside;
        }
        catch (ToolFailedException failure) when (PostgresClientError.IsConnectionLost(failure))
        {
            throw Interrupted(PostgresClientError.Cause(failure));
        }
        catch (NpgsqlException exception) when (!swapped && DatabaseConnector.IsTerminated(exception))
        {
            // A connection of a split load (ParallelTableLoad) ended by the server.
            throw Interrupted(DatabaseConnector.Reason(exception));
        }
        catch (ToolFailedException failure)
        {
            throw DatabaseException.Failed($"Restore of {entry.Name} failed, {untouched} and is as it was: {PostgresClientError.Cause(failure)}");
        }
        catch (NpgsqlException exception)
        {
            throw DatabaseException.Failed($"Restore of {entry.Name} failed, {untouched} and is as it was: {DatabaseConnector.Reason(exception)}");
        }
        finally
        {
            if (!swapped)
            {
                await DropQuietlyAsync(admin, scratch).ConfigureAwait(false);
            }

            // Never fails: what it could not drop it said, and the next run drops.
            await pruning.ConfigureAwait(false);
        }

        DatabaseException Interrupted(string cause) => DatabaseException.Failed(
            $"Restore of {entry.Name} was interrupted: the server ended the connection ({cause}: the session was ended by an administrator, or the server shut down); "
            + $"it restored into a new database, so {untouched} and is as it was before. Run the Restore again once the server accepts connections.");
    }

    private async Task<NpgsqlConnection> OpenMaintenanceAsync(BackupEntry entry, string maintenanceDatabase, string scratch, CancellationToken cancellationToken)
    {
        try
        {
            // Named after the scratch database, like a verify's: a backup running meanwhile never takes it for a leftover.
            // Names, text, integers, booleans only (the target's owner and locale, the aside copies): the lean connection.
            return await DatabaseConnector.OpenLeanAsync(target, maintenanceDatabase, cancellationToken, VerifyScratch.ApplicationName(scratch)).ConfigureAwait(false);
        }
        catch (NpgsqlException exception)
        {
            throw DatabaseException.Failed($"Restore of {entry.Name} stopped before it started, nothing was changed: {DatabaseConnector.Reason(exception)}");
        }
    }

    private static async Task DropQuietlyAsync(NpgsqlConnection admin, string scratch)
    {
        try
        {
            if (admin.State == System.Data.ConnectionState.Open)
            {
                await SnapshotService.DropAsync(admin, scratch, CancellationToken.None).ConfigureAwait(false);
            }
        }
        catch (NpgsqlException)
        {
            // Left as a kit_verify_* leftover: BackupList reports it, the next Backup drops it.
        }
    }

    /// <summary>
    /// The restore as data, in the order <see cref="RestoreAsync"/> runs it: the checks, the restore into a new
    /// database and its row counts, then the swap and what becomes of the replaced database.
    /// </summary>
    public DatabasePlan PlanRestore(BackupEntry entry, AsideCopies asides, string maintenanceDatabase)
    {
        var keepAside = config.BeforeRestore;
        ArgumentNullException.ThrowIfNull(entry);
        ArgumentNullException.ThrowIfNull(asides);
        var manifest = entry.Manifest;
        var scratch = $"<{VerifyScratch.Prefix}scratch>";
        var jobs = client is LocalClientHost ? config.RestoreJobs : 1;
        DatabaseStep[] steps =
        [
            new CheckStep($"{client.Description} reads an archive of {manifest.ClientVersion ?? "<pg_dump version not recorded>"} (its own version read at run time)"),
            new ToolStep(client.ListCommand(entry.DumpPath), $"the table of contents must name database '{manifest.Database}'"),
            .. (keepAside ? [asides.PruneStep()] : Array.Empty<DatabaseStep>()),
            new SqlStep(maintenanceDatabase, CreateScratchSql(scratch, LikeTargetPlaceholder)),
            .. RestoreSteps(entry, scratch, jobs),
            new CheckStep($"the row counts of {scratch} equal the manifest's ({manifest.TotalRows:N0} rows in {manifest.Tables.Count} tables); any failure up to here drops {scratch} and leaves {target.Database} as it was"),
            .. asides.SwapStatements(scratch, asides.PlannedName, $"replaced by Restore of {entry.Name}", "<now>"),
            .. (keepAside ? Array.Empty<DatabaseStep>() : [asides.DropStep(asides.PlannedName)]),
        ];
        return new DatabasePlan
        {
            Title = $"Restore {Path.GetRelativePath(root, entry.Folder)} (database '{manifest.Database}', {manifest.TotalRows:N0} rows in {manifest.Tables.Count} tables) into {target.Describe()}:",
            Steps = steps,
            Notes = keepAside
                ? [$"the replaced database stays on the server as {asides.PlannedName} (the newest {asides.Keep} aside copies before this run are kept, and this one; BackupList lists them)"]
                : ["backup.beforeRestore is false: the replaced database is dropped after the swap"],
        };
    }

    /// <summary>The restore into the new database: one pg_restore, or the runs of a split restore (<see cref="RestoreSplit"/>).</summary>
    private IEnumerable<DatabaseStep> RestoreSteps(BackupEntry entry, string scratch, int jobs)
    {
        var untouched = $"{target.Database} is not touched until the swap";
        var large = jobs > 1 && client is LocalClientHost ? RestoreSplit.LargeTables(entry.Manifest, config.RestoreSplitRows) : [];
        if (large.Count == 0)
        {
            return [new ToolStep(client.RestoreCommand(new RestoreRequest(scratch, entry.DumpPath, Clean: false, jobs)), $"into the new database; {untouched}")];
        }

        var local = (LocalClientHost)client;
        var (schema, otherData, loads, after) = SplitRestore(entry, scratch, jobs, $"<the table of contents without the data of {string.Join(", ", large)}>", large.Select(t => (t, $"<the data entry of {t}>")).ToArray());
        return
        [
            new ToolStep(client.RestoreCommand(schema), $"the schema (tables, types, functions; no indexes yet) in the new database, one transaction; {untouched}"),
            new ToolStep(client.RestoreCommand(otherData), "the other tables' data, beside the next step"),
            .. loads.Select(l => new ToolStep(local.TableDataCommand(entry.DumpPath, l.UseList, l.Load), $"{l.Table} has at least backup.restoreSplitRows rows by the manifest: its rows are loaded by all the connections at once (by pg_restore alone when its data is not UTF-8)")),
            new ToolStep(client.RestoreCommand(after), "the indexes and constraints, over all the rows"),
        ];
    }

    /// <summary>pg_restore --list: the archive is readable by this client and is the dump the manifest describes; answers the listing.</summary>
    private async Task<string> CheckArchiveAsync(BackupEntry entry, CancellationToken cancellationToken)
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

        return contents;
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
