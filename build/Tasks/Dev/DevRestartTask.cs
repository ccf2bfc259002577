using Build.Docker;
using Build.Host;
using Build.Tools;

namespace Build.Tasks.Dev;

[TaskName(nameof(DevRestart))]
[TaskDescription("Restarts the stack's services (or --service), waits until they are healthy and prints the table")]
[UsesComposeStack]
public sealed class DevRestartTask : PlannedTask<BuildContext, StepPlan>
{
    private const string DevRestart = "DevRestart";

    public override async Task<StepPlan> PlanAsync(BuildContext context)
    {
        var stack = context.Run.Stack;
        var model = await stack.ReadModelAsync().ConfigureAwait(false);
        var services = model.Services;
        IReadOnlyList<string> chosen = context.Parameters.Service is { } service ? [ServiceName.Check(service, services)] : [];
        var waited = chosen.Count > 0 ? chosen : services;
        return new StepPlan($"Restart {(chosen.Count > 0 ? chosen[0] : "every service")} of stack '{stack.Project.Name}':",
        [
            new("check: the Docker engine answers", cancellationToken => stack.RequireEngineAsync(cancellationToken)),
            TaskStep.Command(context.Runner, stack.RestartCommand(chosen)),
            new($"wait: {string.Join(", ", waited)} healthy (at most {stack.Project.Config.DevUpTimeoutSeconds} s)", cancellationToken => stack.WaitHealthyAsync(waited, cancellationToken)),
            new("print the table of services, their health and URLs", cancellationToken => stack.PrintStatusAsync(model, cancellationToken)),
        ]);
    }

    public override Task RunAsync(BuildContext context, StepPlan plan) => plan.RunAsync();
}
