using Build.Docker;
using Build.Host;
using Build.Tools;
using Cake.Core.Diagnostics;

namespace Build.Tasks.Dev;

/// <summary>
/// The stack, ready to use. Order: DevStart (preflight, images, up, database healthy), then the database tasks,
/// then this task's wait for every service and the table.
/// </summary>
[TaskName(nameof(DevUp))]
[TaskDescription("Starts the dev stack: preflight, images, compose up, migrations and seed, waits until every service is healthy, prints the URLs")]
[IsDependentOn(typeof(DevStartTask))]
[IsDependentOn(typeof(Database.MigrateTask))]
[IsDependentOn(typeof(Database.SeedTask))]
[UsesComposeStack]
[CreatesStack]
public sealed class DevUpTask : PlannedTask<BuildContext, StepPlan>
{
    private const string DevUp = "DevUp";

    public override async Task<StepPlan> PlanAsync(BuildContext context)
    {
        var project = context.Run.Compose;
        var stack = context.Run.Stack;
        var model = await stack.ReadModelAsync().ConfigureAwait(false);
        return new StepPlan($"Finish stack '{project.Name}':",
        [
            new($"wait: {string.Join(", ", model.Services)} healthy (at most {project.Config.DevUpTimeoutSeconds} s)", cancellationToken =>
                stack.WaitHealthyAsync(model.Services, cancellationToken)),
            new("print the table of services, their health and URLs", cancellationToken => stack.PrintStatusAsync(model, cancellationToken)),
        ]);
    }

    public override async Task RunAsync(BuildContext context, StepPlan plan)
    {
        await plan.RunAsync().ConfigureAwait(false);
        context.Log.Information($"Stop it with: ./build.sh --target=DevDown{ProjectArguments(context)}");
    }

    internal static string ProjectArguments(BuildContext context) =>
        (context.Parameters.Environment is { } environment ? $" --env={environment}" : string.Empty)
        + (context.Parameters.ProjectName is { } name ? $" --project-name={name}" : string.Empty);
}
