using Build.Host;
using Build.Tools;
using Build.Tools.Bash;
using Cake.Core.Diagnostics;

namespace Build.Tasks.Dev;

[TaskName(nameof(OfflineImages))]
[TaskDescription("Builds local stand-ins of the public base images from a Debian mirror (no registry needed) and writes the env overlay that points compose and builds at them")]
public sealed class OfflineImagesTask : PlannedTask<BuildContext, StepPlan>
{
    private const string OfflineImages = "OfflineImages";

    public override Task<StepPlan> PlanAsync(BuildContext context)
    {
        var arguments = new List<string> { "--env-file", Path.Combine(context.Paths.App, Overlay(context)) };
        if (context.ProcessEnvironment.TryGetValue("DEBIAN_MIRROR", out var mirror) && !string.IsNullOrEmpty(mirror))
        {
            arguments.AddRange(["--mirror", mirror]);
        }

        var command = new BashTool(context.Runner).ScriptCommand(new BashScriptSettings
        {
            Script = Path.Combine(context.Paths.Docker, "offline", "build.sh"),
            Arguments = arguments,
            Name = "docker/offline/build.sh",
            Requirements = "It needs bash, debootstrap and a Docker engine (bash scripts/ci/install-docker.sh installs them).",
            WorkingDirectory = context.Paths.App,
        });
        return Task.FromResult(new StepPlan("Build the stand-in base images:", [TaskStep.Command(context.Runner, command)]));
    }

    public override async Task RunAsync(BuildContext context, StepPlan plan)
    {
        await plan.RunAsync().ConfigureAwait(false);
        context.Log.Information($"Stand-in base images ready; {Overlay(context)} is layered over .env for compose and image builds.");
    }

    // The overlay written is the first of config/docker.json's envOverlays, so the kit layers it over .env afterwards.
    private static string Overlay(BuildContext context) => context.Config.Docker.EnvOverlays.FirstOrDefault() ?? ".env.offline";
}
