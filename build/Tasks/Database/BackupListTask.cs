using Build.Database;
using Build.Host;
using Cake.Core.Diagnostics;

namespace Build.Tasks.Database;

[TaskName(nameof(BackupList))]
[UsesDatabase]
[TaskDescription("Lists the complete backups of the environment, newest first, any unfinished ones, the aside copies DbReset and Restore kept, and leftover scratch databases")]
[ReadsOnly]
public sealed class BackupListTask : AsyncFrostingTask<BuildContext>
{
    private const string BackupList = "BackupList";

    /// <summary>Listing is about files; the look at the server for leftovers must not keep it waiting on an unreachable host.</summary>
    private static readonly TimeSpan ServerCheckLimit = TimeSpan.FromSeconds(10);

    /// <summary>The database is resolved before the run starts: a missing connection variable or password is one line.</summary>
    public override void CheckInputs(BuildContext context) => _ = context.Run.Database;

    public override async Task RunAsync(BuildContext context)
    {
        var workspace = context.Run.Database;
        var store = workspace.Store;
        var key = BackupKey.Of(workspace.Target);
        var entries = store.List();
        context.Log.Information(entries.Count == 0
            ? $"No complete backups in {context.Paths.Relative(store.Folder)}."
            : $"{entries.Count} backup(s) in {context.Paths.Relative(store.Folder)}, newest first (restore one with --target=Restore --backup=<name>; "
              + $"--backup=latest takes the newest of {key.Describe()}):");
        foreach (var entry in entries)
        {
            var server = entry.Manifest.Server ?? "server not recorded";
            context.Log.Information(
                $"  {entry.Name}  {entry.Manifest.Database}  {server}  {entry.Manifest.SizeBytes,12:N0} bytes  {entry.Manifest.TotalRows,10:N0} rows  PostgreSQL {entry.Manifest.ServerVersion}");
        }

        foreach (var incomplete in store.Incomplete())
        {
            context.Log.Information($"  {Path.GetFileName(incomplete)}  unfinished (still running, or killed): never restored, removed by a later backup once an hour old");
        }

        await ReportLeftoverScratchDatabasesAsync(context, workspace).ConfigureAwait(false);
    }

    private static async Task ReportLeftoverScratchDatabasesAsync(BuildContext context, DatabaseWorkspace workspace)
    {
        using var limit = new CancellationTokenSource(ServerCheckLimit);
        try
        {
            await using var connection = await DatabaseConnector.OpenAsync(workspace.Target, workspace.Config.MaintenanceDatabase, limit.Token).ConfigureAwait(false);
            var asides = workspace.Asides;
            var copies = await asides.ListAsync(connection, limit.Token).ConfigureAwait(false);
            context.Log.Information(copies.Count == 0
                ? $"No aside copies of {workspace.Target.Database} on {workspace.Target.Host}:{workspace.Target.Port}."
                : $"{copies.Count} aside copies of {workspace.Target.Database} on {workspace.Target.Host}:{workspace.Target.Port}, newest first (a reset or restore keeps the newest {asides.Keep}, backup.keepAside, and adds its own; "
                  + $"to go back to one: ALTER DATABASE ... RENAME):");
            foreach (var copy in copies)
            {
                context.Log.Information($"  {copy.Name}  {copy.Reason}{VerifyScratch.Size(copy.SizeBytes)}");
            }

            foreach (var (name, size) in await VerifyScratch.LeftoversAsync(connection, limit.Token).ConfigureAwait(false))
            {
                context.Log.Information(
                    $"  {name}  leftover scratch database of a Backup --verify that did not finish{VerifyScratch.Size(size)} on {workspace.Target.Host}:{workspace.Target.Port}: removed by the next --target=Backup");
            }
        }
        catch (Exception exception) when (exception is DatabaseException or Npgsql.NpgsqlException or OperationCanceledException)
        {
            var why = exception is OperationCanceledException ? $"no answer within {ServerCheckLimit.TotalSeconds:0} s" : exception.Message;
            context.Log.Information($"  (aside copies and leftover {VerifyScratch.Prefix}* scratch databases not checked: {why})");
        }
    }
}
