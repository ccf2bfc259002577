using Build.Database;
using Build.Host;
using Cake.Core.Diagnostics;

namespace Build.Tasks.Database;

[TaskName(nameof(Backup))]
[UsesDatabase]
[TaskDescription("Dumps the database (pg_dump -Fc) to backups/<env>/<stamp>/ with a checksummed manifest, then applies retention; --verify restores it into a scratch database")]
public sealed class BackupTask : PlannedTask<BuildContext, BackupPlan>
{
    private const string Backup = "Backup";

    /// <summary>The database is resolved before the run starts: a missing connection variable or password is one line.</summary>
    public override void CheckInputs(BuildContext context) => _ = context.Run.Database;

    public override async Task<BackupPlan> PlanAsync(BuildContext context) =>
        (await context.Run.Database.BackupsAsync().ConfigureAwait(false)).Plan(context.Parameters.Verify);

    public override async Task RunAsync(BuildContext context, BackupPlan plan)
    {
        var workspace = context.Run.Database;
        var backups = await workspace.BackupsAsync().ConfigureAwait(false);
        var entry = await backups.BackupAsync(plan).ConfigureAwait(false);
        context.Log.Information(
            $"Backup: {workspace.Relative(entry.Folder)} ({entry.Manifest.SizeBytes:N0} bytes, {entry.Manifest.TotalRows:N0} rows in {entry.Manifest.Tables.Count} tables, {entry.Manifest.DurationSeconds:0.0} s)");
        if (context.Parameters.Verify)
        {
            await backups.VerifyAsync(entry, workspace.Config.MaintenanceDatabase).ConfigureAwait(false);
            context.Log.Information($"Verified: {entry.Name} restores and its row counts match the manifest.");
        }
    }
}
