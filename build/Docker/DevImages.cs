using Build.Tools;
using Build.Tools.Git;
using Cake.Core.Diagnostics;

namespace Build.Docker;

/// <summary>
/// Plans and builds images of config/docker.json for a run: the seam between the tasks and the builder. Created once
/// per run (<see cref="RunProfile"/>) with what it needs.
/// </summary>
public sealed class DevImages(
    ICommandRunner runner,
    ICakeLog log,
    SecretMasker secrets,
    Configuration.KitPaths paths,
    GitTool git,
    Func<Task<GitInfo>> gitInfo,
    string kitProject,
    string? dockerHost,
    bool dryRun)
{
    /// <summary>
    /// Builds <paramref name="names"/>, each only when its inputs changed. <paramref name="engineAnswered"/>: what the
    /// caller already knows (null: ask). Without an engine a real run stops with the one-line fix; a dry run goes on,
    /// saying it cannot tell which images are unchanged. Base images that are not on this machine are pulled first,
    /// so a registry that does not answer is one line naming OfflineImages, not a failed build. <paramref name="model"/>:
    /// the environment's merged stack; what it bind-mounts into an image's containers is left out of that image's
    /// inputs hash (null: every image hashes its whole context).
    /// </summary>
    public async Task<IReadOnlyList<ImageResult>> BuildAsync(
        ComposeProject project, IReadOnlyList<string> names, bool? engineAnswered = null, ComposeModel? model = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(project);
        ArgumentNullException.ThrowIfNull(names);
        if (names.Count == 0)
        {
            log.Information("No images to build.");
            return [];
        }

        var images = names.Select(n => (Name: n, Config: project.Config.Images.TryGetValue(n, out var image)
            ? image
            : throw new Configuration.ConfigurationException("config/docker.json", 0, $"environment '{project.EnvironmentName}' names image '{n}', which is not under images."))).ToArray();
        var source = await ReadSourceAsync(cancellationToken).ConfigureAwait(false);
        if (engineAnswered is null)
        {
            var (version, silence) = await DockerEngine.ProbeAsync(runner, dockerHost, cancellationToken).ConfigureAwait(false);
            if (version is null && !dryRun)
            {
                throw new EngineUnreachableException(silence!);
            }

            engineAnswered = version is not null;
        }

        // One runner per image, so parallel builds print each line with the image's name before it.
        ICommandRunner RunnerFor(string name) => dryRun || names.Count == 1
            ? runner
            : new ProcessCommandRunner(new PrefixedLog(log, $"[{name}] "), secrets);

        var builder = new ImageBuilder(runner, RunnerFor, log, paths.App) { EngineAnswered = engineAnswered.Value };
        var baseImages = images.SelectMany(i => ImagePlanner.BaseImages(i.Config.BuildArgs.ToDictionary(p => p.Key, p => project.Expand(p.Value), StringComparer.Ordinal)))
            .Distinct(StringComparer.Ordinal).ToArray();
        var baseIds = engineAnswered.Value ? await builder.BaseImageIdsAsync(baseImages, cancellationToken).ConfigureAwait(false) : new Dictionary<string, string>();
        if (engineAnswered.Value && baseImages.Where(b => !baseIds.ContainsKey(b)).ToArray() is { Length: > 0 } absent)
        {
            var availability = new ImageAvailability(runner);
            var problems = new List<string>();
            foreach (var image in absent)
            {
                log.Information($"Images: pulling base image {image}, which is not on this machine");
                if (await availability.PullAsync(image, "a base image of " + string.Join(", ", names), cancellationToken).ConfigureAwait(false) is { } problem)
                {
                    problems.Add(problem);
                }
            }

            if (problems.Count > 0)
            {
                throw new PreflightException(string.Join(Environment.NewLine, problems));
            }

            // The hash of a build's inputs includes its base images' ids: read them again now that they are here.
            baseIds = await builder.BaseImageIdsAsync(baseImages, cancellationToken).ConfigureAwait(false);
        }

        var plans = images.Select(i => ImagePlanner.Plan(
            i.Name, i.Config with { Dockerfile = paths.AppOrKit(i.Config.Dockerfile) }, paths.App, project.Variable, source, baseIds, kitProject,
            model is null ? null : ImagePlanner.BindMountedPaths(i.Config, model, project.Variable))).ToArray();
        foreach (var plan in plans.Where(p => p.BindMounted.Paths.Count > 0))
        {
            log.Information($"{plan.Name}: inputs hash leaves out {plan.BindMounted.Describe()} in '{project.EnvironmentName}' (served from the mount: an edit there needs no new image)");
        }

        return await builder.BuildAsync(plans, cancellationToken).ConfigureAwait(false);
    }

    private async Task<SourceInfo> ReadSourceAsync(CancellationToken cancellationToken)
    {
        var info = await gitInfo().WaitAsync(cancellationToken).ConfigureAwait(false);
        if (info.Commit == "unknown")
        {
            return SourceInfo.Unknown;
        }

        // A repository without commits has no commit time: the labels say unknown.
        var commitTime = await git.CommitTimeAsync(new GitSettings { WorkingDirectory = paths.App }, cancellationToken).ConfigureAwait(false) ?? "unknown";

        return new SourceInfo(info.Commit, info.ShortCommit, info.Branch, info.IsDirty, commitTime);
    }
}
