using Build.Database;
using Build.Host;
using Cake.Core.Diagnostics;

namespace Build.Tasks.Database;

[TaskName(nameof(Seed))]
[UsesDatabase]
[TaskDescription("Loads demo data (scripts/db/seed/<profile>) while the seeded tables are below the threshold; --seed=minimal|demo always seeds")]
[IsDependentOn(typeof(MigrateTask))]
[SupportsDryRun]
public sealed class SeedTask : AsyncFrostingTask<BuildContext>
{
    private const string Seed = "Seed";

    /// <summary>The database is resolved before the run starts: a missing connection variable or password is one line.</summary>
    public override void CheckInputs(BuildContext context) => _ = context.Run.Database;

    public override async Task RunAsync(BuildContext context)
    {
        var seed = new SeedService(context.Run.Database);
        var plan = await seed.PlanAsync(context.Parameters.Seed).ConfigureAwait(false);
        if (context.IsDryRun)
        {
            plan.Render().ToList().ForEach(line => context.Log.Information("{0}", line));
            return;
        }

        context.Log.Information(await seed.RunAsync(plan).ConfigureAwait(false));
    }
}
