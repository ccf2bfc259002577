using Build.Tools;
using Cake.Core.Diagnostics;

namespace Build.Docker;

/// <summary>Plans and builds images of config/docker.json for a run: the seam between the tasks and the builder.</summary>
public static class DevImages
{
    public static async Task<IReadOnlyList<ImageResult>> BuildAsync(
        BuildContext context, ComposeProject project, IReadOnlyList<string> names, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(project);
        ArgumentNullException.ThrowIfNull(names);
        if (names.Count == 0)
        {
            context.Log.Information("No images to build.");
            return [];
        }

        var images = names.Select(n => (Name: n, Config: project.Config.Images.TryGetValue(n, out var image)
            ? image
            : throw new Configuration.ConfigurationException("config/docker.json", 0, $"environment '{project.EnvironmentName}' names image '{n}', which is not under images."))).ToArray();
        var source = await ReadSourceAsync(context, cancellationToken).ConfigureAwait(false);

        // One runner per image, so parallel builds print each line with the image's name before it.
        ICommandRunner RunnerFor(string name) => context.IsDryRun || names.Count == 1
            ? context.Runner
            : new ProcessCommandRunner(new PrefixedLog(context.Log, $"[{name}] "), context.Secrets);

        var builder = new ImageBuilder(context.Runner, RunnerFor, context.Log, context.Paths.Root);
        var unresolved = images.Select(i => ImagePlanner.BaseImages(i.Config.BuildArgs.ToDictionary(p => p.Key, p => project.Expand(p.Value), StringComparer.Ordinal)));
        var baseIds = await builder.BaseImageIdsAsync(unresolved.SelectMany(b => b), cancellationToken).ConfigureAwait(false);
        var plans = images.Select(i => ImagePlanner.Plan(i.Name, i.Config, context.Paths.Root, project.Variable, source, baseIds, project.Config.ProjectName ?? context.Config.Project.Name)).ToArray();
        return await builder.BuildAsync(plans, cancellationToken).ConfigureAwait(false);
    }

    private static async Task<SourceInfo> ReadSourceAsync(BuildContext context, CancellationToken cancellationToken)
    {
        var git = await context.GetGitInfoAsync().WaitAsync(cancellationToken).ConfigureAwait(false);
        if (git.Commit == "unknown")
        {
            return SourceInfo.Unknown;
        }

        var commitTime = "unknown";
        try
        {
            var log = await context.Runner.RunAsync(
                new ToolCommand
                {
                    Tool = "git",
                    Executable = "git",
                    Arguments = new ArgumentList(["log", "-1", "--format=%cI"]),
                    WorkingDirectory = context.Paths.Root,
                    IsQuery = true,
                    Quiet = true,
                },
                cancellationToken).ConfigureAwait(false);
            commitTime = log.StandardOutput.Trim();
        }
        catch (ToolFailedException)
        {
            // A repository without commits: the labels say unknown.
        }

        return new SourceInfo(git.Commit, git.ShortCommit, git.Branch, git.IsDirty, commitTime);
    }
}
