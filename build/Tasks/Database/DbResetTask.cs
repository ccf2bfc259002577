using Build.Database;
using Build.Host;
using Cake.Core.Diagnostics;

namespace Build.Tasks.Database;

[TaskName(nameof(DbReset))]
[UsesDatabase]
[TaskDescription("Builds a new database from the migrations and seed beside the live one and swaps it in, keeping the old one aside (renamed, not copied; in place when the database holds more than its migrations make); --save-snapshot/--from-snapshot=<name> for template clones")]
public sealed class DbResetTask : PlannedTask<BuildContext, DatabasePlan>
{
    private const string DbReset = "DbReset";

    /// <summary>Every refusal before the run starts: the options, a protected environment, the database's guard.</summary>
    public override void CheckInputs(BuildContext context)
    {
        var parameters = context.Parameters;
        if (parameters.SaveSnapshot is not null && parameters.FromSnapshot is not null)
        {
            throw new UsageException("--save-snapshot and --from-snapshot cannot be combined: save first, reset from it in a second run.");
        }

        context.Run.RefuseProtected(DbReset);
        context.Run.Database.Guard(DbReset, parameters.AllowRemote, parameters.Confirm);
        if (parameters.Seed is { } profile)
        {
            context.Run.Database.Seeder.RequireProfile(profile);
        }
    }

    public override Task<DatabasePlan> PlanAsync(BuildContext context) => new ResetService(context.Run.Database).PlanAsync(Request(context));

    public override async Task RunAsync(BuildContext context, DatabasePlan plan) =>
        context.Log.Information(await new ResetService(context.Run.Database).RunAsync(plan, Request(context)).ConfigureAwait(false));

    private static ResetRequest Request(BuildContext context) =>
        new(context.Parameters.SaveSnapshot, context.Parameters.FromSnapshot, context.Parameters.Seed);
}
