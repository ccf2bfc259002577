using Build.Database;
using Build.Host;
using Cake.Core.Diagnostics;

namespace Build.Tasks.Database;

[TaskName(nameof(Restore))]
[UsesDatabase]
[TaskDescription("Restores --backup=latest|<folder> (latest: of the same database) into a new database after checking its checksums and archive, then swaps names (the replaced database is kept aside); guarded like DbReset")]
public sealed class RestoreTask : PlannedTask<BuildContext, RestorePlan>
{
    private const string Restore = "Restore";

    /// <summary>Refused before the run starts: a protected environment, the database's guard.</summary>
    public override void CheckInputs(BuildContext context)
    {
        context.Run.RefuseProtected(Restore);
        context.Run.Database.Guard(Restore, context.Parameters.AllowRemote, context.Parameters.Confirm);
    }

    public override async Task<RestorePlan> PlanAsync(BuildContext context)
    {
        // Every refusal comes before anything is replaced: the guard (before the run), which backup, its checksums; then,
        // in the service, pg_restore's version and its reading of the archive. Only then the restore into a new database and the swap.
        var workspace = context.Run.Database;
        var key = BackupKey.Of(workspace.Target);
        var entry = workspace.Store.Resolve(context.Parameters.Backup ?? "latest", workspace.Root, key);
        if (BackupStore.CheckIntegrity(entry) is { } problem)
        {
            throw DatabaseException.Refused(
                $"Refused: {workspace.Relative(problem)}. Nothing was restored; restore another backup (--target=BackupList)"
                + (entry.Manifest.HasChecksumFile ? $", or compare by hand: sha256sum -c {BackupChecksums.FileName} in its folder." : "."));
        }

        if (!key.Matches(entry.Manifest))
        {
            context.Log.Information(
                $"Restoring a backup of {BackupKey.Describe(entry.Manifest)} into {key.Describe()}, because --backup named {entry.Name} explicitly.");
        }

        if (!entry.Manifest.HasChecksumFile)
        {
            context.Log.Information(
                $"{entry.Name} has manifest format {entry.Manifest.Format}, written before manifests were checksummed: its dump is checked by hash, its row counts before the restored database replaces anything.");
        }

        var backups = await workspace.BackupsAsync().ConfigureAwait(false);
        return new RestorePlan(entry, backups.PlanRestore(entry, workspace.Asides, workspace.Config.MaintenanceDatabase));
    }

    public override async Task RunAsync(BuildContext context, RestorePlan plan)
    {
        var entry = plan.Backup;
        var workspace = context.Run.Database;
        var backups = await workspace.BackupsAsync().ConfigureAwait(false);
        await backups.RestoreAsync(entry, workspace.Asides, workspace.Config.MaintenanceDatabase).ConfigureAwait(false);
        context.Log.Information($"Restored {workspace.Relative(entry.Folder)} into {workspace.Target.Describe()}: {entry.Manifest.TotalRows:N0} rows in {entry.Manifest.Tables.Count} tables, counts match the manifest.");
    }
}
