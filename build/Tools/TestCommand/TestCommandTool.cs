namespace Build.Tools.TestCommand;

public sealed record TestCommandSettings : ToolSettings
{
    /// <summary>The executable (found on PATH, or a path) and its arguments, exactly as config/project.json lists them.</summary>
    public required IReadOnlyList<string> Command { get; init; }

    /// <summary>What a failure is named after ("tests 'python'").</summary>
    public required string Name { get; init; }
}

/// <summary>
/// An app's own test command run on this machine (<c>pytest</c>, <c>npm test</c>, <c>go test</c>): the one tool whose
/// executable comes from config rather than from the kit, so it stays a wrapper like any other (echoed, one failure type).
/// </summary>
public sealed class TestCommandTool(ICommandRunner runner) : Tool<TestCommandSettings>(runner)
{
    protected override string ToolName => "test command";

    public static ArgumentList Arguments(TestCommandSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return new ArgumentList().Add(settings.Command.Skip(1));
    }

    public static ToolCommand Command(TestCommandSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        if (settings.Command.Count == 0)
        {
            throw new ArgumentException("A test command needs at least its executable.", nameof(settings));
        }

        return Bare(settings.Name, $"Install {settings.Command[0]}, or change the command in config/project.json.", Arguments(settings), query: false, settings.Command[0]) with
        {
            WorkingDirectory = settings.WorkingDirectory,
            Environment = settings.EnvironmentVariables,
            Timeout = settings.Timeout,
        };
    }

    public Task<CommandResult> RunAsync(TestCommandSettings settings, CancellationToken cancellationToken = default) =>
        Runner.RunAsync(Command(settings), cancellationToken);
}
