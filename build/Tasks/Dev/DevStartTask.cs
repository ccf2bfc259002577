using Build.Docker;
using Build.Host;
using Cake.Core.Diagnostics;

namespace Build.Tasks.Dev;

[TaskName(nameof(DevStart))]
[TaskDescription("DevUp's first half: preflight (engine, compose, variables, ports), builds the images, starts the stack, waits for the database")]
[SupportsDryRun]
[UsesComposeStack]
public sealed class DevStartTask : AsyncFrostingTask<BuildContext>
{
    private const string DevStart = "DevStart";

    public override async Task RunAsync(BuildContext context)
    {
        var project = await ComposeProject.ResolveAsync(context).ConfigureAwait(false);
        var stack = new DevStack(project, context.Runner, context.Log, context.Secrets);
        var model = await stack.PreflightAsync().ConfigureAwait(false);
        if (context.Parameters.SkipBuild)
        {
            context.Log.Information("Images: not built (--skip-build); the stack starts from the images already tagged.");
        }
        else
        {
            await DevImages.BuildAsync(context, project, project.Environment.Images).ConfigureAwait(false);
        }

        await stack.UpAsync().ConfigureAwait(false);
        if (context.IsDryRun)
        {
            context.Log.Information($"   would wait for {project.DatabaseService} to be healthy");
            return;
        }

        // Migrations and seed data (the tasks that follow in DevUp) need the database, not the whole stack.
        if (model.Services.Contains(project.DatabaseService))
        {
            await stack.WaitHealthyAsync([project.DatabaseService]).ConfigureAwait(false);
        }
    }
}
