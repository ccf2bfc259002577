using Build.Configuration;
using Build.Host;

namespace Build.Tasks.Deploy;

[TaskName(nameof(DeployStatus))]
[TaskDescription("Shows the Cloud Run services and jobs of --env (or --service): URL, traffic split, revisions, executions and the recorded release")]
[ReadsOnly]
public sealed class DeployStatusTask : AsyncFrostingTask<BuildContext>
{
    private const string DeployStatus = "DeployStatus";

    public override async Task RunAsync(BuildContext context)
    {
        var workflow = DeployTaskSupport.Workflow(context);
        foreach (var target in DeployTaskSupport.Targets(context))
        {
            await (target.Kind == DeployUnitKind.Job ? workflow.JobStatusAsync(target) : workflow.StatusAsync(target)).ConfigureAwait(false);
        }
    }
}
