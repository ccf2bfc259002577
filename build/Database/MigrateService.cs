namespace Build.Database;

/// <summary>
/// Migrate as a plan: when the database answers, its history is read (read-only) and the plan lists the pending
/// migrations, refusing already an applied one whose file changed; when it does not, the plan applies
/// <c>&lt;pending migrations, read at run time&gt;</c>. A dry run prints <see cref="PlanAsync"/>; <see cref="RunAsync"/>
/// runs that same plan, where the history is checked again under the lock before anything is applied.
/// </summary>
public sealed class MigrateService(DatabaseWorkspace workspace)
{
    private DatabaseException? unreachable;

    public async Task<DatabasePlan> PlanAsync(CancellationToken cancellationToken = default)
    {
        var target = workspace.Target.Describe();
        if (workspace.Config.MigrationCommand is { } command)
        {
            // The app's tool keeps its own history: what is pending is its business, read when it runs.
            return new DatabasePlan
            {
                Title = $"Would run the app's migration command against {target}:",
                Steps = [workspace.ServiceCommand(command, command.Command, "migrationCommand")],
            };
        }

        var migrations = workspace.LoadMigrations();
        var history = workspace.Config.History;
        var step = new MigrateStep(workspace.Target.Database, null, Sql.Qualified(history.Schema, history.Table)) { All = migrations };
        var of = $"of the {migrations.Count} in {workspace.Relative(workspace.MigrationsFolder)}";
        var (connection, problem) = await DatabaseConnector.TryOpenAsync(workspace.Target, cancellationToken).ConfigureAwait(false);
        if (connection is null)
        {
            unreachable = problem;
            return new DatabasePlan
            {
                Title = $"Would apply <pending migrations, read at run time> {of} to {target}:",
                Steps = [step],
                Notes = [$"now: {problem!.Message}"],
            };
        }

        await using (connection)
        {
            var status = await workspace.Migrations.StatusAsync(connection, migrations, cancellationToken).ConfigureAwait(false);
            return new DatabasePlan
            {
                Title = status.Pending.Count == 0
                    ? $"{target} is up to date (version {status.CurrentVersion:D4}), nothing to apply {of}:"
                    : $"Would apply {status.Pending.Count} migration(s) {of} to {target}, now at version {status.CurrentVersion:D4}:",
                Steps = [step with { Files = status.Pending }],
                Notes = status.Missing,
            };
        }
    }

    /// <summary>Runs the plan and returns the line that says where the database is now.</summary>
    public async Task<string> RunAsync(DatabasePlan plan, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(plan);
        if (unreachable is { } problem)
        {
            // The plan found no database: its reason is the run's, without waiting a second time for a timeout.
            throw problem;
        }

        var result = await new DatabasePlanExecutor(workspace).RunAsync(plan, cancellationToken).ConfigureAwait(false);
        var target = workspace.Target.Describe();
        if (plan.Steps.OfType<MigrateStep>().SingleOrDefault() is not { } step)
        {
            return $"Ran the app's migration command against {target}.";
        }

        var migrated = result.Migrated!;
        return migrated.Applied.Count == 0
            ? $"{target} is up to date (version {migrated.CurrentVersion:D4}, {step.All?.Count ?? 0} migration(s))."
            : $"Applied {migrated.Applied.Count} migration(s) to {target}; now at version {migrated.CurrentVersion:D4}.";
    }
}
