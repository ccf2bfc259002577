namespace Build.Tools;

/// <summary>
/// A typed wrapper for one executable, in the style of Cake's <c>Tool&lt;TSettings&gt;</c>: settings become an
/// <see cref="ArgumentList"/>, and the one <see cref="ICommandRunner"/> runs it.
/// </summary>
public abstract class Tool<TSettings>(ICommandRunner runner)
    where TSettings : ToolSettings
{
    protected ICommandRunner Runner { get; } = runner;

    /// <summary>The name users see and the executable started, found on PATH ("docker").</summary>
    protected abstract string ToolName { get; }

    protected virtual string? InstallHint => null;

    protected ToolCommand CreateCommand(TSettings settings, ArgumentList arguments, bool query = false, bool quiet = false)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return WithSettings(Bare(ToolName, InstallHint, arguments, query), settings) with { Quiet = quiet };
    }

    /// <summary><paramref name="command"/> in the settings' working directory, with their variables and time limit.</summary>
    protected static ToolCommand WithSettings(ToolCommand command, ToolSettings settings)
    {
        ArgumentNullException.ThrowIfNull(command);
        ArgumentNullException.ThrowIfNull(settings);
        return command with
        {
            WorkingDirectory = settings.WorkingDirectory,
            Environment = settings.EnvironmentVariables,
            Timeout = settings.Timeout,
        };
    }

    /// <summary>
    /// A command of the tool from prepared arguments, without settings: what each wrapper's static <c>Command</c> is
    /// built on, so a plan can render it without a runner. A query runs in a dry run too and is not echoed.
    /// </summary>
    protected static ToolCommand Bare(string tool, string? installHint, ArgumentList arguments, bool query, string? executable = null) => new()
    {
        Tool = tool,
        Executable = executable ?? tool,
        Arguments = arguments,
        IsQuery = query,
        Quiet = query,
        InstallHint = installHint,
    };

    protected Task<CommandResult> RunAsync(TSettings settings, ArgumentList arguments, CancellationToken cancellationToken = default) =>
        Runner.RunAsync(CreateCommand(settings, arguments), cancellationToken);

    protected Task<CommandResult> QueryAsync(TSettings settings, ArgumentList arguments, CancellationToken cancellationToken = default) =>
        Runner.RunAsync(CreateCommand(settings, arguments, query: true, quiet: true), cancellationToken);
}
