using Build.Ci;
using Build.Host;
using Cake.Core;

namespace Build;

/// <summary>
/// Around every task: under GitHub Actions each task's output goes into its own collapsible log group, and its
/// duration is recorded for the job summary written at the end of the run.
/// </summary>
public sealed class TaskLifetime(TaskTimings timings) : FrostingTaskLifetime<BuildContext>
{
    public override void Setup(BuildContext context, ITaskSetupContext info)
    {
        ArgumentNullException.ThrowIfNull(info);
        if (context.IsGitHubActions)
        {
            Console.Out.WriteLine($"::group::{info.Task.Name}");
        }

        timings.Start();
    }

    public override void Teardown(BuildContext context, ITaskTeardownContext info)
    {
        ArgumentNullException.ThrowIfNull(info);
        timings.Stop(info.Task.Name, info.Skipped ? "skipped" : info.Successful ? "succeeded" : "failed");
        if (context.IsGitHubActions)
        {
            Console.Out.WriteLine("::endgroup::");
        }
    }
}
