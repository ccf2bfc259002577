using Build.Host;

namespace Build.Tasks.Deploy;

[TaskName(nameof(DeployStatus))]
[TaskDescription("Shows the Cloud Run service of --env: URL, traffic split, revisions and the recorded release")]
[ReadsOnly]
public sealed class DeployStatusTask : AsyncFrostingTask<BuildContext>
{
    private const string DeployStatus = "DeployStatus";

    public override Task RunAsync(BuildContext context)
    {
        var target = DeployTaskSupport.Target(context);
        return DeployTaskSupport.Workflow(context, target).StatusAsync(target);
    }
}
