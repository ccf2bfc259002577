using Build.Database;
using Build.Host;
using Cake.Core.Diagnostics;

namespace Build.Tasks.Database;

[TaskName(nameof(Seed))]
[UsesDatabase]
[TaskDescription("Loads demo data (scripts/db/seed/<profile>, or the app's seed command) while the seeded tables are below the threshold; --seed=<profile> always seeds")]
[IsDependentOn(typeof(MigrateTask))]
public sealed class SeedTask : PlannedTask<BuildContext, DatabasePlan>
{
    private const string Seed = "Seed";

    /// <summary>An app without a database (no config/database.json) has nothing to seed: DevUp goes on without it.</summary>
    public override bool ShouldRun(BuildContext context) =>
        context.ShouldRun(context.HasDatabase, BuildContext.NoDatabase)
        && context.ShouldRun(context.Run.UpToDate is not { UpToDate: true }, Dev.DevStartTask.UpToDateReason(context, "seeded tables at the threshold"));

    /// <summary>
    /// The database is resolved and --seed checked before the run starts: a missing connection variable or password, or
    /// a profile the app does not have, is one line.
    /// </summary>
    public override void CheckInputs(BuildContext context)
    {
        if (!context.HasDatabase)
        {
            return;
        }

        var database = context.Run.Database;
        if (context.Parameters.Seed is { } profile)
        {
            database.Seeder.RequireProfile(profile);
        }
    }

    public override Task<DatabasePlan> PlanAsync(BuildContext context) => new SeedService(context.Run.Database).PlanAsync(context.Parameters.Seed);

    public override async Task RunAsync(BuildContext context, DatabasePlan plan) =>
        context.Log.Information(await new SeedService(context.Run.Database).RunAsync(plan).ConfigureAwait(false));
}
