namespace Build.Host;

/// <summary>
/// A failure that decides the process's exit code (a tool's own code, 2 for bad input). The host prints its
/// message as is, without a stack trace. (Cake's own <c>CakeException</c> is sealed.)
/// </summary>
public abstract class ExitCodeException(int exitCode, string message) : Exception(message)
{
    public int ExitCode { get; } = exitCode;
}
