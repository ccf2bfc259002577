using Build.Database;
using Build.Host;
using Cake.Core.Diagnostics;

namespace Build.Tasks.Database;

[TaskName(nameof(BackupList))]
[TaskDescription("Lists the complete backups of the environment, newest first, and any unfinished ones")]
[SupportsDryRun]
public sealed class BackupListTask : FrostingTask<BuildContext>
{
    private const string BackupList = "BackupList";

    public override void Run(BuildContext context)
    {
        var store = DatabaseWorkspace.FromContext(context).Store;
        var entries = store.List();
        context.Log.Information(entries.Count == 0
            ? $"No complete backups in {context.Paths.Relative(store.Folder)}."
            : $"{entries.Count} backup(s) in {context.Paths.Relative(store.Folder)}, newest first (restore one with --target=Restore --backup=<name>):");
        foreach (var entry in entries)
        {
            context.Log.Information(
                $"  {entry.Name}  {entry.Manifest.Database}  {entry.Manifest.SizeBytes,12:N0} bytes  {entry.Manifest.TotalRows,10:N0} rows  PostgreSQL {entry.Manifest.ServerVersion}");
        }

        foreach (var incomplete in store.Incomplete())
        {
            context.Log.Information($"  {Path.GetFileName(incomplete)}  unfinished (still running, or killed): never restored, removed by a later backup once an hour old");
        }
    }
}
