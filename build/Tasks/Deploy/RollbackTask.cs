using Build.Host;

namespace Build.Tasks.Deploy;

[TaskName(nameof(Rollback))]
[TaskDescription("Returns all traffic to the revision recorded before the last deploy, or to --revision=<name>")]
[ChangesEnvironment]
public sealed class RollbackTask : PlannedTask<BuildContext, DeployStepsPlan>
{
    private const string Rollback = "Rollback";

    public override Task<DeployStepsPlan> PlanAsync(BuildContext context)
    {
        var target = DeployTaskSupport.Target(context);
        return Task.FromResult(new DeployStepsPlan(target, DeployTaskSupport.Workflow(context, target).PlanRollback(target, context.Parameters.Revision)));
    }

    public override Task RunAsync(BuildContext context, DeployStepsPlan plan)
    {
        DeployTaskSupport.Print(context, plan);
        return DeployTaskSupport.Workflow(context, plan.Target).RollbackAsync(plan.Target, context.Parameters.Revision);
    }
}
