using Build.Tools;

namespace Build.Tests.Support;

/// <summary>
/// Records every command instead of running it and answers from a script: for asserting the exact argument
/// lists a wrapper or task produces. Nothing else in the test suites is faked.
/// </summary>
public sealed class RecordingCommandRunner : ICommandRunner
{
    private readonly List<(Func<ToolCommand, bool> Match, Func<ToolCommand, CommandResult> Answer)> answers = [];

    public List<ToolCommand> Commands { get; } = [];

    /// <summary>Each command as "executable arg arg ..." (secrets as [REDACTED]), for compact assertions.</summary>
    public IEnumerable<string> Lines => Commands.Select(c => c.Render());

    public RecordingCommandRunner Answer(Func<ToolCommand, bool> match, string output, int exitCode = 0, string error = "")
    {
        answers.Add((match, _ => new CommandResult(exitCode, output, error)));
        return this;
    }

    public RecordingCommandRunner Answer(string argumentsPrefix, string output, int exitCode = 0, string error = "") =>
        Answer(c => string.Join(' ', c.Arguments.Select(a => a.Value)).StartsWith(argumentsPrefix, StringComparison.Ordinal), output, exitCode, error);

    public Task<CommandResult> RunAsync(ToolCommand command, CancellationToken cancellationToken = default)
    {
        Commands.Add(command);
        var answer = answers.FirstOrDefault(a => a.Match(command)).Answer?.Invoke(command) ?? CommandResult.Empty;
        if (!command.SuccessExitCodes.Contains(answer.ExitCode))
        {
            throw new ToolFailedException(command.Tool, answer.ExitCode, command.Render(), [answer.StandardError]);
        }

        return Task.FromResult(answer);
    }
}
