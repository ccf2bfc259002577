using Build.Database;
using Build.Host;
using Cake.Core.Diagnostics;

namespace Build.Tasks.Database;

[TaskName(nameof(DbReset))]
[TaskDescription("Backs up, ends other sessions, drops and recreates the app's schemas, migrates and seeds; --save-snapshot/--from-snapshot=<name> for template clones")]
[SupportsDryRun]
public sealed class DbResetTask : AsyncFrostingTask<BuildContext>
{
    private const string DbReset = "DbReset";

    public override async Task RunAsync(BuildContext context)
    {
        var parameters = context.Parameters;
        if (parameters.SaveSnapshot is not null && parameters.FromSnapshot is not null)
        {
            throw new UsageException("--save-snapshot and --from-snapshot cannot be combined: save first, reset from it in a second run.");
        }

        var workspace = DatabaseWorkspace.FromContext(context);
        workspace.Guard(DbReset, parameters.AllowRemote, parameters.Confirm);
        var target = workspace.Target.Describe();
        if (parameters.SaveSnapshot is { } save)
        {
            var name = workspace.Snapshots.SnapshotDatabaseName(save);
            if (workspace.IsDryRun)
            {
                context.Log.Information($"Would end other sessions on {target} and store it as template database '{name}'.");
                return;
            }

            await workspace.Snapshots.SaveAsync(save).ConfigureAwait(false);
            context.Log.Information($"Saved snapshot '{save}' of {target} as template database '{name}'. Reset to it with --from-snapshot={save}.");
            return;
        }

        if (workspace.IsDryRun)
        {
            var steps = new List<string>();
            if (workspace.Config.Backup.BeforeReset)
            {
                steps.Add($"back up into {workspace.Relative(workspace.Store.Folder)}");
            }

            steps.AddRange(parameters.FromSnapshot is { } snapshot
                ? [$"replace the database with a clone of snapshot '{snapshot}'"]
                : ["end other sessions", $"drop and recreate schema(s) {string.Join(", ", workspace.Config.Schemas)}", "clear the migration history", "migrate",
                   $"seed profile '{parameters.Seed ?? workspace.Config.Seed.DefaultProfile}'"]);
            context.Log.Information($"Would reset {target}: {string.Join(", then ", steps)}.");
            return;
        }

        if (workspace.Config.Backup.BeforeReset)
        {
            var backups = await workspace.BackupsAsync().ConfigureAwait(false);
            var backup = await backups.BackupAsync().ConfigureAwait(false);
            context.Log.Information($"Backup before reset: {workspace.Relative(backup.Folder)}");
        }

        if (parameters.FromSnapshot is { } from)
        {
            await workspace.Snapshots.RestoreAsync(from).ConfigureAwait(false);
            context.Log.Information($"Reset {target} from snapshot '{from}'.");
            return;
        }

        var migrations = workspace.LoadMigrations();
        await using var connection = await DatabaseConnector.OpenAsync(workspace.Target).ConfigureAwait(false);
        var ended = await ServerInfo.TerminateOtherSessionsAsync(connection, workspace.Target.Database).ConfigureAwait(false);
        context.Log.Information($"Ended {ended} other session(s); dropping and recreating schema(s) {string.Join(", ", workspace.Config.Schemas)}");
        await SchemaReset.ResetAsync(connection, workspace.Config.Schemas, workspace.Config.History).ConfigureAwait(false);
        var migrated = await workspace.Migrations.MigrateAsync(connection, migrations, dryRun: false).ConfigureAwait(false);
        var seeded = await workspace.Seeder.SeedAsync(connection, parameters.Seed, dryRun: false).ConfigureAwait(false);
        context.Log.Information(
            $"Reset {target}: {migrated.Applied.Count} migration(s) applied (version {migrated.CurrentVersion:D4}), "
            + (seeded.SkipReason is null ? $"seeded profile '{seeded.Profile}'." : $"not seeded: {seeded.SkipReason}."));
    }
}
