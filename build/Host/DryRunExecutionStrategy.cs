using Cake.Core;
using Cake.Core.Diagnostics;

namespace Build.Host;

/// <summary>
/// <c>--dryrun</c>, the one dry-run mechanism: the tasks in order and, for each planned task
/// (<see cref="PlannedTask{TContext, TPlan}"/>), its plan, computed and printed; no task body runs. Tasks that change
/// nothing are listed.
/// </summary>
internal sealed class DryRunExecutionStrategy(IExecutionStrategy inner, ICakeLog log, TaskCatalog catalog, Func<Type, IFrostingTask> resolve) : IExecutionStrategy
{
    private int step;

    public void PerformSetup(Action<ISetupContext> action, ISetupContext context) => inner.PerformSetup(action, context);

    public void PerformTeardown(Action<ITeardownContext> action, ITeardownContext context) => inner.PerformTeardown(action, context);

    public async Task ExecuteAsync(CakeTask task, ICakeContext context)
    {
        ArgumentNullException.ThrowIfNull(task);
        step++;
        log.Information($"{step}. {task.Name}: {task.Description}");
        var descriptor = catalog.Find(task.Name) ?? throw new InvalidOperationException($"The engine runs '{task.Name}', which is not in the catalog.");
        switch (descriptor.DryRun)
        {
            case DryRunKind.Plan:
                var plan = await ((IPlannedTask)resolve(descriptor.Type)).PlanAsync(context).ConfigureAwait(false);
                foreach (var line in plan.Render())
                {
                    log.Information("{0}", context is FrostingContext frosting ? frosting.ForDisplay(line) : line);
                }

                break;
            case DryRunKind.ReadsOnly:
                log.Information("   (reads only: changes nothing, not run in a dry run)");
                break;
            default:
                log.Information("   (no steps of its own)");
                break;
        }
    }

    public void Skip(CakeTask task, CakeTaskCriteria criteria) => inner.Skip(task, criteria);

    public Task ReportErrorsAsync(Func<Exception, Task> action, Exception exception) => inner.ReportErrorsAsync(action, exception);

    public Task HandleErrorsAsync(Func<Exception, ICakeContext, Task> action, Exception exception, ICakeContext context) =>
        inner.HandleErrorsAsync(action, exception, context);

    public Task InvokeFinallyAsync(Func<ICakeContext, Task> action, ICakeContext context) => inner.InvokeFinallyAsync(action, context);

    public void PerformTaskSetup(Action<ITaskSetupContext> action, ITaskSetupContext taskSetupContext) =>
        inner.PerformTaskSetup(action, taskSetupContext);

    public void PerformTaskTeardown(Action<ITaskTeardownContext> action, ITaskTeardownContext taskTeardownContext) =>
        inner.PerformTaskTeardown(action, taskTeardownContext);
}
