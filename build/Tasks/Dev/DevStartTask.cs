using Build.Docker;
using Build.Host;
using Build.Tools;
using Build.Tools.Compose;
using Cake.Core.Diagnostics;

namespace Build.Tasks.Dev;

[TaskName(nameof(DevStart))]
[TaskDescription("DevUp's first half: preflight (engine, compose, variables, ports, images), builds the images, starts the stack, waits for the database")]
[UsesComposeStack]
[CreatesStack]
public sealed class DevStartTask : PlannedTask<BuildContext, StepPlan>
{
    private const string DevStart = "DevStart";

    private const string Recreated = "first, services that lost their network are recreated (up --force-recreate <services, read at run time>)";

    /// <summary>DevUp's fast path: nothing of this task runs on a stack that is up to date.</summary>
    public override bool ShouldRun(BuildContext context) =>
        context.ShouldRun(context.Run.UpToDate is not { UpToDate: true }, UpToDateReason(context, "no preflight, no build, no up"));

    /// <summary>Why DevUp's dependencies are skipped, with what the check took.</summary>
    internal static string UpToDateReason(BuildContext context, string what) =>
        $"the stack is up to date ({what}; checked in {context.Run.UpToDate?.Took.TotalSeconds.ToString("0.00", System.Globalization.CultureInfo.InvariantCulture)} s)";

    /// <summary>
    /// Preflight, images, <c>up</c>, the database healthy. Made from config, the compose files (<c>compose config</c>
    /// needs no engine) and git; what only the engine can tell is read when its step runs.
    /// </summary>
    public override async Task<StepPlan> PlanAsync(BuildContext context)
    {
        var project = context.Run.Compose;
        var stack = context.Run.Stack;
        stack.RequireVariables();
        var model = await stack.ReadModelAsync().ConfigureAwait(false);
        var doctor = context.Config.Ops.Doctor;
        var options = new PreflightOptions
        {
            SkipBuild = context.Parameters.SkipBuild,
            InotifyInstancesPerStack = doctor.InotifyInstancesPerDevStack,
            InotifyWatchesPerStack = doctor.InotifyWatchesPerDevStack,
        };

        // What the preflight finds (services to recreate, the polling fallback) is what up runs with.
        UpPlan? up = null;
        var steps = new List<TaskStep>
        {
            new($"check: {DevStack.PreflightChecks(model)}", async cancellationToken =>
            {
                up = await stack.PreflightAsync(options, cancellationToken).ConfigureAwait(false);
                if (context.DotEnvGenerated && await stack.VolumesAsync(cancellationToken).ConfigureAwait(false) is { Count: > 0 } volumes)
                {
                    context.Log.Warning($"Volumes {string.Join(", ", volumes)} were created with an earlier .env: the database there keeps its old password. "
                        + $"Put that .env back, or start afresh with {Bootstrapper.Command} --target=DevDown --volumes --confirm={project.Name}.");
                }
            }),
            context.Parameters.SkipBuild
                ? new("images: not built (--skip-build); the stack starts from the images already tagged", _ => Task.CompletedTask)
                : await context.Run.Images.PlanStepAsync(project, project.Environment.Images, model, engineChecked: true).ConfigureAwait(false),
            new($"run: {stack.UpCommand(new ComposeUpOptions()).Render()}", cancellationToken => stack.UpAsync(up, cancellationToken))
            {
                Detail = model.FileWatchers.Count == 0
                    ? [Recreated]
                    : [Recreated, PollingLine(model)],
            },
        };

        // Migrations and seed data (the tasks that follow in DevUp) need the database, not the whole stack.
        if (model.Services.Contains(project.DatabaseService))
        {
            steps.Add(new($"wait: {project.DatabaseService} healthy (at most {project.Config.DevUpTimeoutSeconds} s)", cancellationToken =>
                stack.WaitHealthyAsync([project.DatabaseService], cancellationToken)));
        }

        return new StepPlan(
            $"Start stack '{project.Name}' ({project.EnvironmentName}{(project.PortOffset == 0 ? string.Empty : $", host ports +{project.PortOffset}")}; {project.Version.Describe()}):",
            steps);
    }

    public override Task RunAsync(BuildContext context, StepPlan plan) => plan.RunAsync();

    /// <summary>Which watchers poll when the host's inotify limits are too low, and which cannot be told to.</summary>
    private static string PollingLine(ComposeModel model)
    {
        var polling = model.FileWatchers.Except(model.WatchersThatCannotPoll).ToArray();
        string[] parts =
        [
            .. polling.Length == 0 ? [] : new[] { $"{string.Join(", ", polling)} poll for changes ({FileWatchLimits.PollingVariable}=1) when the host's inotify limits are too low <read at run time>" },
            .. model.WatchersThatCannotPoll.Count == 0 ? [] : new[] { DevStack.CannotPoll(model) },
        ];
        return string.Join("; ", parts);
    }
}
