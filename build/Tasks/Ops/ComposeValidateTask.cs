using Build.Configuration;
using Build.Docker;
using Build.Host;
using Build.Tools.Compose;
using Cake.Core.Diagnostics;

namespace Build.Tasks.Ops;

[TaskName(nameof(ComposeValidate))]
[TaskDescription("Validates every environment's compose files with 'compose config -q', with Compose v2 and v1 when installed (no engine needed)")]
[ReadsOnly]
public sealed class ComposeValidateTask : AsyncFrostingTask<BuildContext>
{
    private const string ComposeValidate = "ComposeValidate";

    public override async Task RunAsync(BuildContext context)
    {
        var versions = await context.Compose.DetectInstalledAsync().ConfigureAwait(false);
        foreach (var flavor in ComposeTool.Flavors.Where(f => versions.All(v => v.Flavor != f)))
        {
            context.Log.Information($"Compose {flavor.ToString().ToLowerInvariant()} is not installed: not validated with it.");
        }

        if (versions.Count == 0)
        {
            throw ComposeTool.NotFound();
        }

        // The variables a fresh clone has: .env.example, then this machine's .env and overlays over it. So CI (no .env)
        // validates what a newcomer gets, and a developer what they run.
        var docker = context.Config.Docker;
        var overlays = new[] { context.Paths.DotEnv }.Concat(docker.EnvOverlays.Select(o => Path.Combine(context.Paths.App, o))).Select(DotEnvFile.Load).ToArray();
        foreach (var environment in docker.Environments.Keys)
        {
            foreach (var version in versions)
            {
                var project = ComposeProject.Create(version, docker, new ComposeInputs
                {
                    Root = context.Paths.App,
                    NameStem = docker.ProjectName ?? context.Config.Project.Name,
                    EnvironmentName = environment,
                    ProjectNameOverride = context.Parameters.ProjectName,
                    PortOffset = context.Parameters.PortOffset,
                    DotEnv = DotEnvFile.Load(context.Paths.DotEnvExample),
                    Overlays = overlays,
                    ProcessEnvironment = context.ProcessEnvironment,
                });
                foreach (var secret in project.SecretValues)
                {
                    context.Secrets.Add(secret);
                }

                await context.Runner.RunAsync(project.Command(ComposeTool.ConfigCheckArguments(), query: true, quiet: true)).ConfigureAwait(false);
                context.Log.Information($"  {environment,-12} {string.Join(" + ", project.Settings.Files),-48} valid with {version.Describe()}");
            }
        }
    }
}
