using Build.Database;
using Build.Host;
using Cake.Core.Diagnostics;

namespace Build.Tasks.Database;

[TaskName(nameof(Migrate))]
[TaskDescription("Applies pending migrations (scripts/db/migrations/NNNN_*.sql) in order, each in its own transaction")]
[SupportsDryRun]
public sealed class MigrateTask : AsyncFrostingTask<BuildContext>
{
    private const string Migrate = "Migrate";

    public override async Task RunAsync(BuildContext context)
    {
        var workspace = DatabaseWorkspace.FromContext(context);
        var migrations = workspace.LoadMigrations();
        await using var connection = await DatabaseConnector.OpenAsync(workspace.Target).ConfigureAwait(false);
        var result = await workspace.Migrations.MigrateAsync(connection, migrations, workspace.IsDryRun).ConfigureAwait(false);
        if (workspace.IsDryRun)
        {
            context.Log.Information(result.Pending.Count == 0
                ? $"{workspace.Target.Describe()} is up to date (version {result.CurrentVersion:D4})."
                : $"Would apply {result.Pending.Count} migration(s) to {workspace.Target.Describe()}: {string.Join(", ", result.Pending.Select(m => m.RelativePath))}");
            return;
        }

        context.Log.Information(result.Applied.Count == 0
            ? $"{workspace.Target.Describe()} is up to date (version {result.CurrentVersion:D4}, {migrations.Count} migration(s))."
            : $"Applied {result.Applied.Count} migration(s) to {workspace.Target.Describe()}; now at version {result.CurrentVersion:D4}.");
    }
}
