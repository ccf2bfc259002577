using System.Globalization;
using Build.Tools;
using Build.Tools.Docker;

namespace Build.Docker;

/// <summary>The host's inotify limits (per user; every container's root shares the host root's).</summary>
public sealed record InotifyLimits(int MaxUserInstances, int MaxUserWatches)
{
    public const string Folder = "/proc/sys/fs/inotify";

    /// <summary>The limits from <paramref name="folder"/>; null where there are none to read (not Linux, Docker Desktop's VM).</summary>
    public static InotifyLimits? Read(string folder = Folder)
    {
        static int? Number(string path) =>
            File.Exists(path) && int.TryParse(File.ReadAllText(path).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var value) ? value : null;
        return Number(Path.Combine(folder, "max_user_instances")) is { } instances && Number(Path.Combine(folder, "max_user_watches")) is { } watches
            ? new InotifyLimits(instances, watches)
            : null;
    }
}

/// <summary>What the limits mean for the dev stacks on this machine.</summary>
public sealed record FileWatchVerdict(bool Enough, string Detail, string? Fix);

/// <summary>
/// Every dev stack's file watcher (dotnet watch, and the app's own configuration watchers under it) holds inotify
/// instances of the host's root user; the default <c>fs.inotify.max_user_instances=128</c> ran out at the fourth
/// .NET dev stack. Doctor and DevUp's preflight compare the limits with what the running dev stacks of any kit
/// project, plus this one, need. Where they are too low DevUp still starts, with polling instead of inotify
/// (<see cref="PollingVariable"/>, which the dev overlay hands to the watchers), and says how to raise them.
/// </summary>
public static class FileWatchLimits
{
    /// <summary>Set to 1 (by DevUp, or by hand in .env), the dev overlay's watchers poll instead of using inotify.</summary>
    public const string PollingVariable = "KIT_WATCH_POLLING";

    public const string RaiseCommand = "sudo sysctl fs.inotify.max_user_instances=512 fs.inotify.max_user_watches=524288";

    public const string PersistCommand = "printf 'fs.inotify.max_user_instances=512\\nfs.inotify.max_user_watches=524288\\n' | sudo tee /etc/sysctl.d/60-inotify.conf";

    /// <summary>How to raise the limits now and for good.</summary>
    public static string Fix => $"Raise them: {RaiseCommand}; to keep them after a reboot: {PersistCommand}";

    /// <summary>
    /// The verdict for <paramref name="stacks"/> dev stacks (the running ones plus the one about to start), each
    /// needing <paramref name="instancesPerStack"/> instances and <paramref name="watchesPerStack"/> watches.
    /// </summary>
    public static FileWatchVerdict Evaluate(InotifyLimits? limits, int stacks, int instancesPerStack, int watchesPerStack)
    {
        if (limits is null)
        {
            return new FileWatchVerdict(true, $"not checked: no {InotifyLimits.Folder} here (the engine's VM has its own)", null);
        }

        var instances = (long)stacks * instancesPerStack;
        var watches = (long)stacks * watchesPerStack;
        var counted = $"{stacks} dev stack(s) × {instancesPerStack} instances, {watchesPerStack} watches";
        var low = new List<string>();
        if (limits.MaxUserInstances < instances)
        {
            low.Add($"max_user_instances={limits.MaxUserInstances}, below the {instances} needed");
        }

        if (limits.MaxUserWatches < watches)
        {
            low.Add($"max_user_watches={limits.MaxUserWatches}, below the {watches} needed");
        }

        return low.Count == 0
            ? new FileWatchVerdict(true, $"max_user_instances={limits.MaxUserInstances}, max_user_watches={limits.MaxUserWatches}: enough for {counted}", null)
            : new FileWatchVerdict(false, $"inotify {string.Join("; ", low)} ({counted})", Fix);
    }

    /// <summary>Compose projects, other than <paramref name="except"/>, with a running file-watching container of any kit project.</summary>
    public static async Task<IReadOnlyList<string>> RunningWatcherProjectsAsync(ICommandRunner runner, string? except, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(runner);
        var result = await runner.RunAsync(
            DockerTool.Command(new ArgumentList(["ps", "--filter", $"label={ComposeModel.FileWatcherLabel}", "--format", $"{{{{.Label \"{ComposeProject.ProjectLabel}\"}}}}"]), query: true),
            cancellationToken).ConfigureAwait(false);
        return result.OutputLines.Where(p => p.Length > 0 && p != except).Distinct(StringComparer.Ordinal).ToArray();
    }
}
