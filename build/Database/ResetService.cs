using Cake.Core.Diagnostics;

namespace Build.Database;

/// <summary>What DbReset was asked to do: a plain reset, storing a snapshot, or resetting from one.</summary>
public sealed record ResetRequest(string? SaveSnapshot, string? FromSnapshot, string? SeedProfile);

/// <summary>
/// DbReset's steps in order, once the guard has let it through: back up first (when configured), then either store
/// the database as a template snapshot, clone a snapshot over it, or end other sessions, recreate the application's
/// schemas, migrate and seed. <see cref="Plan"/> says the same in words, for a dry run.
/// </summary>
public sealed class ResetService(DatabaseWorkspace workspace)
{
    public IReadOnlyList<string> Plan(ResetRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.SaveSnapshot is { } save)
        {
            return ["end other sessions", $"store it as template database '{workspace.Snapshots.SnapshotDatabaseName(save)}'"];
        }

        var steps = new List<string>();
        if (workspace.Config.Backup.BeforeReset)
        {
            steps.Add($"back up into {workspace.Relative(workspace.Store.Folder)}");
        }

        steps.AddRange(request.FromSnapshot is { } snapshot
            ? [$"replace the database with a clone of snapshot '{snapshot}'"]
            :
            [
                "end other sessions", $"drop and recreate schema(s) {string.Join(", ", workspace.Config.Schemas)}", "clear the migration history", "migrate",
                $"seed profile '{request.SeedProfile ?? workspace.Config.Seed.DefaultProfile}'",
            ]);
        return steps;
    }

    /// <summary>Runs the reset and returns the line that says what the database is now.</summary>
    public async Task<string> RunAsync(ResetRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var target = workspace.Target.Describe();
        if (request.SaveSnapshot is { } save)
        {
            await workspace.Snapshots.SaveAsync(save).ConfigureAwait(false);
            return $"Saved snapshot '{save}' of {target} as template database '{workspace.Snapshots.SnapshotDatabaseName(save)}'. Reset to it with --from-snapshot={save}.";
        }

        if (workspace.Config.Backup.BeforeReset)
        {
            var backups = await workspace.BackupsAsync().ConfigureAwait(false);
            var backup = await backups.BackupAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
            workspace.Log.Information($"Backup before reset: {workspace.Relative(backup.Folder)}");
        }

        if (request.FromSnapshot is { } from)
        {
            await workspace.Snapshots.RestoreAsync(from).ConfigureAwait(false);
            return $"Reset {target} from snapshot '{from}'.";
        }

        var migrations = workspace.LoadMigrations();
        await using var connection = await DatabaseConnector.OpenAsync(workspace.Target, cancellationToken: cancellationToken).ConfigureAwait(false);
        var ended = await ServerInfo.TerminateOtherSessionsAsync(connection, workspace.Target.Database).ConfigureAwait(false);
        workspace.Log.Information($"Ended {ended} other session(s); dropping and recreating schema(s) {string.Join(", ", workspace.Config.Schemas)}");
        await SchemaReset.ResetAsync(connection, workspace.Config.Schemas, workspace.Config.History).ConfigureAwait(false);
        var migrated = await workspace.Migrations.MigrateAsync(connection, migrations, dryRun: false).ConfigureAwait(false);
        var seeded = await workspace.Seeder.SeedAsync(connection, request.SeedProfile, dryRun: false).ConfigureAwait(false);
        return $"Reset {target}: {migrated.Applied.Count} migration(s) applied (version {migrated.CurrentVersion:D4}), "
            + (seeded.SkipReason is null ? $"seeded profile '{seeded.Profile}'." : $"not seeded: {seeded.SkipReason}.");
    }
}
