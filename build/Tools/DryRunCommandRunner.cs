using Cake.Core.Diagnostics;

namespace Build.Tools;

/// <summary>
/// <c>--dryrun</c>: prints each command instead of running it. Queries (<see cref="ToolCommand.IsQuery"/>) still run,
/// through the real runner, because what a plan does next can depend on what they read.
/// </summary>
public sealed class DryRunCommandRunner(ICakeLog log, SecretMasker masker, ICommandRunner real) : ICommandRunner
{
    public Task<CommandResult> RunAsync(ToolCommand command, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(command);
        if (command.IsQuery)
        {
            return real.RunAsync(command, cancellationToken);
        }

        log.Information("{0}", "   would run: " + masker.Mask(command.Render()));
        return Task.FromResult(CommandResult.Empty);
    }
}
