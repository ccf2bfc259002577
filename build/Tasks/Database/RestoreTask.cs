using Build.Database;
using Build.Host;
using Cake.Core.Diagnostics;

namespace Build.Tasks.Database;

[TaskName(nameof(Restore))]
[TaskDescription("Restores --backup=latest|<folder> after checking its checksum and taking a pre-restore backup; guarded like DbReset")]
[SupportsDryRun]
public sealed class RestoreTask : AsyncFrostingTask<BuildContext>
{
    private const string Restore = "Restore";

    public override async Task RunAsync(BuildContext context)
    {
        var workspace = DatabaseWorkspace.FromContext(context);
        var entry = workspace.Store.Resolve(context.Parameters.Backup ?? "latest", workspace.Root);
        if (BackupStore.CheckIntegrity(entry) is { } problem)
        {
            throw DatabaseException.Refused($"Refused: {workspace.Relative(problem)}. Nothing was restored.");
        }

        workspace.Guard(Restore, context.Parameters.AllowRemote, context.Parameters.Confirm);
        if (workspace.IsDryRun)
        {
            context.Log.Information(
                $"Would restore {workspace.Relative(entry.Folder)} (database '{entry.Manifest.Database}', {entry.Manifest.TotalRows:N0} rows) into {workspace.Target.Describe()}"
                + (workspace.Config.Backup.BeforeRestore ? ", after a pre-restore backup." : "."));
            return;
        }

        var backups = await workspace.BackupsAsync().ConfigureAwait(false);
        if (workspace.Config.Backup.BeforeRestore)
        {
            var before = await backups.BackupAsync(new HashSet<string> { entry.Name }).ConfigureAwait(false);
            context.Log.Information($"Pre-restore backup: {workspace.Relative(before.Folder)}");
        }

        await backups.RestoreAsync(entry, workspace.Config.Schemas).ConfigureAwait(false);
        context.Log.Information($"Restored {workspace.Relative(entry.Folder)} into {workspace.Target.Describe()}: {entry.Manifest.TotalRows:N0} rows in {entry.Manifest.Tables.Count} tables, counts match the manifest.");
    }
}
