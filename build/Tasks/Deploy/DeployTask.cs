using Build.Configuration;
using Build.Deploy;
using Build.Host;

namespace Build.Tasks.Deploy;

[TaskName(nameof(Deploy))]
[TaskDescription("Deploys the image by digest to Cloud Run: every service and job of config/deploy.json in order, each with its strategy (direct, blue-green, canary), jobs executed; an environment with promoteFrom deploys the digest that passed there; --env, --service, --image, --strategy, --preview, --confirm")]
[IsDependentOn(typeof(CloudBuildDeployTask))]
[ChangesEnvironment]
public sealed class DeployTask : PlannedTask<BuildContext, DeployRun>
{
    private const string Deploy = "Deploy";

    public override async Task<DeployRun> PlanAsync(BuildContext context)
    {
        var all = DeployTaskSupport.Targets(context, only: null);
        var targets = DeployTaskSupport.Targets(context);
        if (!context.Parameters.Preview)
        {
            return new DeployRun(targets.Select(target =>
            {
                var image = Image(context, target, all);
                var commit = DeployTaskSupport.CommitOf(context, target, image);
                return new DeployUnitRun(target, image, target.Kind == DeployUnitKind.Job ? DeployPlanner.DeployJob(target, image, commit) : DeployWorkflow.PlanDeploy(target, image, commit));
            }).ToArray());
        }

        var services = targets.Where(t => t.Kind == DeployUnitKind.Service).ToArray();
        if (services.Length == 0)
        {
            throw new DeployException($"--preview deploys services, and --service={context.Parameters.Service} is a job: a job's preview would run against {context.EnvironmentName}'s data. Pick a service.", 2);
        }

        // One tag per branch for every service of the environment, so PreviewCleanup finds it whichever --service was previewed.
        var git = await context.GetGitInfoAsync().ConfigureAwait(false);
        var tag = PreviewTag.For(context.ProcessEnvironment, git.Branch, PreviewTag.MaxLength(all.Where(t => t.Kind == DeployUnitKind.Service).Select(t => t.Settings.Service)));
        var skipped = targets.Where(t => t.Kind == DeployUnitKind.Job).Select(t => t.Settings.Service).ToArray();
        return new DeployRun(services.Select(target =>
        {
            var image = Image(context, target, all);
            var plan = DeployPlanner.Preview(target, image, tag, ServiceObservation.Unknown, DeployTaskSupport.CommitOf(context, target, image));
            return new DeployUnitRun(target, image, skipped.Length == 0 ? plan : plan with { Notes = [.. plan.Notes, $"jobs are not part of a preview (they would run against {target.Environment}'s data): {string.Join(", ", skipped)} not deployed."] });
        }).ToArray())
        { PreviewTag = tag };
    }

    public override async Task RunAsync(BuildContext context, DeployRun plan)
    {
        DeployTaskSupport.Print(context, plan);
        var workflow = DeployTaskSupport.Workflow(context);
        foreach (var unit in plan.Units)
        {
            var image = ImageReference.IsFromBuild(unit.Image) ? Recorded(context, unit.Target) : unit.Image;
            var commit = DeployTaskSupport.CommitOf(context, unit.Target, image);
            if (plan.PreviewTag is { } tag)
            {
                await workflow.PreviewAsync(unit.Target, image, tag, commit).ConfigureAwait(false);
            }
            else if (unit.Target.Kind == DeployUnitKind.Job)
            {
                await workflow.DeployJobAsync(unit.Target, image, commit).ConfigureAwait(false);
            }
            else
            {
                await workflow.DeployAsync(unit.Target, image, commit).ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// The image of one service or job: --image (for the environment's own image, or the one --service), the digest that
    /// passed the promoteFrom environment, or this run's build.
    /// </summary>
    private static string Image(BuildContext context, DeployTarget target, IReadOnlyList<DeployTarget> all)
    {
        var primaryImage = all.FirstOrDefault(t => t.IsPrimary)?.Settings.ImageName;
        if (context.Parameters.Image is { } image && (context.Parameters.Service is not null || target.Settings.ImageName == primaryImage))
        {
            return ImageReference.RequireDigest(image, "--image");
        }

        // Build once: an environment that promotes deploys the digest that passed the other one, never a build of its own.
        if (target.Settings.PromoteFrom is { } source)
        {
            var owner = all.Where(t => t.Kind == DeployUnitKind.Service && t.Settings.ImageName == target.Settings.ImageName).OrderBy(t => t.IsPrimary ? 0 : 1).FirstOrDefault() ?? target;
            return DeployTaskSupport.PassedImage(context, target, source, DeployTarget.RecordKeyOf(source, owner.Settings.Service, owner.IsPrimary));
        }

        // The build of this run (CloudBuildDeploy) pushes it: known once that ran; with --skip-build, an earlier build's.
        return context.Parameters.SkipBuild ? Recorded(context, target) : ImageReference.FromBuildOf(target.Settings.ImageName, primaryImage);
    }

    private static string Recorded(BuildContext context, DeployTarget target)
    {
        var record = DeployTaskSupport.Store(context).Read(DeployTaskSupport.BuildRecordKey(context, target));
        var built = record?.BuiltImages.GetValueOrDefault(target.Settings.ImageName) ?? (target.IsPrimary || record?.BuiltImages.Count == 0 ? record?.BuiltImage : null);
        return built is not null
            ? ImageReference.RequireDigest(built, "The recorded image")
            : throw new DeployException(
                $"No image {target.Settings.ImageName} is recorded for {target.Environment}: run {Bootstrapper.Command} --target=CloudBuildDeploy --env={target.Environment} (config/cloudbuild.yaml must push it), or pass --service={target.Settings.Service} --image=<repository>/<name>@sha256:<digest>.", 2);
    }
}

/// <summary>One service's or job's part of a Deploy: its target, its image (a placeholder while CloudBuildDeploy has not pushed it) and its steps.</summary>
public sealed record DeployUnitRun(DeployTarget Target, string Image, DeployPlan Plan);

/// <summary>Deploy's plan: every service and job in order (one, for an app with one service); with <see cref="PreviewTag"/>, a preview of each service.</summary>
public sealed record DeployRun(IReadOnlyList<DeployUnitRun> Units) : ITaskPlan
{
    public string? PreviewTag { get; init; }

    public IEnumerable<string> Render() => Units.SelectMany(u => u.Plan.Render());
}
