using Build.Deploy;
using Build.Host;
using Build.Tools.Gcloud;
using Cake.Core.Diagnostics;

namespace Build.Tasks.Deploy;

[TaskName(nameof(CloudBuildDeploy))]
[TaskDescription("Builds the image with Cloud Build, pushes it to Artifact Registry tagged with the commit and the environment, and records its digest")]
[ChangesEnvironment]
public sealed class CloudBuildDeployTask : PlannedTask<BuildContext, CloudBuildPlan>
{
    private const string CloudBuildDeploy = "CloudBuildDeploy";

    public override bool ShouldRun(BuildContext context) =>
        context.ShouldRun(context.Parameters.Image is null && !context.Parameters.SkipBuild, "--image or --skip-build given: no build, the image is already pushed")
        && context.ShouldRun(
            context.Config.Deploy.Environments.GetValueOrDefault(context.EnvironmentName)?.PromoteFrom is null,
            $"{context.EnvironmentName} promotes the digest that passed {context.Config.Deploy.Environments.GetValueOrDefault(context.EnvironmentName)?.PromoteFrom} (promoteFrom): built once, never rebuilt");

    /// <summary>Checked and planned without asking Google Cloud: the commit, the substitutions, the command.</summary>
    public override async Task<CloudBuildPlan> PlanAsync(BuildContext context)
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
        }

        // As local builds do (config/docker.json): APP_VERSION when set, and the commit's time, never "now".
        var buildTime = await context.Git.CommitTimeAsync(new Build.Tools.Git.GitSettings { WorkingDirectory = context.Paths.App }).ConfigureAwait(false) ?? "unknown";
        var settings = Submission(context).Prepare(target, context.Config.Deploy.CloudBuild, git.Commit, context.Variable("APP_VERSION") ?? "0.0.0-dev", buildTime);
        return new CloudBuildPlan(target, settings, git.Commit, new DeployPlan
        {
            Title = $"Cloud Build for {target.Environment}: substitutions checked against {settings.Config}; pushes {target.Settings.ImageRepository}:{git.Commit} and :{target.Environment}",
            Reads = [GcloudTool.AuthListArguments(), GcloudTool.ConfigGetProjectArguments()],
            Steps = [new CommandStep(GcloudTool.BuildsSubmitArguments(settings), StepEffect.CreatesRevision)],
            Notes = git.IsDirty ? [$"uncommitted changes are uploaded too; the image is still tagged {git.ShortCommit}."] : [],
        });
    }

    public override async Task RunAsync(BuildContext context, CloudBuildPlan plan)
    {
        DeployTaskSupport.Print(context, plan);
        await Submission(context).SubmitAsync(plan.Target, plan.Settings, plan.Commit, DeployTaskSupport.BuildRecordKey(context, plan.Target)).ConfigureAwait(false);
    }

    private static CloudBuildSubmission Submission(BuildContext context) =>
        new(context.Gcloud, DeployTaskSupport.Store(context), context.Log, context.Secrets, context.Paths.App, DeployTaskSupport.ExternalCredentials(context));
}

/// <summary>CloudBuildDeploy's plan: what is submitted, and the lines that show it.</summary>
public sealed record CloudBuildPlan(DeployTarget Target, BuildsSubmitSettings Settings, string Commit, DeployPlan Lines) : ITaskPlan
{
    public IEnumerable<string> Render() => Lines.Render();
}
