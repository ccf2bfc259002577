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

    /// <summary>An app without a database (no config/database.json) has nothing to seed: DevUp goes on without it.</summary>
    public override bool ShouldRun(BuildContext context) => context.ShouldRun(context.HasDatabase, BuildContext.NoDatabase);

    /// <summary>The database is resolved before the run starts: a missing connection variable or password is one line.</summary>
    public override void CheckInputs(BuildContext context)
    {
        if (context.HasDatabase)
        {
            _ = context.Run.Database;
        }
    }

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
