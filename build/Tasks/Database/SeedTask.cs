using Build.Database;
using Build.Host;
using Cake.Core.Diagnostics;

namespace Build.Tasks.Database;

[TaskName(nameof(Seed))]
[UsesDatabase]
[TaskDescription("Loads demo data (scripts/db/seed/<profile>) while the seeded tables are below the threshold; --seed=minimal|demo always seeds")]
[IsDependentOn(typeof(MigrateTask))]
public sealed class SeedTask : PlannedTask<BuildContext, DatabasePlan>
{
    private const string Seed = "Seed";

    /// <summary>The database is resolved before the run starts: a missing connection variable or password is one line.</summary>
    public override void CheckInputs(BuildContext context) => _ = context.Run.Database;

    public override Task<DatabasePlan> PlanAsync(BuildContext context) => new SeedService(context.Run.Database).PlanAsync(context.Parameters.Seed);

    public override async Task RunAsync(BuildContext context, DatabasePlan plan) =>
        context.Log.Information(await new SeedService(context.Run.Database).RunAsync(plan).ConfigureAwait(false));
}
