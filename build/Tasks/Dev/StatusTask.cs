using Build.Docker;
using Build.Host;
using Cake.Core.Diagnostics;

namespace Build.Tasks.Dev;

[TaskName(nameof(Status))]
[TaskDescription("Shows the stack's services, their state and health, and their URLs")]
[ReadsOnly]
[UsesComposeStack]
public sealed class StatusTask : AsyncFrostingTask<BuildContext>
{
    private const string Status = "Status";

    public override async Task RunAsync(BuildContext context)
    {
        var project = context.Run.Compose;
        var stack = context.Run.Stack;
        await stack.RequireEngineAsync().ConfigureAwait(false);
        var model = await stack.ReadModelAsync().ConfigureAwait(false);
        var states = await stack.PrintStatusAsync(model).ConfigureAwait(false);
        if (states.Count == 0)
        {
            context.Log.Information($"Stack '{project.Name}' is not running. Start it: ./build.sh --target=DevUp{DevUpTask.ProjectArguments(context)}");
        }
    }
}
