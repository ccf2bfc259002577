using Build.Docker;
using Build.Host;
using Build.Ops.Prune;
using Build.Tools;
using Build.Tools.Docker;
using Cake.Core.Diagnostics;

namespace Build.Tasks.Ops;

[TaskName(nameof(Prune))]
[TaskDescription("Lists this project's images, stopped containers, networks and build cache over the cap, with the space they hold; --yes removes them; volumes only with --volumes --confirm=<project>")]
public sealed class PruneTask : PlannedTask<BuildContext, StepPlan>
{
    private const string Prune = "Prune";

    /// <summary>Refused before the run starts: deleting volumes needs the compose project typed out.</summary>
    public override void CheckInputs(BuildContext context)
    {
        var composeProjects = ComposeProjects(context);
        if (context.Parameters.Volumes && (context.Parameters.Confirm is not { } confirm || !composeProjects.Contains(confirm)))
        {
            throw new UsageException(
                $"--volumes deletes the data volumes (the database included) of a compose project: add --confirm=<project>, one of {string.Join(", ", composeProjects.Order())}.");
        }
    }

    /// <summary>What is removed depends on the engine's inventory, read when the plan runs; the rules are decided here.</summary>
    public override Task<StepPlan> PlanAsync(BuildContext context)
    {
        var docker = context.Config.Docker;
        var settings = context.Config.Ops.Prune;
        var stem = docker.ProjectName ?? context.Config.Project.Name;
        var composeProjects = ComposeProjects(context);
        var volumeProjects = new HashSet<string>(StringComparer.Ordinal);
        if (context.Parameters.Volumes && context.Parameters.Confirm is { } confirm)
        {
            volumeProjects.Add(confirm);
        }

        var scope = new PruneScope
        {
            ComposeProjects = composeProjects,
            Repositories = docker.Images.Values.Select(i => i.Repository).ToHashSet(StringComparer.Ordinal),
            ProjectName = stem,
            KeepTags = settings.KeepTags.ToHashSet(StringComparer.Ordinal),
            ImagesOlderThan = context.Parameters.OlderThan ?? settings.ImagesOlderThanSpan,
            VolumeProjects = volumeProjects,
            BuildCacheCapBytes = (long)(settings.BuildCacheCapGb * 1e9),
            Now = DateTimeOffset.UtcNow,
        };
        var title = $"Prune: compose project(s) {string.Join(", ", composeProjects.Order())}; image repositories {string.Join(", ", scope.Repositories.Order())}"
            + (scope.ImagesOlderThan is { } age ? $"; images older than {PrunePlanner.Describe(age)}" : string.Empty) + ":";
        var apply = context.Parameters.Yes;
        PrunePlan? found = null;
        var steps = new List<TaskStep>
        {
            new("check: the Docker engine answers", cancellationToken => DockerEngine.RequireAsync(context.Runner, context.ProcessEnvironment.GetValueOrDefault("DOCKER_HOST"), cancellationToken)),
            new($"read the engine's containers, images, networks, volumes and build cache; print what {(apply ? "is" : "would be")} removed and what is kept, and why <read at run time>", async cancellationToken =>
            {
                found = PrunePlanner.Plan(await DockerInventory.ReadAsync(context.Runner, cancellationToken).ConfigureAwait(false), scope);
                foreach (var line in PruneRenderer.Render(found, apply))
                {
                    context.Log.Information(line);
                }
            }),
        };
        if (apply)
        {
            steps.Add(new("remove them, one docker command each (rm, rmi, network rm, volume rm, builder prune) <items read at run time>", cancellationToken => RemoveAsync(context, found!, cancellationToken)));
        }

        return Task.FromResult(new StepPlan(title, steps));
    }

    public override Task RunAsync(BuildContext context, StepPlan plan) => plan.RunAsync();

    private static async Task RemoveAsync(BuildContext context, PrunePlan plan, CancellationToken cancellationToken)
    {
        var failures = new List<string>();
        foreach (var item in plan.Items)
        {
            try
            {
                await context.Runner.RunAsync(DockerTool.Command(item.Command), cancellationToken).ConfigureAwait(false);
            }
            catch (ToolFailedException failure)
            {
                // Someone else's container may have started on it meanwhile (a shared engine): report, go on.
                failures.Add($"{item.Name}: {failure.ErrorTail.LastOrDefault() ?? failure.Message}");
            }
        }

        if (failures.Count > 0)
        {
            throw new ToolFailedException("docker", 1, $"{failures.Count} of {plan.Items.Count} item(s) were not removed", failures);
        }

        context.Log.Information($"Removed {plan.Items.Count} item(s), about {ByteSize.Format(plan.Bytes)}.");
    }

    /// <summary>The compose projects Prune looks at: --project-name, else one per environment of config/docker.json.</summary>
    private static HashSet<string> ComposeProjects(BuildContext context)
    {
        var docker = context.Config.Docker;
        var stem = docker.ProjectName ?? context.Config.Project.Name;
        return context.Parameters.ProjectName is { } named
            ? [named]
            : docker.Environments.Keys.Select(e => $"{stem}-{e}").ToHashSet(StringComparer.Ordinal);
    }
}
