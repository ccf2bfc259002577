using Build.Host;

namespace Build.Tools;

/// <summary>
/// One step of a <see cref="StepPlan"/>: the lines a dry run prints and what runs, made together so they cannot drift
/// apart. A command step prints the command exactly as it runs; a step whose details are read when it runs says so in
/// angle brackets.
/// </summary>
public sealed record TaskStep(string Text, Func<CancellationToken, Task> Run)
{
    public IReadOnlyList<string> Detail { get; init; } = [];

    /// <summary>Runs <paramref name="command"/> through <paramref name="runner"/>; printed as <c>run: &lt;argv&gt;</c>.</summary>
    public static TaskStep Command(ICommandRunner runner, ToolCommand command, params string[] detail)
    {
        ArgumentNullException.ThrowIfNull(runner);
        ArgumentNullException.ThrowIfNull(command);
        return new TaskStep("run: " + command.Render(), cancellationToken => runner.RunAsync(command, cancellationToken)) { Detail = detail };
    }

    public IReadOnlyList<string> Lines() => [Text, .. Detail];
}

/// <summary>A state-changing task of the stack, the images or the host as data: steps run in order, printed by a dry run.</summary>
public sealed record StepPlan(string Title, IReadOnlyList<TaskStep> Steps) : ITaskPlan
{
    public IReadOnlyList<string> Notes { get; init; } = [];

    public IEnumerable<string> Render() => PlanText.Render(Title, Steps.Select(s => s.Lines()), Notes);

    public async Task RunAsync(CancellationToken cancellationToken = default)
    {
        foreach (var step in Steps)
        {
            await step.Run(cancellationToken).ConfigureAwait(false);
        }
    }
}
