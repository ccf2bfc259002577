using Build.Deploy;
using Build.Host;

namespace Build.Tasks.Deploy;

[TaskName(nameof(Deploy))]
[TaskDescription("Deploys the image by digest to Cloud Run with the environment's strategy (direct, blue-green, canary); --env, --image, --strategy, --confirm")]
[IsDependentOn(typeof(CloudBuildDeployTask))]
[ChangesEnvironment]
public sealed class DeployTask : PlannedTask<BuildContext, DeployRun>
{
    private const string Deploy = "Deploy";

    public override Task<DeployRun> PlanAsync(BuildContext context)
    {
        var target = DeployTaskSupport.Target(context);
        var image = Image(context, target);
        return Task.FromResult(new DeployRun(target, image, DeployWorkflow.PlanDeploy(target, image)));
    }

    public override Task RunAsync(BuildContext context, DeployRun plan)
    {
        DeployTaskSupport.Print(context, plan);
        var image = plan.Image == ImageReference.FromBuild ? Recorded(context, plan.Target) : plan.Image;
        return DeployTaskSupport.Workflow(context, plan.Target).DeployAsync(plan.Target, image);
    }

    /// <summary>
    /// The image: <c>--image</c>; else the one CloudBuildDeploy pushes in this run (a placeholder until it ran, read
    /// from the release record when Deploy runs); with <c>--skip-build</c>, the one recorded by an earlier build.
    /// </summary>
    private static string Image(BuildContext context, DeployTarget target)
    {
        if (context.Parameters.Image is { } image)
        {
            return ImageReference.RequireDigest(image, "--image");
        }

        return context.Parameters.SkipBuild ? Recorded(context, target) : ImageReference.FromBuild;
    }

    private static string Recorded(BuildContext context, DeployTarget target) =>
        DeployTaskSupport.Store(context).Read(target.Environment)?.BuiltImage is { } built
            ? ImageReference.RequireDigest(built, "The recorded image")
            : throw new DeployException(
                $"No image is recorded for {target.Environment}: run ./build.sh --target=CloudBuildDeploy --env={target.Environment}, or pass --image=<repository>/<name>@sha256:<digest>.", 2);
}

/// <summary>Deploy's plan: the target, the image (a placeholder while CloudBuildDeploy has not pushed it) and the steps.</summary>
public sealed record DeployRun(DeployTarget Target, string Image, DeployPlan Plan) : ITaskPlan
{
    public IEnumerable<string> Render() => Plan.Render();
}
