using System.Diagnostics;
using System.Globalization;
using Build.Tools;
using Build.Tools.Docker;
using Cake.Core.Diagnostics;

namespace Build.Docker;

public enum ImageOutcome
{
    Built,

    /// <summary>An image with the same inputs hash exists: tagged again, not rebuilt.</summary>
    Unchanged,
}

public sealed record ImageResult(string Name, ImageOutcome Outcome, string Reference, TimeSpan Duration);

/// <summary>
/// Builds planned images: a plan whose inputs hash is already on an image is skipped (and that image tagged again),
/// the others build with BuildKit; images that do not depend on each other build in parallel, each with its output
/// prefixed by its name.
/// </summary>
public sealed class ImageBuilder(ICommandRunner queries, Func<string, ICommandRunner> runnerFor, ICakeLog log, string workingDirectory)
{
    /// <summary>Ids of the base images named by the plans' build arguments (absent ones are left out).</summary>
    public async Task<IReadOnlyDictionary<string, string>> BaseImageIdsAsync(IEnumerable<string> images, CancellationToken cancellationToken = default)
    {
        var ids = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var image in images.Distinct(StringComparer.Ordinal))
        {
            try
            {
                var result = await queries.RunAsync(Query(DockerTool.ImageIdArguments(image)), cancellationToken).ConfigureAwait(false);
                ids[image] = result.StandardOutput.Trim();
            }
            catch (ToolFailedException)
            {
                // Not here yet (the build pulls it, or fails saying so): the hash then changes once it exists.
            }
        }

        return ids;
    }

    public async Task<IReadOnlyList<ImageResult>> BuildAsync(IReadOnlyList<ImagePlan> plans, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(plans);
        var results = new List<ImageResult>();
        var remaining = plans.ToList();
        var names = plans.Select(p => p.Name).ToHashSet(StringComparer.Ordinal);
        while (remaining.Count > 0)
        {
            var done = results.Select(r => r.Name).ToHashSet(StringComparer.Ordinal);
            var ready = remaining.Where(p => p.DependsOn.All(d => done.Contains(d) || !names.Contains(d))).ToArray();
            if (ready.Length == 0)
            {
                throw new Configuration.ConfigurationException(
                    "config/docker.json", 0, $"images depend on each other in a cycle: {string.Join(", ", remaining.Select(p => p.Name))}.");
            }

            var parallel = ready.Length > 1;
            results.AddRange(await Task.WhenAll(ready.Select(p => BuildOneAsync(p, parallel, cancellationToken))).ConfigureAwait(false));
            remaining.RemoveAll(ready.Contains);
        }

        return results;
    }

    private async Task<ImageResult> BuildOneAsync(ImagePlan plan, bool parallel, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var shortHash = plan.InputsHash[..12];
        var runner = runnerFor(plan.Name);
        var existing = await queries.RunAsync(Query(DockerTool.ImagesWithLabelArguments(ImagePlanner.InputsHashLabel, plan.InputsHash)), cancellationToken)
            .ConfigureAwait(false);
        if (existing.OutputLines.FirstOrDefault() is { } id)
        {
            log.Information($"{plan.Name}: unchanged (inputs {shortHash} already built as {id[..Math.Min(id.Length, 19)]}): build skipped, tags refreshed.");
            foreach (var tag in plan.Tags)
            {
                await runner.RunAsync(Command(DockerTool.TagArguments(id, tag), quiet: true), cancellationToken).ConfigureAwait(false);
            }

            return new ImageResult(plan.Name, ImageOutcome.Unchanged, plan.Tags[0], clock.Elapsed);
        }

        log.Information($"{plan.Name}: building {string.Join(", ", plan.Tags)} (inputs {shortHash}){(parallel ? ", in parallel" : string.Empty)}");
        await new DockerTool(runner).BuildAsync(plan.ToBuildSettings(workingDirectory), cancellationToken).ConfigureAwait(false);
        log.Information($"{plan.Name}: built in {clock.Elapsed.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture)} s");
        return new ImageResult(plan.Name, ImageOutcome.Built, plan.Tags[0], clock.Elapsed);
    }

    private static ToolCommand Query(ArgumentList arguments) => DockerTool.Command(arguments, query: true);

    private static ToolCommand Command(ArgumentList arguments, bool quiet) => DockerTool.Command(arguments) with { Quiet = quiet };
}
