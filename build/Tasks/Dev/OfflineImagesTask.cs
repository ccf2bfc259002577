using Build.Host;
using Build.Tools.Bash;
using Cake.Core.Diagnostics;

namespace Build.Tasks.Dev;

[TaskName(nameof(OfflineImages))]
[TaskDescription("Builds local stand-ins of the public base images from a Debian mirror (no registry needed) and writes the env overlay that points compose and builds at them")]
[SupportsDryRun]
public sealed class OfflineImagesTask : AsyncFrostingTask<BuildContext>
{
    private const string OfflineImages = "OfflineImages";

    public override async Task RunAsync(BuildContext context)
    {
        // The overlay written is the first of config/docker.json's envOverlays, so the kit layers it over .env afterwards.
        var overlay = context.Config.Docker.EnvOverlays.FirstOrDefault() ?? ".env.offline";
        var script = Path.Combine(context.Paths.Docker, "offline", "build.sh");
        var arguments = new List<string> { "--env-file", Path.Combine(context.Paths.App, overlay) };
        if (context.ProcessEnvironment.TryGetValue("DEBIAN_MIRROR", out var mirror) && !string.IsNullOrEmpty(mirror))
        {
            arguments.AddRange(["--mirror", mirror]);
        }

        await new BashTool(context.Runner).RunScriptAsync(new BashScriptSettings
        {
            Script = script,
            Arguments = arguments,
            Name = "docker/offline/build.sh",
            Requirements = "It needs bash, debootstrap and a Docker engine (bash scripts/ci/install-docker.sh installs them).",
            WorkingDirectory = context.Paths.App,
        }).ConfigureAwait(false);
        if (!context.IsDryRun)
        {
            context.Log.Information($"Stand-in base images ready; {overlay} is layered over .env for compose and image builds.");
        }
    }
}
