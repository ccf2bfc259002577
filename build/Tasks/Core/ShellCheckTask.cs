using Build.Host;
using Build.Testing;
using Build.Tools;
using Build.Tools.ShellCheck;
using Cake.Core.Diagnostics;

namespace Build.Tasks.Core;

[TaskName(nameof(ShellCheck))]
[TaskDescription("Checks every shell script of the repository with shellcheck")]
[IsDependeeOf(typeof(TestTask))]
[SupportsDryRun]
public sealed class ShellCheckTask : AsyncFrostingTask<BuildContext>
{
    private const string ShellCheck = "ShellCheck";

    public override async Task RunAsync(BuildContext context)
    {
        var scripts = ShellScripts.Find(context.Paths.Kit);
        if (scripts.Count == 0)
        {
            return;
        }

        try
        {
            await new ShellCheckTool(context.Runner).CheckAsync(new ShellCheckSettings { Files = scripts, WorkingDirectory = context.Paths.Kit }).ConfigureAwait(false);
            context.Log.Information($"shellcheck: {scripts.Count} scripts clean");
        }
        catch (ToolFailedException failure) when (failure.ToolExitCode == 127 && !context.Parameters.IsCi)
        {
            // Outside CI a missing linter is a note, not a failure; CI installs it and must not skip.
            context.Log.Warning($"shellcheck is not installed: {scripts.Count} scripts not checked. {failure.Message}");
        }
    }
}
