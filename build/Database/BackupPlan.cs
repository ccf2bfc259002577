using Build.Tools;

namespace Build.Database;

/// <summary>
/// A backup as data: where it goes, the exact pg_dump command (with the stamp and the exported snapshot as
/// placeholders, bound when it runs) and the retention applied after it. <see cref="BackupService.BackupAsync(BackupPlan, IReadOnlySet{string}?, CancellationToken)"/>
/// runs it; a dry run prints it.
/// </summary>
public sealed record BackupPlan : Host.ITaskPlan
{
    public const string StampPlaceholder = "<stamp>";
    public const string SnapshotPlaceholder = "<exported snapshot, read at run time>";
    public const string DumpFile = "database.dump";

    /// <summary>user@host:port/database.</summary>
    public required string Target { get; init; }

    /// <summary>The database the backup reads, the one every SQL line of the plan runs on.</summary>
    public required string Database { get; init; }

    /// <summary>The backups folder of the environment, relative to the app root.</summary>
    public required string Folder { get; init; }

    /// <summary>Which database and server the backups compete with for the retention places.</summary>
    public required string Key { get; init; }

    /// <summary>"pg_dump inside compose service 'db'" or "the host's pg_dump".</summary>
    public required string Client { get; init; }

    /// <summary>The dump exactly as it runs, with <see cref="StampPlaceholder"/> and <see cref="SnapshotPlaceholder"/> in it.</summary>
    public required ToolCommand Dump { get; init; }

    public required int KeepLast { get; init; }

    public required int KeepDailyForDays { get; init; }

    /// <summary>The restore into a scratch database after the backup (<c>--verify</c>), with the scratch name as a placeholder.</summary>
    public ToolCommand? Verify { get; init; }

    public string Temporary => $"{Folder}/{BackupStore.TemporaryPrefix}{StampPlaceholder}/";

    public IEnumerable<string> Render()
    {
        yield return $"back up {Target} into {Folder}/{StampPlaceholder}/ with {Client}:";
        yield return $"   check: {Client} can dump the server's version <read at run time>";
        yield return $"   sql on {Database}: DROP DATABASE the leftover {VerifyScratch.Prefix}* scratch databases of a Backup --verify that did not finish";
        yield return $"   sql on {Database}: BEGIN ISOLATION LEVEL REPEATABLE READ; SELECT pg_export_snapshot()";
        yield return "   run: " + Dump.Render() + "   -- SHA-256 and size taken while it is written";
        yield return $"   sql on {Database}, while pg_dump runs: SET LOCAL max_parallel_workers_per_gather = 0; SELECT count(*) of every table, in the same transaction (exactly what pg_dump dumps); COMMIT";
        yield return $"   write: {BackupManifest.FileName} and {BackupChecksums.FileName} (the dump's sum from its writing, not read again) into {Temporary}";
        yield return $"   rename: {Temporary} to {Folder}/{StampPlaceholder}/";
        yield return $"   retention: of the backups of {Key}, keep the last {KeepLast} and one a day for {KeepDailyForDays} days; remove unfinished backups older than {BackupService.StaleTemporaryAge.TotalHours:0} h";
        if (Verify is not null)
        {
            yield return $"   verify: CREATE DATABASE <{VerifyScratch.Prefix}scratch> TEMPLATE template0";
            yield return "   run: " + Verify.Render();
            yield return $"   verify: compare the row counts of <{VerifyScratch.Prefix}scratch> with {BackupManifest.FileName}, then DROP DATABASE it";
        }
    }
}
