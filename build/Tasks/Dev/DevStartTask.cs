using Build.Docker;
using Build.Host;
using Cake.Core.Diagnostics;

namespace Build.Tasks.Dev;

[TaskName(nameof(DevStart))]
[TaskDescription("DevUp's first half: preflight (engine, compose, variables, ports, images), builds the images, starts the stack, waits for the database")]
[SupportsDryRun]
[UsesComposeStack]
[CreatesStack]
public sealed class DevStartTask : AsyncFrostingTask<BuildContext>
{
    private const string DevStart = "DevStart";

    public override async Task RunAsync(BuildContext context)
    {
        var project = context.Run.Compose;
        var stack = context.Run.Stack;
        var doctor = context.Config.Ops.Doctor;
        var plan = await stack.PreflightAsync(new PreflightOptions
        {
            SkipBuild = context.Parameters.SkipBuild,
            InotifyInstancesPerStack = doctor.InotifyInstancesPerDevStack,
            InotifyWatchesPerStack = doctor.InotifyWatchesPerDevStack,
        }).ConfigureAwait(false);
        if (context.DotEnvGenerated && plan.EngineAnswered && await stack.VolumesAsync().ConfigureAwait(false) is { Count: > 0 } volumes)
        {
            context.Log.Warning($"Volumes {string.Join(", ", volumes)} were created with an earlier .env: the database there keeps its old password. "
                + $"Put that .env back, or start afresh with {Bootstrapper.Command} --target=DevDown --volumes --confirm={project.Name}.");
        }

        if (context.Parameters.SkipBuild)
        {
            context.Log.Information("Images: not built (--skip-build); the stack starts from the images already tagged.");
        }
        else
        {
            await context.Run.Images.BuildAsync(project, project.Environment.Images, plan.EngineAnswered, plan.Model).ConfigureAwait(false);
        }

        await stack.UpAsync(plan).ConfigureAwait(false);
        if (context.IsDryRun)
        {
            context.Log.Information($"   would wait for {project.DatabaseService} to be healthy");
            return;
        }

        // Migrations and seed data (the tasks that follow in DevUp) need the database, not the whole stack.
        if (plan.Model.Services.Contains(project.DatabaseService))
        {
            await stack.WaitHealthyAsync([project.DatabaseService]).ConfigureAwait(false);
        }
    }
}
