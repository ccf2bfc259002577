using Build.Docker;
using Build.Host;
using Build.Tools.Compose;

namespace Build.Tasks.Dev;

[TaskName(nameof(Logs))]
[TaskDescription("Shows the stack's logs: --service=<name>, --tail=<lines> (default 200), --follow to keep streaming")]
[ReadsOnly]
[UsesComposeStack]
public sealed class LogsTask : AsyncFrostingTask<BuildContext>
{
    private const string Logs = "Logs";
    private const int DefaultTail = 200;

    public override async Task RunAsync(BuildContext context)
    {
        var project = context.Run.Compose;
        var stack = context.Run.Stack;
        await stack.RequireEngineAsync().ConfigureAwait(false);
        IReadOnlyList<string> services = context.Parameters.Service is { } service
            ? [ServiceName.Check(service, (await stack.ReadModelAsync().ConfigureAwait(false)).Services)]
            : [];
        var options = new ComposeLogsOptions { Follow = context.Parameters.Follow, Tail = context.Parameters.Tail ?? DefaultTail, Services = services };
        await context.Runner.RunAsync(project.NonCreatingCommand(ComposeTool.LogsArguments(options), query: true)).ConfigureAwait(false);
    }
}
