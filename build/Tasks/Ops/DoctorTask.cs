using Build.Configuration;
using Build.Docker;
using Build.Host;
using Build.Ops.Doctor;
using Build.Tools;
using Cake.Core.Diagnostics;

namespace Build.Tasks.Ops;

[TaskName(nameof(Doctor))]
[TaskDescription("Checks this machine for the kit (SDK, Docker engine, Compose, buildx, disk, .env, host ports, inotify limits, git, gcloud, psql), each problem with its fix; fails only for what blocks DevUp")]
[ReadsOnly]
public sealed class DoctorTask : AsyncFrostingTask<BuildContext>
{
    private const string Doctor = "Doctor";

    public override async Task RunAsync(BuildContext context)
    {
        var config = context.Config.Ops.Doctor;
        var probes = new DoctorProbes(context.Runner, context.Paths, config, context.ProcessEnvironment);

        // Everything that does not depend on the engine starts at once; each probe has its own timeout.
        var sdk = probes.SdkAsync();
        var engine = probes.EngineAsync();
        var compose = probes.ComposeAsync();
        var git = probes.GitAsync();
        var gcloud = probes.GcloudAsync();
        var stack = ResolveStackAsync(context, config.ProbeTimeout);
        var (engineCheck, serverVersion, clientVersion) = await engine.ConfigureAwait(false);
        var reachable = serverVersion is not null;
        var (project, model, note) = await stack.ConfigureAwait(false);
        var modelPorts = model?.Ports;
        var example = DotEnvFile.Load(context.Paths.DotEnvExample);
        var image = project?.Variable("POSTGRES_IMAGE") ?? example.Values.GetValueOrDefault("POSTGRES_IMAGE");
        var buildx = probes.BuildxAsync(clientVersion);
        var disk = probes.DiskAsync(reachable);
        var postgres = probes.PostgresAsync(image, reachable);
        var ports = probes.PortsAsync(project, modelPorts, note);
        var watching = probes.FileWatchingAsync(project?.Name, model?.FileWatchers.Count > 0, reachable);

        var env = EnvFileCheck.Evaluate(
            example,
            File.Exists(context.Paths.DotEnv) ? context.DotEnv : null,
            context.Config.Docker.RequiredVariables,
            context.ProcessEnvironment);

        List<DoctorCheck> checks =
        [
            await sdk.ConfigureAwait(false),
            engineCheck,
            await compose.ConfigureAwait(false),
            await buildx.ConfigureAwait(false),
            await disk.ConfigureAwait(false),
            .. env,
            await ports.ConfigureAwait(false),
            await watching.ConfigureAwait(false),
            await git.ConfigureAwait(false),
            .. await gcloud.ConfigureAwait(false),
            await postgres.ConfigureAwait(false),
        ];

        foreach (var line in DoctorReport.Render(checks))
        {
            context.Log.Information(line);
        }

        DoctorReport.ThrowIfBlocked(checks);
    }

    /// <summary>The dev stack and its published ports, as far as they resolve on this machine; why not, otherwise.</summary>
    private static async Task<(ComposeProject? Project, ComposeModel? Model, string? Note)> ResolveStackAsync(BuildContext context, TimeSpan timeout)
    {
        ComposeProject project;
        try
        {
            project = await Task.Run(() => context.Run.Compose).WaitAsync(timeout).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is ExitCodeException or ConfigurationException or TimeoutException)
        {
            return (null, null, $"not checked: the stack does not resolve ({exception.Message.Split('\n')[0]})");
        }

        try
        {
            var model = await context.Run.Stack.ReadModelAsync().WaitAsync(timeout).ConfigureAwait(false);
            return (project, model, null);
        }
        catch (Exception exception) when (exception is ToolFailedException or TimeoutException)
        {
            return (project, null, "every port of config/docker.json: 'compose config' did not resolve, see .env");
        }
    }
}
