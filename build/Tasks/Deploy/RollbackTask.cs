using Build.Host;

namespace Build.Tasks.Deploy;

[TaskName(nameof(Rollback))]
[TaskDescription("Returns all traffic to the revision recorded before the last deploy, or to --revision=<name>; every service with a recorded previous revision (the last deployed first), or --service")]
[ChangesEnvironment]
public sealed class RollbackTask : PlannedTask<BuildContext, DeployStepsPlan>
{
    private const string Rollback = "Rollback";

    public override Task<DeployStepsPlan> PlanAsync(BuildContext context) =>
        Task.FromResult(new DeployStepsPlan(DeployTaskSupport.Workflow(context).PlanRollback(DeployTaskSupport.Services(context, Rollback), context.Parameters.Revision)));

    public override async Task RunAsync(BuildContext context, DeployStepsPlan plan)
    {
        DeployTaskSupport.Print(context, plan);
        var workflow = DeployTaskSupport.Workflow(context);
        foreach (var (target, _) in plan.Services)
        {
            await workflow.RollbackAsync(target, context.Parameters.Revision).ConfigureAwait(false);
        }
    }
}
