namespace Build.Tools;

public sealed record CommandResult(int ExitCode, string StandardOutput, string StandardError)
{
    public static CommandResult Empty { get; } = new(0, string.Empty, string.Empty);

    public IReadOnlyList<string> OutputLines =>
        StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
