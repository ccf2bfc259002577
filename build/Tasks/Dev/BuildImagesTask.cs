using Build.Docker;
using Build.Host;
using Build.Tools;
using Cake.Core.Diagnostics;

namespace Build.Tasks.Dev;

[TaskName(nameof(BuildImages))]
[TaskDescription("Builds every image of config/docker.json (tags: commit, branch, dev; OCI labels), skipping those whose inputs did not change")]
[UsesComposeStack]
public sealed class BuildImagesTask : PlannedTask<BuildContext, StepPlan>
{
    private const string BuildImages = "BuildImages";

    private IReadOnlyList<ImageResult> results = [];

    public override async Task<StepPlan> PlanAsync(BuildContext context)
    {
        var project = context.Run.Compose;
        // The same inputs hash as DevUp's (what the environment's stack bind-mounts left out), so neither rebuilds what
        // the other built; compose config needs no engine.
        var model = await context.Run.Stack.ReadModelAsync().ConfigureAwait(false);
        var names = project.Config.Images.Keys.ToArray();
        return new StepPlan(
            $"Build the images of {context.Paths.Relative(context.Paths.DockerConfig)}:",
            [await context.Run.Images.PlanStepAsync(project, names, model, built: built => results = built).ConfigureAwait(false)]);
    }

    public override async Task RunAsync(BuildContext context, StepPlan plan)
    {
        await plan.RunAsync().ConfigureAwait(false);
        foreach (var result in results)
        {
            context.Log.Information($"  {result.Name,-12} {(result.Outcome == ImageOutcome.Built ? "built" : "unchanged"),-9} {result.Reference}");
        }
    }
}
