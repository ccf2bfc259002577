using Build.Database;
using Build.Host;
using Cake.Core.Diagnostics;

namespace Build.Tasks.Database;

[TaskName(nameof(DbReset))]
[UsesDatabase]
[TaskDescription("Backs up, ends other sessions, drops and recreates the app's schemas, migrates and seeds; --save-snapshot/--from-snapshot=<name> for template clones")]
[SupportsDryRun]
public sealed class DbResetTask : AsyncFrostingTask<BuildContext>
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
    }

    public override async Task RunAsync(BuildContext context)
    {
        var parameters = context.Parameters;
        var workspace = context.Run.Database;
        var reset = new ResetService(workspace);
        var request = new ResetRequest(parameters.SaveSnapshot, parameters.FromSnapshot, parameters.Seed);
        var plan = await reset.PlanAsync(request).ConfigureAwait(false);
        if (context.IsDryRun)
        {
            plan.Render().ToList().ForEach(line => context.Log.Information("{0}", line));
            return;
        }

        context.Log.Information(await reset.RunAsync(plan, request).ConfigureAwait(false));
    }
}
