using Build.Database;
using Build.Host;
using Cake.Core.Diagnostics;

namespace Build.Tasks.Database;

[TaskName(nameof(Migrate))]
[UsesDatabase]
[TaskDescription("Applies pending migrations (scripts/db/migrations/NNNN_*.sql) in order, each in its own transaction")]
public sealed class MigrateTask : PlannedTask<BuildContext, DatabasePlan>
{
    private const string Migrate = "Migrate";

    /// <summary>An app without a database (no config/database.json) has nothing to migrate: DevUp goes on without it.</summary>
    public override bool ShouldRun(BuildContext context) =>
        context.ShouldRun(context.HasDatabase, BuildContext.NoDatabase)
        && context.ShouldRun(context.Run.UpToDate is not { UpToDate: true }, Dev.DevStartTask.UpToDateReason(context, "migrations at head"));

    /// <summary>The database is resolved before the run starts: a missing connection variable or password is one line.</summary>
    public override void CheckInputs(BuildContext context)
    {
        if (context.HasDatabase)
        {
            _ = context.Run.Database;
        }
    }

    public override Task<DatabasePlan> PlanAsync(BuildContext context) => new MigrateService(context.Run.Database).PlanAsync();

    public override async Task RunAsync(BuildContext context, DatabasePlan plan) =>
        context.Log.Information(await new MigrateService(context.Run.Database).RunAsync(plan).ConfigureAwait(false));
}
