namespace Build.Tools;

/// <summary>
/// A typed wrapper for one executable, in the style of Cake's <c>Tool&lt;TSettings&gt;</c>: settings become an
/// <see cref="ArgumentList"/>, and the one <see cref="ICommandRunner"/> runs it.
/// </summary>
public abstract class Tool<TSettings>(ICommandRunner runner)
    where TSettings : ToolSettings
{
    protected ICommandRunner Runner { get; } = runner;

    /// <summary>The name users see ("docker").</summary>
    protected abstract string ToolName { get; }

    /// <summary>The executable started; by default the tool's name, found on PATH.</summary>
    protected virtual string Executable => ToolName;

    protected virtual string? InstallHint => null;

    protected ToolCommand CreateCommand(TSettings settings, ArgumentList arguments, bool query = false, bool quiet = false)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return new ToolCommand
        {
            Tool = ToolName,
            Executable = Executable,
            Arguments = arguments,
            WorkingDirectory = settings.WorkingDirectory,
            Environment = settings.EnvironmentVariables,
            Timeout = settings.Timeout,
            IsQuery = query,
            Quiet = quiet,
            InstallHint = InstallHint,
        };
    }

    protected Task<CommandResult> RunAsync(TSettings settings, ArgumentList arguments, CancellationToken cancellationToken = default) =>
        Runner.RunAsync(CreateCommand(settings, arguments), cancellationToken);

    protected Task<CommandResult> QueryAsync(TSettings settings, ArgumentList arguments, CancellationToken cancellationToken = default) =>
        Runner.RunAsync(CreateCommand(settings, arguments, query: true, quiet: true), cancellationToken);
}
