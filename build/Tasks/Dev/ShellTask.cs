using Build.Docker;
using Build.Host;

namespace Build.Tasks.Dev;

[TaskName(nameof(Shell))]
[TaskDescription("Opens a shell in a running service (--service, default the api): bash when the image has it, else sh")]
[ReadsOnly]
[UsesComposeStack]
public sealed class ShellTask : AsyncFrostingTask<BuildContext>
{
    private const string Shell = "Shell";

    /// <summary>bash where the image has it, else sh: the command needs no shell of its own to choose.</summary>
    public static readonly IReadOnlyList<string> ShellCommand = ["sh", "-c", "if command -v bash >/dev/null 2>&1; then exec bash; else exec sh; fi"];

    public override async Task RunAsync(BuildContext context)
    {
        var project = context.Run.Compose;
        var stack = context.Run.Stack;
        var service = ServiceName.Check(context.Parameters.Service ?? project.Config.DefaultShellService, (await stack.ReadModelAsync().ConfigureAwait(false)).Services);

        // With a terminal, the shell takes it over; without one (a pipe, CI), commands are read from standard input.
        var interactive = !Console.IsInputRedirected && !Console.IsOutputRedirected;
        await context.Runner.RunAsync(project.Exec(ShellCommand, service, interactive) with { Interactive = interactive }).ConfigureAwait(false);
    }
}
