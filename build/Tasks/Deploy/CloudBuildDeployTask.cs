using Build.Deploy;
using Build.Host;
using Build.Tools.Gcloud;
using Cake.Core.Diagnostics;

namespace Build.Tasks.Deploy;

[TaskName(nameof(CloudBuildDeploy))]
[TaskDescription("Builds the image with Cloud Build, pushes it to Artifact Registry tagged with the commit and the environment, and records its digest")]
[SupportsDryRun]
[ChangesEnvironment]
public sealed class CloudBuildDeployTask : AsyncFrostingTask<BuildContext>
{
    private const string CloudBuildDeploy = "CloudBuildDeploy";

    public override bool ShouldRun(BuildContext context) =>
        context.ShouldRun(context.Parameters.Image is null && !context.Parameters.SkipBuild, "--image or --skip-build given: no build, the image is already pushed")
        && context.ShouldRun(
            context.Config.Deploy.Environments.GetValueOrDefault(context.EnvironmentName)?.PromoteFrom is null,
            $"{context.EnvironmentName} promotes the digest that passed {context.Config.Deploy.Environments.GetValueOrDefault(context.EnvironmentName)?.PromoteFrom} (promoteFrom): built once, never rebuilt");

    public override async Task RunAsync(BuildContext context)
    {
        var target = DeployTaskSupport.Target(context);
        var git = await context.GetGitInfoAsync().ConfigureAwait(false);
        if (git.Commit == "unknown")
        {
            throw new DeployException("No git commit to tag the image with: run from a git checkout with at least one commit.", 2);
        }

        if (git.IsDirty)
        {
            if (target.Protected)
            {
                throw new DeployException($"The working tree has uncommitted changes: an image for {target.Environment} (protected) is built from a commit only. Commit or stash, then run again.", 2);
            }

            context.Log.Information($"note: uncommitted changes are uploaded too; the image is still tagged {git.ShortCommit}.");
        }

        var submission = new CloudBuildSubmission(context.Gcloud, DeployTaskSupport.Store(context), context.Log, context.Secrets, context.Paths.App, DeployTaskSupport.ExternalCredentials(context));
        // As local builds do (config/docker.json): APP_VERSION when set, and the commit's time, never "now".
        var buildTime = await context.Git.CommitTimeAsync(new Build.Tools.Git.GitSettings { WorkingDirectory = context.Paths.App }).ConfigureAwait(false) ?? "unknown";
        var settings = submission.Prepare(target, context.Config.Deploy.CloudBuild, git.Commit, context.Variable("APP_VERSION") ?? "0.0.0-dev", buildTime);
        context.Log.Information($"Cloud Build for {target.Environment}: substitutions checked against {settings.Config}; pushes {target.Settings.ImageRepository}:{git.Commit} and :{target.Environment}");
        context.Log.Information("   read:  " + CommandStep.Line(GcloudTool.AuthListArguments()));
        context.Log.Information("   read:  " + CommandStep.Line(GcloudTool.ConfigGetProjectArguments()));
        context.Log.Information("    1. " + CommandStep.Line(GcloudTool.BuildsSubmitArguments(settings)));
        if (context.IsDryRun)
        {
            context.Log.Information("Dry run: nothing was uploaded.");
            return;
        }

        await submission.SubmitAsync(target, settings, git.Commit).ConfigureAwait(false);
    }
}
