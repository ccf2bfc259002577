using Build.Host;
using Build.Testing;
using Build.Tools;
using Build.Tools.ShellCheck;
using Cake.Core.Diagnostics;

namespace Build.Tasks.Core;

[TaskName(nameof(ShellCheck))]
[TaskDescription("Checks every shell script of the repository with shellcheck")]
[IsDependeeOf(typeof(TestTask))]
public sealed class ShellCheckTask : PlannedTask<BuildContext, StepPlan>
{
    private const string ShellCheck = "ShellCheck";

    public override Task<StepPlan> PlanAsync(BuildContext context)
    {
        var scripts = ShellScripts.Find(context.Paths.Kit);
        if (scripts.Count == 0)
        {
            return Task.FromResult(new StepPlan("No shell scripts to check.", []));
        }

        var command = new ShellCheckTool(context.Runner).CheckCommand(new ShellCheckSettings { Files = scripts, WorkingDirectory = context.Paths.Kit });
        return Task.FromResult(new StepPlan($"Check {scripts.Count} shell scripts:", [TaskStep.Command(context.Runner, command)]));
    }

    public override async Task RunAsync(BuildContext context, StepPlan plan)
    {
        if (plan.Steps.Count == 0)
        {
            return;
        }

        var count = ShellScripts.Find(context.Paths.Kit).Count;
        try
        {
            await plan.RunAsync().ConfigureAwait(false);
            context.Log.Information($"shellcheck: {count} scripts clean");
        }
        catch (ToolFailedException failure) when (failure.ToolExitCode == 127 && !context.Parameters.IsCi)
        {
            // Outside CI a missing linter is a note, not a failure; CI installs it and must not skip.
            context.Log.Warning($"shellcheck is not installed: {count} scripts not checked. {failure.Message}");
        }
    }
}
