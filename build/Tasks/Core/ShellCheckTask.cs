using Build.Host;
using Build.Testing;
using Build.Tools;
using Build.Tools.ShellCheck;
using Cake.Core.Diagnostics;

namespace Build.Tasks.Core;

[TaskName(nameof(ShellCheck))]
[TaskDescription("Checks every shell script of the repository with shellcheck")]
[IsDependeeOf(typeof(TestTask))]
public sealed class ShellCheckTask : PlannedTask<BuildContext, ShellCheckPlan>
{
    private const string ShellCheck = "ShellCheck";

    public override Task<ShellCheckPlan> PlanAsync(BuildContext context)
    {
        var scripts = ShellScripts.Find(context.Paths.Kit);
        if (scripts.Count == 0)
        {
            return Task.FromResult(new ShellCheckPlan(new StepPlan("No shell scripts to check.", []), 0));
        }

        var command = new ShellCheckTool(context.Runner).CheckCommand(new ShellCheckSettings { Files = scripts, WorkingDirectory = context.Paths.Kit });
        return Task.FromResult(new ShellCheckPlan(new StepPlan($"Check {scripts.Count} shell scripts:", [TaskStep.Command(context.Runner, command)]), scripts.Count));
    }

    public override async Task RunAsync(BuildContext context, ShellCheckPlan plan)
    {
        var count = plan.Scripts;
        if (count == 0)
        {
            return;
        }

        try
        {
            await plan.Steps.RunAsync().ConfigureAwait(false);
            context.Log.Information($"shellcheck: {count} scripts clean");
        }
        catch (ToolFailedException failure) when (failure.ToolExitCode == 127 && !context.Parameters.IsCi)
        {
            // Outside CI a missing linter is a note, not a failure; CI installs it and must not skip.
            context.Log.Warning($"shellcheck is not installed: {count} scripts not checked. {failure.Message}");
        }
    }
}

/// <summary>ShellCheck's plan: the one shellcheck command, and how many scripts it checks.</summary>
public sealed record ShellCheckPlan(StepPlan Steps, int Scripts) : ITaskPlan
{
    public IEnumerable<string> Render() => Steps.Render();
}
