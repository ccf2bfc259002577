using Build.Docker;
using Build.Host;
using Build.Tools;
using Cake.Core.Diagnostics;

namespace Build.Tasks.Dev;

[TaskName(nameof(DevDown))]
[TaskDescription("Stops and removes the stack's containers and network; keeps data volumes unless --volumes --confirm=<project name>")]
[UsesComposeStack]
public sealed class DevDownTask : PlannedTask<BuildContext, StepPlan>
{
    private const string DevDown = "DevDown";

    /// <summary>Refused before the run starts: removing data needs the project's name typed out.</summary>
    public override void CheckInputs(BuildContext context)
    {
        var name = context.Run.ProjectName;
        if (context.Parameters.Volumes && context.Parameters.Confirm != name)
        {
            throw new UsageException($"--volumes deletes every data volume of stack '{name}' (the database included): add --confirm={name} to go ahead.");
        }
    }

    public override Task<StepPlan> PlanAsync(BuildContext context)
    {
        var stack = context.Run.Stack;
        return Task.FromResult(new StepPlan(
            context.Parameters.Volumes ? $"Remove stack '{stack.Project.Name}' with its data volumes:" : $"Stop stack '{stack.Project.Name}' (data volumes kept):",
            [
                new("check: the Docker engine answers", cancellationToken => stack.RequireEngineAsync(cancellationToken)),
                TaskStep.Command(context.Runner, stack.DownCommand(context.Parameters.Volumes)),
            ]));
    }

    public override async Task RunAsync(BuildContext context, StepPlan plan)
    {
        await plan.RunAsync().ConfigureAwait(false);
        var name = context.Run.Stack.Project.Name;
        var kept = await context.Run.Stack.VolumesAsync().ConfigureAwait(false);
        context.Log.Information(context.Parameters.Volumes
            ? $"Stack '{name}' removed with its volumes."
            : kept.Count == 0
                ? $"Stack '{name}' stopped."
                : $"Stack '{name}' stopped; volumes kept: {string.Join(", ", kept)}.");
    }
}
