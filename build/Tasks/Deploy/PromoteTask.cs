using Build.Host;

namespace Build.Tasks.Deploy;

[TaskName(nameof(Promote))]
[TaskDescription("Finishes a canary: checks the candidate's health, then gives it all traffic (a failure returns traffic to the previous revision)")]
[SupportsDryRun]
[ChangesEnvironment]
public sealed class PromoteTask : AsyncFrostingTask<BuildContext>
{
    private const string Promote = "Promote";

    public override Task RunAsync(BuildContext context)
    {
        var target = DeployTaskSupport.Target(context);
        return DeployTaskSupport.Workflow(context, target).PromoteAsync(target);
    }
}
