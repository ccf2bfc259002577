using Build.Docker;
using Build.Host;
using Build.Ops.Prune;
using Build.Tools;
using Build.Tools.Docker;
using Cake.Core.Diagnostics;

namespace Build.Tasks.Ops;

[TaskName(nameof(Prune))]
[TaskDescription("Lists this project's images, stopped containers, networks and build cache over the cap, with the space they hold; --yes removes them; volumes only with --volumes --confirm=<project>")]
[SupportsDryRun]
public sealed class PruneTask : AsyncFrostingTask<BuildContext>
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

    public override async Task RunAsync(BuildContext context)
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
        context.Log.Information($"Prune: compose project(s) {string.Join(", ", composeProjects.Order())}; image repositories {string.Join(", ", scope.Repositories.Order())}"
            + (scope.ImagesOlderThan is { } age ? $"; images older than {PrunePlanner.Describe(age)}" : string.Empty));

        await DockerEngine.RequireAsync(context.Runner, context.ProcessEnvironment.GetValueOrDefault("DOCKER_HOST")).ConfigureAwait(false);
        var inventory = await DockerInventory.ReadAsync(context.Runner).ConfigureAwait(false);
        var plan = PrunePlanner.Plan(inventory, scope);
        var apply = context.Parameters.Yes;
        foreach (var line in PruneRenderer.Render(plan, apply))
        {
            context.Log.Information(line);
        }

        if (!apply)
        {
            return;
        }

        var failures = new List<string>();
        foreach (var item in plan.Items)
        {
            try
            {
                await context.Runner.RunAsync(DockerTool.Command(item.Command)).ConfigureAwait(false);
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

        if (!context.IsDryRun)
        {
            context.Log.Information($"Removed {plan.Items.Count} item(s), about {ByteSize.Format(plan.Bytes)}.");
        }
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
