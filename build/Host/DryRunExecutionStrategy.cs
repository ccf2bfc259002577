using Cake.Core;
using Cake.Core.Diagnostics;

namespace Build.Host;

/// <summary>
/// <c>--dryrun</c>: the tasks in order and, for tasks marked <see cref="SupportsDryRunAttribute"/>, their bodies run
/// against a context whose command runner only prints. Other tasks are listed, never entered.
/// </summary>
internal sealed class DryRunExecutionStrategy(IExecutionStrategy inner, ICakeLog log, TaskCatalog catalog) : IExecutionStrategy
{
    private int step;

    public void PerformSetup(Action<ISetupContext> action, ISetupContext context) => inner.PerformSetup(action, context);

    public void PerformTeardown(Action<ITeardownContext> action, ITeardownContext context) => inner.PerformTeardown(action, context);

    public Task ExecuteAsync(CakeTask task, ICakeContext context)
    {
        ArgumentNullException.ThrowIfNull(task);
        step++;
        log.Information($"{step}. {task.Name}: {task.Description}");
        var descriptor = catalog.Tasks.FirstOrDefault(d => d.Name == task.Name);
        if (descriptor is { SupportsDryRun: true })
        {
            return inner.ExecuteAsync(task, context);
        }

        log.Information("   (runs no previewable commands)");
        return Task.CompletedTask;
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
