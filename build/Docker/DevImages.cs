using Build.Tools;
using Build.Tools.Docker;
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
    string? dockerHost)
{
    /// <summary>What the inputs hash of a planned build says until the base images' ids are read.</summary>
    public const string InputsHashAtRunTime = "<inputs hash: the build context and the base images' ids, read at run time>";

    /// <summary>
    /// The images step of a plan: each image's build command as it runs (its inputs hash read at run time, with the base
    /// images' ids), built only when no image has that hash yet; <see cref="BuildAsync"/> when it runs. Reads files and
    /// git only: no engine. <paramref name="built"/> receives what the step built when it ran.
    /// </summary>
    public async Task<TaskStep> PlanStepAsync(
        ComposeProject project, IReadOnlyList<string> names, ComposeModel? model, bool engineChecked = false, Action<IReadOnlyList<ImageResult>>? built = null)
    {
        ArgumentNullException.ThrowIfNull(project);
        ArgumentNullException.ThrowIfNull(names);
        if (names.Count == 0)
        {
            return new TaskStep("images: none to build", _ => Task.CompletedTask);
        }

        var plans = Plans(project, Images(project, names), await ReadSourceAsync(CancellationToken.None).ConfigureAwait(false), new Dictionary<string, string>(), model);
        return new TaskStep(
            $"images {string.Join(", ", names)}: each built only when no image has its inputs hash yet <read at run time>; base images not on this machine pulled first",
            async cancellationToken =>
            {
                // Built first, then reported: `built?.Invoke(await BuildAsync(..))` would skip the build itself whenever
                // nobody asks for the results (a null-conditional call evaluates no argument).
                var results = await BuildAsync(project, names, model, engineChecked, cancellationToken).ConfigureAwait(false);
                built?.Invoke(results);
            })
        {
            Detail = plans.Select(p => $"{p.Name}: run: {DockerTool.BuildCommand(p.ToBuildSettings(paths.App)).Render().Replace(p.InputsHash, InputsHashAtRunTime, StringComparison.Ordinal)}")
                .Concat(plans.Where(p => p.BindMounted.Paths.Count > 0).Select(p => $"{p.Name}: the inputs hash leaves out {p.BindMounted.Describe()} (served from the mount)"))
                .ToArray(),
        };
    }

    /// <summary>
    /// Builds <paramref name="names"/>, each only when its inputs changed. Without an engine it stops with the one-line
    /// fix (<paramref name="engineChecked"/>: the caller's preflight already asked). Base images that are not on this
    /// machine are pulled first, so a registry that does not answer is one line naming OfflineImages, not a failed
    /// build. <paramref name="model"/>: the environment's merged stack; what it bind-mounts into an image's containers
    /// is left out of that image's inputs hash (null: every image hashes its whole context).
    /// </summary>
    public async Task<IReadOnlyList<ImageResult>> BuildAsync(
        ComposeProject project, IReadOnlyList<string> names, ComposeModel? model = null, bool engineChecked = false, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(project);
        ArgumentNullException.ThrowIfNull(names);
        if (names.Count == 0)
        {
            log.Information("No images to build.");
            return [];
        }

        var images = Images(project, names);
        var source = await ReadSourceAsync(cancellationToken).ConfigureAwait(false);
        if (!engineChecked)
        {
            await DockerEngine.RequireAsync(runner, dockerHost, cancellationToken).ConfigureAwait(false);
        }

        // One runner per image, so parallel builds print each line with the image's name before it.
        ICommandRunner RunnerFor(string name) => names.Count == 1
            ? runner
            : new ProcessCommandRunner(new PrefixedLog(log, $"[{name}] "), secrets);

        var builder = new ImageBuilder(runner, RunnerFor, log, paths.App);
        var baseImages = BaseImages(project, images);
        var baseIds = await builder.BaseImageIdsAsync(baseImages, cancellationToken).ConfigureAwait(false);
        if (baseImages.Where(b => !baseIds.ContainsKey(b)).ToArray() is { Length: > 0 } absent)
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

        var plans = Plans(project, images, source, baseIds, model);
        foreach (var plan in plans.Where(p => p.BindMounted.Paths.Count > 0))
        {
            log.Information($"{plan.Name}: inputs hash leaves out {plan.BindMounted.Describe()} in '{project.EnvironmentName}' (served from the mount: an edit there needs no new image)");
        }

        return await builder.BuildAsync(plans, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// The plans of <paramref name="names"/> as a build now would make them, their inputs hashes included, given the
    /// base images' ids (<see cref="BaseImages(ComposeProject, IReadOnlyList{string})"/>, read by the caller). Reads git
    /// only when a build argument names the commit, the branch or the commit time: otherwise the hash does not depend on them.
    /// </summary>
    public async Task<IReadOnlyList<ImagePlan>> PlansAsync(
        ComposeProject project, IReadOnlyList<string> names, ComposeModel? model, IReadOnlyDictionary<string, string> baseIds, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(project);
        ArgumentNullException.ThrowIfNull(names);
        var images = Images(project, names);
        var source = images.Any(i => i.Config.BuildArgs.Values.Any(ImagePlanner.NamesSource))
            ? await ReadSourceAsync(cancellationToken).ConfigureAwait(false)
            : SourceInfo.Unknown;
        return Plans(project, images, source, baseIds, model);
    }

    /// <summary>The base images (<c>*_IMAGE</c> build arguments, after variables) of <paramref name="names"/>: their ids are inputs.</summary>
    public static IReadOnlyList<string> BaseImages(ComposeProject project, IReadOnlyList<string> names) => BaseImages(project, Images(project, names));

    private static string[] BaseImages(ComposeProject project, (string Name, Configuration.ImageConfig Config)[] images) =>
        images.SelectMany(i => ImagePlanner.BaseImages(i.Config.BuildArgs.ToDictionary(p => p.Key, p => project.Expand(p.Value), StringComparer.Ordinal)))
            .Distinct(StringComparer.Ordinal).ToArray();

    private static (string Name, Configuration.ImageConfig Config)[] Images(ComposeProject project, IReadOnlyList<string> names) =>
        names.Select(n => (Name: n, Config: project.Config.Images.TryGetValue(n, out var image)
            ? image
            : throw new Configuration.ConfigurationException("config/docker.json", 0, $"environment '{project.EnvironmentName}' names image '{n}', which is not under images."))).ToArray();

    private ImagePlan[] Plans(
        ComposeProject project, (string Name, Configuration.ImageConfig Config)[] images, SourceInfo source, IReadOnlyDictionary<string, string> baseIds, ComposeModel? model) =>
        images.Select(i => ImagePlanner.Plan(
            i.Name, i.Config with { Dockerfile = paths.AppOrKit(i.Config.Dockerfile) }, paths.App, project.Variable, source, baseIds, kitProject,
            model is null ? null : ImagePlanner.BindMountedPaths(i.Config, model, project.Variable))).ToArray();

    /// <summary>The commit, branch and state of the app's work tree that tags and labels are made from.</summary>
    public async Task<SourceInfo> ReadSourceAsync(CancellationToken cancellationToken = default)
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
