using Build.Host;

namespace Build.Tasks.Deploy;

[TaskName(nameof(Rollback))]
[TaskDescription("Returns all traffic to the revision recorded before the last deploy, or to --revision=<name>")]
[SupportsDryRun]
[ChangesEnvironment]
public sealed class RollbackTask : AsyncFrostingTask<BuildContext>
{
    private const string Rollback = "Rollback";

    public override Task RunAsync(BuildContext context)
    {
        var target = DeployTaskSupport.Target(context);
        return DeployTaskSupport.Workflow(context, target).RollbackAsync(target, context.Parameters.Revision);
    }
}
