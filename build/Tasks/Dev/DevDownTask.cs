using Build.Docker;
using Build.Host;
using Cake.Core.Diagnostics;

namespace Build.Tasks.Dev;

[TaskName(nameof(DevDown))]
[TaskDescription("Stops and removes the stack's containers and network; keeps data volumes unless --volumes --confirm=<project name>")]
[SupportsDryRun]
[UsesComposeStack]
public sealed class DevDownTask : AsyncFrostingTask<BuildContext>
{
    private const string DevDown = "DevDown";

    /// <summary>Refused before the run starts: removing data needs the project's name typed out.</summary>
    public override void CheckInputs(BuildContext context)
    {
        var name = context.Run.ProjectName;
        if (context.Parameters.Volumes && context.Parameters.Confirm != name)
        {
            throw new UsageException($"--volumes deletes every data volume of stack '{name}' (the database included): add --confirm={name} to go ahead.");
        }
    }

    public override async Task RunAsync(BuildContext context)
    {
        var project = context.Run.Compose;

        var stack = context.Run.Stack;
        if (!context.IsDryRun)
        {
            await stack.RequireEngineAsync().ConfigureAwait(false);
        }

        await stack.DownAsync(context.Parameters.Volumes).ConfigureAwait(false);
        if (context.IsDryRun)
        {
            return;
        }

        var kept = await stack.VolumesAsync().ConfigureAwait(false);
        context.Log.Information(context.Parameters.Volumes
            ? $"Stack '{project.Name}' removed with its volumes."
            : kept.Count == 0
                ? $"Stack '{project.Name}' stopped."
                : $"Stack '{project.Name}' stopped; volumes kept: {string.Join(", ", kept)}.");
    }
}
