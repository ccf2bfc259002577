namespace Build.Database;

/// <summary>What DbReset was asked to do: a plain reset, storing a snapshot, or resetting from one.</summary>
public sealed record ResetRequest(string? SaveSnapshot, string? FromSnapshot, string? SeedProfile);

/// <summary>
/// DbReset as a plan, once the guard has let it through: keep a copy aside first (when configured), then either store the
/// database as a template snapshot, clone a snapshot over it, or end other sessions, recreate the application's
/// schemas and clear the migration history (one transaction), apply every migration and seed the profile's files.
/// A dry run prints <see cref="PlanAsync"/>; <see cref="RunAsync"/> runs that same plan.
/// </summary>
public sealed class ResetService(DatabaseWorkspace workspace)
{
    public Task<DatabasePlan> PlanAsync(ResetRequest request) => Task.FromResult(Plan(request));

    private DatabasePlan Plan(ResetRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var target = workspace.Target;
        var database = target.Database;
        if (request.SaveSnapshot is { } save)
        {
            return new DatabasePlan
            {
                Title = $"Save {target.Describe()} as snapshot '{save}' (template database '{workspace.Snapshots.SnapshotDatabaseName(save)}'):",
                Steps = [new SnapshotStep(SnapshotAction.Save, save, workspace.Snapshots.SaveStatements(save))],
                Notes = [$"reset to it later with --target=DbReset --from-snapshot={save}"],
            };
        }

        if (request.FromSnapshot is { } from)
        {
            // The snapshot's clone replaces the database by renames; the replaced database is the aside copy.
            return new DatabasePlan
            {
                Title = $"Reset {target.Describe()} from snapshot '{from}':",
                Steps = [new SnapshotStep(SnapshotAction.Restore, from, workspace.Snapshots.RestoreStatements(from))],
            };
        }

        var steps = new List<DatabaseStep>();
        if (workspace.Config.Backup.BeforeReset)
        {
            var asides = workspace.Asides;
            steps.Add(new AsideCopyStep(
                asides.CopyStatements(asides.PlannedName, "copied before DbReset", "<now>"), asides.PutBackStatements(asides.PlannedName), asides.PruneStep()));
        }

        var history = workspace.Config.History;
        var profile = request.SeedProfile ?? workspace.Config.Seed.DefaultProfile;
        steps.Add(ServerInfo.TerminateOtherSessionsStep(database, database) with { Report = "Ended {0} other session(s) on " + database });
        steps.Add(SchemaReset.Step(database, workspace.Config.Schemas, history));
        if (workspace.Config.MigrationCommand is { } command)
        {
            steps.Add(workspace.ServiceCommand(command, command.Command, "migrationCommand"));
        }
        else
        {
            // The history was just cleared: every migration file is pending, so the list is known before the run.
            var migrations = workspace.LoadMigrations();
            steps.Add(new MigrateStep(database, migrations, Sql.Qualified(history.Schema, history.Table)) { All = migrations });
        }

        steps.Add(workspace.SeedStep(profile) with { Tables = [] });
        return new DatabasePlan { Title = $"Reset {target.Describe()}:", Steps = steps };
    }

    /// <summary>Runs the plan and returns the line that says what the database is now.</summary>
    public async Task<string> RunAsync(DatabasePlan plan, ResetRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(request);
        var result = await new DatabasePlanExecutor(workspace).RunAsync(plan, cancellationToken).ConfigureAwait(false);
        var target = workspace.Target.Describe();
        if (request.SaveSnapshot is { } save)
        {
            return $"Saved snapshot '{save}' of {target} as template database '{workspace.Snapshots.SnapshotDatabaseName(save)}'. Reset to it with --from-snapshot={save}.";
        }

        if (request.FromSnapshot is { } from)
        {
            return $"Reset {target} from snapshot '{from}'.";
        }

        // An app's own migration tool keeps its own history: the kit counts no files for it.
        var migrated = workspace.Config.MigrationCommand is not null
            ? "the app's migration command ran"
            : $"{result.Migrated?.Applied.Count ?? 0} migration(s) applied (version {result.Migrated?.CurrentVersion ?? 0:D4})";
        return $"Reset {target}: {migrated}, "
            + (result.Seeded is { } seeded ? $"seeded profile '{seeded.Profile}'." : "not seeded.");
    }
}
