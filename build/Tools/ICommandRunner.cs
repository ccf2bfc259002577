namespace Build.Tools;

/// <summary>Runs external commands. The one way any task or service starts a process.</summary>
public interface ICommandRunner
{
    /// <summary>Echoes, runs and streams the command; a non-success exit code throws <see cref="ToolFailedException"/>.</summary>
    Task<CommandResult> RunAsync(ToolCommand command, CancellationToken cancellationToken = default);
}
