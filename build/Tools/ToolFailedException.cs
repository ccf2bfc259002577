using Build.Host;

namespace Build.Tools;

/// <summary>
/// The one failure type of every external command: the tool, its exit code (kept as the build's exit code)
/// and the last lines of its error output. The host shows it as a clean message, without a stack trace.
/// </summary>
public sealed class ToolFailedException : ExitCodeException
{
    public ToolFailedException(string tool, int exitCode, string message, IReadOnlyList<string> errorTail)
        : base(exitCode == 0 ? 1 : exitCode, Format(tool, exitCode, message, errorTail))
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
