using System.Runtime.CompilerServices;
using Build.Host;
using Build.Tools;
using Build.Tools.Compose;
using Build.Tools.Docker;
using Cake.Core.Diagnostics;

namespace Build.Docker;

/// <summary>A failed preflight check of DevUp: what is wrong and how to fix it, before anything started.</summary>
public sealed class PreflightException(string message) : ExitCodeException(1, message);

/// <summary>
/// The compose stack of one environment, as the Dev tasks drive it: preflight, up, health, status, down. Every
/// command goes through the one runner (so a dry run only prints what changes state).
/// </summary>
public sealed class DevStack(ComposeProject project, ICommandRunner runner, ICakeLog log, SecretMasker masker)
{
    public ComposeProject Project { get; } = project;

    public HealthWaiter Health { get; } = new(runner, log, masker);

    /// <summary>
    /// Engine reachable, compose version, required variables set, compose files valid with these variables, host ports
    /// free (naming the holder of a busy one). Returns the merged configuration for what follows.
    /// </summary>
    public async Task<ComposeModel> PreflightAsync(CancellationToken cancellationToken = default)
    {
        string engine;
        try
        {
            engine = await new DockerTool(runner).ServerVersionAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (ToolFailedException failure)
        {
            throw new PreflightException(
                $"The Docker engine is not reachable ({failure.ErrorTail.LastOrDefault() ?? failure.Message}). Start it (systemctl start docker; in CI: bash scripts/ci/install-docker.sh) and check 'docker info'.");
        }

        log.Information($"Preflight: Docker engine {engine}; {Project.Version.Describe()}; project '{Project.Name}' ({Project.EnvironmentName}"
            + (Project.PortOffset == 0 ? ")" : $", host ports +{Project.PortOffset})"));
        foreach (var limitation in Project.Version.Limitations)
        {
            log.Verbose($"  Compose v1: {limitation}");
        }

        if (Project.MissingVariables() is { Count: > 0 } missing)
        {
            throw new PreflightException(
                $"Required variable(s) not set: {string.Join(", ", missing)}. Copy .env.example to .env (cp .env.example .env) and set them, or export them.");
        }

        var model = await ReadModelAsync(cancellationToken).ConfigureAwait(false);
        var busy = await new PortPreflight(runner).CheckAsync(Project, model.Ports, cancellationToken).ConfigureAwait(false);
        if (busy.Count > 0)
        {
            throw new PreflightException(string.Join(System.Environment.NewLine, busy));
        }

        log.Information($"Preflight: services {string.Join(", ", model.Services)}; host ports {string.Join(", ", model.Ports.Select(p => p.Port).Distinct())} free.");
        return model;
    }

    // The merged configuration of one resolved project does not change during a run: read it once (DevStart and
    // DevUp both need it), keyed by the project instance.
    private static readonly ConditionalWeakTable<ComposeProject, Task<ComposeModel>> Models = new();

    /// <summary>The services that run with the environment's profiles and their host ports (from <c>compose config</c>, once per project).</summary>
    public Task<ComposeModel> ReadModelAsync(CancellationToken cancellationToken = default) =>
        Models.GetValue(Project, _ => ReadModelOnceAsync()).WaitAsync(cancellationToken);

    private async Task<ComposeModel> ReadModelOnceAsync()
    {
        var config = await runner.RunAsync(Project.Command(ComposeTool.ConfigArguments(), query: true, quiet: true)).ConfigureAwait(false);
        return ComposeModel.Parse(config.StandardOutput, Project.Environment.Profiles.ToHashSet(StringComparer.Ordinal));
    }

    /// <summary>
    /// <c>up</c>. Compose v2 itself waits for <c>service_healthy</c> dependencies and fails when one is unhealthy:
    /// then the failing services are reported like any health failure.
    /// </summary>
    public async Task UpAsync(IReadOnlyList<string>? services = null, CancellationToken cancellationToken = default)
    {
        try
        {
            await runner.RunAsync(Project.Command(ComposeTool.UpArguments(new ComposeUpOptions { Services = services ?? [] })), cancellationToken)
                .ConfigureAwait(false);
        }
        catch (ToolFailedException failure)
        {
            var failed = (await Health.ReadAsync(Project.Name, cancellationToken).ConfigureAwait(false)).Where(c => c.Phase == ServicePhase.Failed).ToArray();
            if (failed.Length == 0)
            {
                throw;
            }

            foreach (var container in failed)
            {
                await Health.ReportAsync(container, cancellationToken).ConfigureAwait(false);
            }

            throw new StackUnhealthyException(
                $"Stack '{Project.Name}' did not start: {string.Join(", ", failed.Select(c => $"{c.Service} is {c.Describe()}"))} "
                + $"(compose: {failure.ErrorTail.LastOrDefault()?.Trim()}). Health check output and last {HealthWaiter.LogLines} log lines are above.");
        }
    }

    public Task DownAsync(bool volumes, CancellationToken cancellationToken = default) =>
        runner.RunAsync(Project.Command(ComposeTool.DownArguments(volumes)), cancellationToken);

    public Task RestartAsync(IReadOnlyList<string> services, CancellationToken cancellationToken = default) =>
        runner.RunAsync(Project.Command(ComposeTool.RestartArguments(services)), cancellationToken);

    /// <summary>Names of the project's volumes (compose labels them with the project).</summary>
    public async Task<IReadOnlyList<string>> VolumesAsync(CancellationToken cancellationToken = default)
    {
        var result = await runner.RunAsync(
            new ToolCommand { Tool = "docker", Executable = "docker", Arguments = DockerTool.VolumesArguments(Project.Name), IsQuery = true, Quiet = true },
            cancellationToken).ConfigureAwait(false);
        return result.OutputLines;
    }

    public Task<IReadOnlyList<ContainerState>> WaitHealthyAsync(IReadOnlyCollection<string> services, CancellationToken cancellationToken = default) =>
        Health.WaitAsync(Project.Name, services, Project.Config.DevUpTimeout, cancellationToken);

    /// <summary>Prints the service table; returns the containers it was made from.</summary>
    public async Task<IReadOnlyList<ContainerState>> PrintStatusAsync(ComposeModel model, CancellationToken cancellationToken = default)
    {
        var states = await Health.ReadAsync(Project.Name, cancellationToken).ConfigureAwait(false);
        log.Information($"Stack '{Project.Name}' ({Project.EnvironmentName}, {Project.Version.Describe()}):");
        foreach (var line in StatusTable.Render(Project, states, model))
        {
            log.Information(line);
        }

        return states;
    }
}
