using Build.Host;

namespace Build.Tasks.Deploy;

[TaskName(nameof(Promote))]
[TaskDescription("Finishes a canary: checks the candidate's health, then gives it all traffic (a failure returns traffic to the previous revision)")]
[ChangesEnvironment]
public sealed class PromoteTask : PlannedTask<BuildContext, DeployStepsPlan>
{
    private const string Promote = "Promote";

    public override Task<DeployStepsPlan> PlanAsync(BuildContext context)
    {
        var target = DeployTaskSupport.Target(context);
        return Task.FromResult(new DeployStepsPlan(target, DeployTaskSupport.Workflow(context, target).PlanPromote(target)));
    }

    public override Task RunAsync(BuildContext context, DeployStepsPlan plan)
    {
        DeployTaskSupport.Print(context, plan);
        return DeployTaskSupport.Workflow(context, plan.Target).PromoteAsync(plan.Target);
    }
}
