using Build.Host;
using Build.Tools;
using Build.Tools.Docker;

namespace Build.Docker;

/// <summary>The Docker engine does not answer: one line saying where the kit looked and how to start it.</summary>
public sealed class EngineUnreachableException(string message) : ExitCodeException(1, message);

/// <summary>
/// Whether the Docker engine answers, and the one line every task gives when it does not (DevUp's preflight, Doctor,
/// Status, Logs, DevDown, Prune), instead of the daemon's raw error.
/// </summary>
public static class DockerEngine
{
    /// <summary>Where the docker CLI looks for the engine, in words.</summary>
    public static string Where(string? dockerHost) =>
        string.IsNullOrEmpty(dockerHost) ? "the default socket (/var/run/docker.sock)" : $"DOCKER_HOST={dockerHost}";

    /// <summary>How to get the engine answering.</summary>
    public static string Fix(string? dockerHost) =>
        "Start it: sudo systemctl start docker (or open Docker Desktop; in CI: sudo bash scripts/ci/install-docker.sh), then check 'docker info'."
        + (string.IsNullOrEmpty(dockerHost)
            ? " If it runs but you get 'permission denied': sudo usermod -aG docker $USER, then log in again."
            : $" Or unset DOCKER_HOST if {dockerHost} is not where the engine listens.");

    /// <summary>The one line: where, the daemon's own first line, the fix.</summary>
    public static string Unreachable(string? error, string? dockerHost) =>
        $"The Docker engine is not reachable at {Where(dockerHost)} ({FirstLine(error) ?? "no answer"}). {Fix(dockerHost)}";

    /// <summary>True when a docker or compose command failed because no engine answered (not because of what it asked).</summary>
    public static bool IsUnreachable(ToolFailedException failure)
    {
        ArgumentNullException.ThrowIfNull(failure);
        return failure.ErrorTail.Any(line =>
            line.Contains("Cannot connect to the Docker daemon", StringComparison.OrdinalIgnoreCase)
            || line.Contains("Is the docker daemon running", StringComparison.OrdinalIgnoreCase)
            || line.Contains("error during connect", StringComparison.OrdinalIgnoreCase)
            || (line.Contains("permission denied", StringComparison.OrdinalIgnoreCase) && line.Contains("docker", StringComparison.OrdinalIgnoreCase) && line.Contains(".sock", StringComparison.Ordinal)));
    }

    /// <summary>The engine's version; <see cref="EngineUnreachableException"/> with the one line when it does not answer.</summary>
    public static async Task<string> RequireAsync(ICommandRunner runner, string? dockerHost, CancellationToken cancellationToken = default)
    {
        try
        {
            return await new DockerTool(runner).ServerVersionAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (ToolFailedException failure) when (failure.ToolExitCode != 127)
        {
            throw new EngineUnreachableException(Unreachable(failure.ErrorTail.FirstOrDefault(l => l.Trim().Length > 0) ?? failure.Message, dockerHost));
        }
    }

    /// <summary>The engine's version, or null (and why) when it does not answer: for a dry run, which needs no engine.</summary>
    public static async Task<(string? Version, string? Problem)> ProbeAsync(ICommandRunner runner, string? dockerHost, CancellationToken cancellationToken = default)
    {
        try
        {
            return (await RequireAsync(runner, dockerHost, cancellationToken).ConfigureAwait(false), null);
        }
        catch (Exception exception) when (exception is EngineUnreachableException or ToolFailedException)
        {
            return (null, exception.Message);
        }
    }

    private static string? FirstLine(string? text) =>
        string.IsNullOrWhiteSpace(text) ? null : text.Trim().Split('\n')[0].Trim().TrimEnd('.');
}
