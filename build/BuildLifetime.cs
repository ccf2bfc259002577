using Build.Ci;
using Build.Host;
using Cake.Core;
using Cake.Core.Diagnostics;

namespace Build;

/// <summary>Once per run, around all tasks.</summary>
public sealed class BuildLifetime(TaskTimings timings) : FrostingLifetime<BuildContext>
{
    private string target = "?";

    public override void Setup(BuildContext context, ISetupContext info)
    {
        ArgumentNullException.ThrowIfNull(info);
        target = info.TargetTask.Name;
        if (context.IsDryRun)
        {
            context.Log.Information($"Dry run of {info.TargetTask.Name}: the tasks in order and the commands they would run. Nothing is changed.");
        }
    }

    public override void Teardown(BuildContext context, ITeardownContext info)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(info);
        if (context.IsGitHubActions && context.ProcessEnvironment.GetValueOrDefault("GITHUB_STEP_SUMMARY") is { Length: > 0 } summary)
        {
            File.AppendAllText(summary, timings.ToMarkdown(target));
        }
    }
}
