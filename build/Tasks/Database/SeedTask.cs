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
        var workspace = context.Run.Database;
        var (opened, problem) = workspace.IsDryRun
            ? await DatabaseConnector.TryOpenAsync(workspace.Target).ConfigureAwait(false)
            : (await DatabaseConnector.OpenAsync(workspace.Target).ConfigureAwait(false), null);
        if (opened is null)
        {
            // A dry run needs no database (DevUp's would start it first): the plan says what it reads at run time.
            context.Log.Information($"Would seed profile '{context.Parameters.Seed ?? workspace.Config.Seed.DefaultProfile}' <if the seeded tables are below the threshold, read at run time> (now: {problem})");
            return;
        }

        await using var connection = opened;
        var result = await workspace.Seeder.SeedAsync(connection, context.Parameters.Seed, workspace.IsDryRun).ConfigureAwait(false);
        if (result.SkipReason is "dry run")
        {
            context.Log.Information($"Would seed profile '{result.Profile}': {string.Join(", ", result.Applied)}");
        }
        else if (result.SkipReason is { } reason)
        {
            context.Log.Information($"Skipped seeding: {reason}.");
        }
        else
        {
            var after = await workspace.Seeder.CountSeededRowsAsync(connection).ConfigureAwait(false);
            context.Log.Information($"Seeded profile '{result.Profile}' ({result.Applied.Count} file(s)); the seeded tables hold {after} row(s), {after - result.RowsBefore} new.");
        }
    }
}
