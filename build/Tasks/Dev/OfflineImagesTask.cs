using System.Text.RegularExpressions;
using Build.Host;
using Build.Tools;
using Build.Tools.Bash;
using Cake.Core.Diagnostics;

namespace Build.Tasks.Dev;

[TaskName(nameof(OfflineImages))]
[TaskDescription("Builds local stand-ins of the public base images from a Debian mirror (no registry needed) and writes the env overlay that points compose and builds at them")]
public sealed partial class OfflineImagesTask : PlannedTask<BuildContext, StepPlan>
{
    private const string OfflineImages = "OfflineImages";

    public override Task<StepPlan> PlanAsync(BuildContext context)
    {
        var arguments = new List<string> { "--env-file", Path.Combine(context.Paths.App, Overlay(context)) };
        if (context.ProcessEnvironment.TryGetValue("DEBIAN_MIRROR", out var mirror) && !string.IsNullOrEmpty(mirror))
        {
            arguments.AddRange(["--mirror", mirror]);
        }

        // The stand-ins this app's files name, not all twelve: an E2E suite waits for its own base images only.
        arguments.AddRange(["--for", string.Join(',', ImageVariables(context))]);

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

    /// <summary>
    /// The image variables (<c>POSTGRES_IMAGE</c>, <c>GO_IMAGE</c>, ...) named by the app's compose files of every
    /// environment, its config/docker.json (the build arguments of its images) and its .env.example; build.sh ignores
    /// those it has no stand-in for.
    /// </summary>
    private static IReadOnlyList<string> ImageVariables(BuildContext context) =>
        context.Config.Docker.Environments.Values.SelectMany(e => e.Files).Select(f => Path.Combine(context.Paths.App, f))
            .Append(context.Paths.DockerConfig)
            .Append(context.Paths.DotEnvExample)
            .Distinct(StringComparer.Ordinal)
            .Where(File.Exists)
            .SelectMany(f => ImageVariable().Matches(File.ReadAllText(f)).Select(m => m.Value))
            .Distinct(StringComparer.Ordinal)
            .Order(StringComparer.Ordinal)
            .ToArray();

    [GeneratedRegex(@"\b[A-Z][A-Z0-9_]*_IMAGE\b")]
    private static partial Regex ImageVariable();

    // The overlay written is the first of config/docker.json's envOverlays, so the kit layers it over .env afterwards.
    private static string Overlay(BuildContext context) => context.Config.Docker.EnvOverlays.FirstOrDefault() ?? ".env.offline";
}
