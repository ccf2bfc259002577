using Build.Docker;
using Build.Host;
using Cake.Core.Diagnostics;

namespace Build.Tasks.Dev;

[TaskName(nameof(BuildImages))]
[TaskDescription("Builds every image of config/docker.json (tags: commit, branch, dev; OCI labels), skipping those whose inputs did not change")]
[SupportsDryRun]
[UsesComposeStack]
public sealed class BuildImagesTask : AsyncFrostingTask<BuildContext>
{
    private const string BuildImages = "BuildImages";

    public override async Task RunAsync(BuildContext context)
    {
        var project = context.Run.Compose;
        // The same inputs hash as DevUp's (what the environment's stack bind-mounts left out), so neither rebuilds what
        // the other built; compose config needs no engine.
        var model = await context.Run.Stack.ReadModelAsync().ConfigureAwait(false);
        var results = await context.Run.Images.BuildAsync(project, project.Config.Images.Keys.ToArray(), model: model).ConfigureAwait(false);
        foreach (var result in results)
        {
            context.Log.Information($"  {result.Name,-12} {(result.Outcome == ImageOutcome.Built ? "built" : "unchanged"),-9} {result.Reference}");
        }
    }
}
