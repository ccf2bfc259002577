using Build.Docker;
using Build.Host;

namespace Build.Tasks.Dev;

[TaskName(nameof(DevRestart))]
[TaskDescription("Restarts the stack's services (or --service), waits until they are healthy and prints the table")]
[SupportsDryRun]
[UsesComposeStack]
public sealed class DevRestartTask : AsyncFrostingTask<BuildContext>
{
    private const string DevRestart = "DevRestart";

    public override async Task RunAsync(BuildContext context)
    {
        var project = context.Run.Compose;
        var stack = context.Run.Stack;
        if (!context.IsDryRun)
        {
            await stack.RequireEngineAsync().ConfigureAwait(false);
        }

        var model = await stack.ReadModelAsync().ConfigureAwait(false);
        var services = model.Services;
        IReadOnlyList<string> chosen = context.Parameters.Service is { } service ? [ServiceName.Check(service, services)] : [];
        await stack.RestartAsync(chosen).ConfigureAwait(false);
        if (!context.IsDryRun)
        {
            await stack.WaitHealthyAsync(chosen.Count > 0 ? chosen : services).ConfigureAwait(false);
            await stack.PrintStatusAsync(model).ConfigureAwait(false);
        }
    }
}
