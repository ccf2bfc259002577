using Build.Host;

namespace Build.Tasks.Deploy;

[TaskName(nameof(Promote))]
[TaskDescription("Finishes a canary: checks the candidate's health, then gives it all traffic (a failure returns traffic to the previous revision); every service whose canary waits, or --service")]
[ChangesEnvironment]
public sealed class PromoteTask : PlannedTask<BuildContext, DeployStepsPlan>
{
    private const string Promote = "Promote";

    public override Task<DeployStepsPlan> PlanAsync(BuildContext context) =>
        Task.FromResult(new DeployStepsPlan(DeployTaskSupport.Workflow(context).PlanPromote(DeployTaskSupport.Services(context, Promote))));

    public override async Task RunAsync(BuildContext context, DeployStepsPlan plan)
    {
        DeployTaskSupport.Print(context, plan);
        var workflow = DeployTaskSupport.Workflow(context);
        foreach (var (target, _) in plan.Services)
        {
            await workflow.PromoteAsync(target).ConfigureAwait(false);
        }
    }
}
