using Build.Tools;
using Build.Tools.Docker;

namespace Build.Docker;

/// <summary>
/// Whether an image is on this machine, and getting one that is not from its registry: what compose would do on
/// <c>up</c>, done before anything of the stack is created, so a missing image is one line instead of a half-created
/// stack. A failed pull tells a registry that does not answer (then the offline stand-ins help) from one that does
/// not have the image (then the name is wrong).
/// </summary>
public sealed class ImageAvailability(ICommandRunner runner)
{
    public static readonly string OfflineHint = $"{Bootstrapper.Command} --target=OfflineImages builds local stand-ins of the public base images (once; no registry needed)";

    /// <summary>True when the engine has the image (by reference or id).</summary>
    public async Task<bool> IsPresentAsync(string image, CancellationToken cancellationToken = default)
    {
        try
        {
            await runner.RunAsync(DockerTool.Command(DockerTool.ImageIdArguments(image), query: true), cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (ToolFailedException failure) when (!DockerEngine.IsUnreachable(failure) && failure.ToolExitCode != 127)
        {
            return false;
        }
    }

    /// <summary>Pulls <paramref name="image"/>; null when it worked, else the one line saying why not and what to do.</summary>
    public async Task<string?> PullAsync(string image, string usedBy, CancellationToken cancellationToken = default)
    {
        try
        {
            await runner.RunAsync(DockerTool.Command(new ArgumentList(["pull", "--quiet", image])) with { Quiet = true }, cancellationToken).ConfigureAwait(false);
            return null;
        }
        catch (ToolFailedException failure) when (failure.ToolExitCode != 127 && !DockerEngine.IsUnreachable(failure))
        {
            var reason = failure.ErrorTail.LastOrDefault(l => l.Trim().Length > 0)?.Trim() ?? failure.Message;
            return RegistryLacksImage(reason)
                ? $"Image {image} ({usedBy}) is not on this machine and its registry does not have it ({reason}): check the name and tag (the *_IMAGE variables in .env)."
                : $"Image {image} ({usedBy}) is not on this machine and no registry answered ({reason}): {OfflineHint}, or connect to the registry and run again.";
        }
    }

    /// <summary>The registry answered, and said no: the name or tag is wrong, or access is denied.</summary>
    public static bool RegistryLacksImage(string error)
    {
        ArgumentNullException.ThrowIfNull(error);
        return error.Contains("manifest unknown", StringComparison.OrdinalIgnoreCase)
            || error.Contains("not found", StringComparison.OrdinalIgnoreCase) && !error.Contains("no such host", StringComparison.OrdinalIgnoreCase)
            || error.Contains("pull access denied", StringComparison.OrdinalIgnoreCase)
            || error.Contains("repository does not exist", StringComparison.OrdinalIgnoreCase)
            || error.Contains("unauthorized", StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>The repository of a reference, without tag or digest ("registry:5000/team/api:dev" → "registry:5000/team/api").</summary>
    public static string Repository(string image)
    {
        ArgumentNullException.ThrowIfNull(image);
        var withoutDigest = image.Split('@')[0];
        var slash = withoutDigest.LastIndexOf('/');
        var colon = withoutDigest.LastIndexOf(':');
        return colon > slash ? withoutDigest[..colon] : withoutDigest;
    }
}
