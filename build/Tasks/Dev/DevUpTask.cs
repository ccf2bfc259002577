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

    /// <summary>What a dry run cannot know: whether the run takes the fast path.</summary>
    public const string FastPathNote =
        "fast path: when the stack is up to date (each image's inputs hash on the tag the stack runs; each service's container running, healthy, "
        + "from its image and with the config hash compose would give it; migrations at head; seeded tables at the threshold) <read at run time>, "
        + "DevStart, Migrate and Seed are skipped and this prints the table alone: \"up to date: nothing to do\"";

    public override async Task<StepPlan> PlanAsync(BuildContext context)
    {
        var project = context.Run.Compose;
        var stack = context.Run.Stack;
        if (context.Run.UpToDate is { UpToDate: true } verdict)
        {
            return new StepPlan($"Stack '{project.Name}' is up to date:",
            [
                new("print the table of services, their health and URLs (as read by the check)", _ =>
                {
                    stack.PrintStatus(verdict.Model, verdict.States);
                    return Task.CompletedTask;
                }),
            ]);
        }

        var model = await stack.ReadModelAsync().ConfigureAwait(false);
        return new StepPlan($"Finish stack '{project.Name}':",
        [
            new($"wait: {string.Join(", ", model.Services)} healthy (at most {project.Config.DevUpTimeoutSeconds} s)", cancellationToken =>
                stack.WaitHealthyAsync(model.Services, cancellationToken)),
            new("print the table of services, their health and URLs", cancellationToken => stack.PrintStatusAsync(model, cancellationToken)),
        ])
        {
            Notes = context.IsDryRun ? [FastPathNote] : [],
        };
    }

    public override async Task RunAsync(BuildContext context, StepPlan plan)
    {
        await plan.RunAsync().ConfigureAwait(false);
        if (context.Run.UpToDate is { UpToDate: true } verdict)
        {
            context.Log.Information($"up to date: nothing to do ({verdict.Holds}; checked in {verdict.Took.TotalSeconds.ToString("0.00", System.Globalization.CultureInfo.InvariantCulture)} s)");
        }

        context.Log.Information($"Stop it with: {Bootstrapper.Command} --target=DevDown{ProjectArguments(context)}");
    }

    internal static string ProjectArguments(BuildContext context) =>
        (context.Parameters.Environment is { } environment ? $" --env={environment}" : string.Empty)
        + (context.Parameters.ProjectName is { } name ? $" --project-name={name}" : string.Empty);
}
