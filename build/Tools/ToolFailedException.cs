using Build.Host;

namespace Build.Tools;

/// <summary>
/// The one failure type of every external command: the tool, its exit code and the last lines of its error output.
/// The host shows it as a clean message, without a stack trace. The tool's exit code becomes the build's, except 2,
/// which the kit keeps for bad input and refused steps (psql, pg_dump and others use 2 for their own failures): a
/// tool's 2 becomes 1, and the message still names the tool's own code.
/// </summary>
public sealed class ToolFailedException : ExitCodeException
{
    public ToolFailedException(string tool, int exitCode, string message, IReadOnlyList<string> errorTail)
        : base(exitCode is 0 or CakeHost.UsageErrorExitCode ? 1 : exitCode, Format(tool, exitCode, message, errorTail))
    {
        Tool = tool;
        ToolExitCode = exitCode;
        ErrorTail = errorTail;
    }

    public string Tool { get; }

    public int ToolExitCode { get; }

    public IReadOnlyList<string> ErrorTail { get; }

    private static string Format(string tool, int exitCode, string message, IReadOnlyList<string> errorTail)
    {
        var text = $"{tool} failed (exit code {exitCode}): {message}";
        return errorTail.Count == 0 ? text : text + System.Environment.NewLine + string.Join(System.Environment.NewLine, errorTail.Select(l => "  | " + l));
    }
}
