using Build.Deploy;
using Build.Host;

namespace Build.Tasks.Deploy;

[TaskName(nameof(Deploy))]
[TaskDescription("Deploys the image by digest to Cloud Run with the environment's strategy (direct, blue-green, canary); an environment with promoteFrom deploys the digest that passed there; --env, --image, --strategy, --confirm")]
[IsDependentOn(typeof(CloudBuildDeployTask))]
[SupportsDryRun]
[ChangesEnvironment]
public sealed class DeployTask : AsyncFrostingTask<BuildContext>
{
    private const string Deploy = "Deploy";

    public override Task RunAsync(BuildContext context)
    {
        var target = DeployTaskSupport.Target(context);
        var image = Image(context, target);
        return DeployTaskSupport.Workflow(context, target).DeployAsync(target, image, DeployTaskSupport.CommitOf(context, target, image));
    }

    private static string Image(BuildContext context, DeployTarget target)
    {
        if (context.Parameters.Image is { } image)
        {
            return ImageReference.RequireDigest(image, "--image");
        }

        // Build once: an environment that promotes deploys the digest that passed the other one, never a build of its own.
        if (target.Settings.PromoteFrom is { } source)
        {
            return DeployTaskSupport.PassedImage(context, target, source);
        }

        var built = context.IsDryRun && !context.Parameters.SkipBuild ? null : DeployTaskSupport.Store(context).Read(target.Environment)?.BuiltImage;
        if (built is not null)
        {
            return ImageReference.RequireDigest(built, "The recorded image");
        }

        return context.IsDryRun
            ? ImageReference.FromBuild
            : throw new DeployException(
                $"No image is recorded for {target.Environment}: run ./build.sh --target=CloudBuildDeploy --env={target.Environment}, or pass --image=<repository>/<name>@sha256:<digest>.", 2);
    }
}
