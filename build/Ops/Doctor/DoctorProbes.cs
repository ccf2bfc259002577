using Build.Configuration;
using Build.Docker;
using Build.Tools;
using Build.Tools.Compose;
using Build.Tools.Docker;
using Build.Tools.DotNet;
using Build.Tools.Gcloud;
using Build.Tools.Git;
using Build.Tools.Postgres;

namespace Build.Ops.Doctor;

/// <summary>What one probe saw: the tool missing, its output, or its error (a timeout included).</summary>
public sealed record ProbeResult(bool Missing, string? Output, string? Error)
{
    public bool Succeeded => !Missing && Error is null;

    public string? Text => Succeeded && !string.IsNullOrWhiteSpace(Output) ? Output.Trim() : null;
}

/// <summary>
/// Runs Doctor's probes: each a read-only command through the one runner, each with a timeout, all at once. A probe
/// never throws: a missing tool, a failure and a timeout are all findings.
/// </summary>
public sealed class DoctorProbes(ICommandRunner runner, KitPaths paths, DoctorConfig config, IReadOnlyDictionary<string, string?> processEnvironment)
{
    /// <summary>Runs a wrapper's command as a probe: read-only, captured, in the repository, within the probe timeout.</summary>
    public async Task<ProbeResult> ProbeAsync(ToolCommand command, IReadOnlyList<int>? successExitCodes = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(command);
        try
        {
            var result = await runner.RunAsync(
                command with
                {
                    WorkingDirectory = paths.Kit,
                    IsQuery = true,
                    Quiet = true,
                    Timeout = config.ProbeTimeout,
                    SuccessExitCodes = successExitCodes ?? [0],
                },
                cancellationToken).ConfigureAwait(false);
            return new ProbeResult(false, result.StandardOutput, null);
        }
        catch (ToolFailedException failure) when (failure.ToolExitCode == 127 && failure.ErrorTail.Count == 0)
        {
            return new ProbeResult(true, null, failure.Message);
        }
        catch (ToolFailedException failure)
        {
            var error = failure.ErrorTail.Count > 0 ? string.Join(" ", failure.ErrorTail.Select(l => l.Trim())) : failure.Message;
            return new ProbeResult(false, null, error);
        }
    }

    public async Task<DoctorCheck> SdkAsync(CancellationToken cancellationToken = default)
    {
        var local = Path.Combine(paths.Kit, ".dotnet", "dotnet");
        var installed = new List<string>();
        var localInstall = false;
        if (File.Exists(local))
        {
            var fromLocal = await ProbeAsync(DotNetTool.Command(DotNetTool.ListSdksArguments(), query: true, executable: local), cancellationToken: cancellationToken).ConfigureAwait(false);
            installed.AddRange(SdkCheck.ParseListSdks(fromLocal.Output ?? string.Empty));
            localInstall = installed.Count > 0;
        }

        var system = await ProbeAsync(DotNetTool.Command(DotNetTool.ListSdksArguments(), query: true), cancellationToken: cancellationToken).ConfigureAwait(false);
        installed.AddRange(SdkCheck.ParseListSdks(system.Output ?? string.Empty));
        return SdkCheck.Evaluate(SdkCheck.ReadGlobalJson(Path.Combine(paths.Kit, "global.json")), installed.Distinct().ToArray(), localInstall);
    }

    /// <summary>The engine check, and the client version (for buildx) as a by-product.</summary>
    public async Task<(DoctorCheck Check, string? ServerVersion, string? ClientVersion)> EngineAsync(CancellationToken cancellationToken = default)
    {
        // Exit code 1 with the client's half printed means: the CLI works, the engine does not answer.
        var probe = await ProbeAsync(DockerTool.Command(DockerTool.ClientServerVersionArguments(), query: true), [0, 1], cancellationToken).ConfigureAwait(false);
        var parts = (probe.Output ?? string.Empty).Trim().Split('|');
        var client = parts[0].Length > 0 ? parts[0] : null;
        var server = parts.Length > 1 && parts[1].Length > 0 ? parts[1] : null;
        string? error = probe.Error;
        if (server is null && error is null)
        {
            var info = await ProbeAsync(DockerTool.Command(DockerTool.InfoArguments("{{.ServerVersion}}"), query: true), cancellationToken: cancellationToken).ConfigureAwait(false);
            error = info.Error ?? "the engine did not answer";
        }

        var host = processEnvironment.GetValueOrDefault("DOCKER_HOST");
        return (MachineChecks.EvaluateEngine(probe.Missing, server, error, host), server, client);
    }

    public async Task<DoctorCheck> ComposeAsync(CancellationToken cancellationToken = default)
    {
        var installed = await new ComposeTool(runner).DetectInstalledAsync(config.ProbeTimeout, cancellationToken).ConfigureAwait(false);
        return MachineChecks.EvaluateCompose(installed.FirstOrDefault(v => v.Flavor == ComposeFlavor.V2), installed.FirstOrDefault(v => v.Flavor == ComposeFlavor.V1));
    }

    public async Task<DoctorCheck> BuildxAsync(string? clientVersion, CancellationToken cancellationToken = default)
    {
        var probe = await ProbeAsync(DockerTool.Command(DockerTool.BuildxVersionArguments(), query: true), cancellationToken: cancellationToken).ConfigureAwait(false);
        return MachineChecks.EvaluateBuildx(probe.Text, clientVersion);
    }

    public async Task<DoctorCheck> DiskAsync(bool engineReachable, CancellationToken cancellationToken = default)
    {
        if (!engineReachable)
        {
            return MachineChecks.EvaluateDisk(null, null, config.MinFreeDiskGb, config.WarnFreeDiskGb);
        }

        var probe = await ProbeAsync(DockerTool.Command(DockerTool.InfoArguments("{{.DockerRootDir}}"), query: true), cancellationToken: cancellationToken).ConfigureAwait(false);
        var path = probe.Text;
        long? free = null;
        if (path is not null && !processEnvironment.ContainsKey("DOCKER_HOST"))
        {
            try
            {
                // statvfs of the folder (or of its nearest readable parent): the file system images live on.
                var existing = new DirectoryInfo(path);
                while (existing is not null && !existing.Exists)
                {
                    existing = existing.Parent;
                }

                free = existing is null ? null : new DriveInfo(existing.FullName).AvailableFreeSpace;
            }
            catch (Exception exception) when (exception is IOException or UnauthorizedAccessException or ArgumentException)
            {
                free = null;
            }
        }

        return MachineChecks.EvaluateDisk(free is null ? null : path, free, config.MinFreeDiskGb, config.WarnFreeDiskGb);
    }

    public async Task<DoctorCheck> GitAsync(CancellationToken cancellationToken = default) =>
        MachineChecks.EvaluateGit((await ProbeAsync(GitTool.Command(GitTool.VersionArguments(), query: true), cancellationToken: cancellationToken).ConfigureAwait(false)).Text);

    public async Task<IReadOnlyList<DoctorCheck>> GcloudAsync(CancellationToken cancellationToken = default)
    {
        // gcloud starts slowly (Python): the three questions are asked at once.
        var version = ProbeAsync(GcloudTool.Command(GcloudTool.VersionArguments(), query: true), cancellationToken: cancellationToken);
        var account = ProbeAsync(GcloudTool.Command(GcloudTool.AuthListArguments(), query: true), cancellationToken: cancellationToken);
        var project = ProbeAsync(GcloudTool.Command(GcloudTool.ConfigGetProjectArguments(), query: true), cancellationToken: cancellationToken);
        await Task.WhenAll(version, account, project).ConfigureAwait(false);
        return (await version.ConfigureAwait(false)).Text is { } text
            ? MachineChecks.EvaluateGcloud(text.Split('\n')[0].Trim(), (await account.ConfigureAwait(false)).Text, (await project.ConfigureAwait(false)).Text)
            : MachineChecks.EvaluateGcloud(null, null, null);
    }

    /// <summary>psql here against the server of the stack's PostgreSQL image (its PG_MAJOR, else its tag).</summary>
    public async Task<DoctorCheck> PostgresAsync(string? image, bool engineReachable, CancellationToken cancellationToken = default)
    {
        var client = await ProbeAsync(PsqlTool.Command(PsqlTool.VersionArguments(), query: true), cancellationToken: cancellationToken).ConfigureAwait(false);
        if (string.IsNullOrEmpty(image))
        {
            return MachineChecks.EvaluatePostgres(client.Text, null, "no POSTGRES_IMAGE set");
        }

        IEnumerable<string> environment = [];
        if (engineReachable)
        {
            var inspect = await ProbeAsync(DockerTool.Command(DockerTool.ImageEnvironmentArguments(image), query: true), cancellationToken: cancellationToken)
                .ConfigureAwait(false);
            environment = (inspect.Output ?? string.Empty).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        }

        return MachineChecks.EvaluatePostgres(client.Text, MachineChecks.PostgresMajor(environment, image), $"image {image}");
    }

    /// <summary>
    /// inotify limits against the running dev stacks of any kit project, plus this one when its environment watches
    /// files (<paramref name="thisStackWatches"/>).
    /// </summary>
    public async Task<DoctorCheck> FileWatchingAsync(string? projectName, bool thisStackWatches, bool engineReachable, string inotifyFolder = InotifyLimits.Folder, CancellationToken cancellationToken = default)
    {
        IReadOnlyList<string> others = [];
        if (engineReachable)
        {
            try
            {
                others = await FileWatchLimits.RunningWatcherProjectsAsync(runner, projectName, cancellationToken).WaitAsync(config.ProbeTimeout, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception exception) when (exception is ToolFailedException or TimeoutException)
            {
                // Judge this stack alone.
            }
        }

        var stacks = others.Count + (thisStackWatches ? 1 : 0);
        return MachineChecks.EvaluateFileWatching(
            FileWatchLimits.Evaluate(InotifyLimits.Read(inotifyFolder), Math.Max(stacks, 1), config.InotifyInstancesPerDevStack, config.InotifyWatchesPerDevStack));
    }

    /// <summary>
    /// The stack's host ports (from <c>compose config</c> when it resolves, else every port of config/docker.json):
    /// busy ones with their holder, except those the stack itself holds.
    /// </summary>
    public async Task<DoctorCheck> PortsAsync(ComposeProject? project, IReadOnlyList<PublishedPort>? modelPorts, string? note, CancellationToken cancellationToken = default)
    {
        if (project is null)
        {
            return DoctorCheck.Skip(MachineChecks.Ports, note ?? "not checked: the compose project did not resolve");
        }

        var bind = project.Variable("BIND_ADDRESS") ?? "127.0.0.1";
        var ports = modelPorts ?? project.HostPorts.Select(p => new PublishedPort(p.Key, bind, p.Value)).ToArray();
        IReadOnlyList<string> busy;
        try
        {
            busy = await new PortPreflight(runner).CheckAsync(project, ports, cancellationToken).ConfigureAwait(false);
        }
        catch (ToolFailedException)
        {
            // No engine to ask which container publishes a port: ask /proc who listens.
            busy = ports.Where(p => !PortPreflight.IsFree(p.HostIp, p.Port))
                .Select(p => $"Port {p.HostIp}:{p.Port} (service {p.Service}) is in use by {PortPreflight.FindProcess(p.Port)?.Description ?? "another process (run 'ss -ltnp' as root)"}")
                .ToArray();
        }

        return MachineChecks.EvaluatePorts(ports.Select(p => p.Port).Distinct().Order().ToArray(), busy, project.Name, note);
    }
}
