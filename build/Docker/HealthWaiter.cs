using System.Diagnostics;
using System.Globalization;
using Build.Host;
using Build.Tools;
using Build.Tools.Docker;
using Cake.Core.Diagnostics;

namespace Build.Docker;

/// <summary>The stack did not become healthy: the report (health output, last log lines) was printed before.</summary>
public sealed class StackUnhealthyException(string message) : ExitCodeException(1, message);

/// <summary>
/// Waits until services of a compose project are healthy by polling <c>docker inspect</c> of the project's containers
/// (found by compose's project label): the same for Compose v1, which has no <c>up --wait</c>, and v2. Prints one
/// progress line whenever a service changes state. Fails fast when a service is unhealthy, exited with an error or
/// restarting, and at the timeout; either way it prints that service's last health-check output and last log lines.
/// </summary>
public sealed class HealthWaiter(ICommandRunner runner, ICakeLog log, SecretMasker masker)
{
    public const int LogLines = 50;

    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(1);

    public TimeSpan HeartbeatInterval { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>The project's containers now (one-off <c>run</c> containers excluded).</summary>
    public async Task<IReadOnlyList<ContainerState>> ReadAsync(string project, CancellationToken cancellationToken = default)
    {
        var ids = await runner.RunAsync(DockerTool.Command(DockerTool.ProjectContainersArguments(project), query: true), cancellationToken).ConfigureAwait(false);
        if (ids.OutputLines.Count == 0)
        {
            return [];
        }

        try
        {
            var inspect = await runner.RunAsync(DockerTool.Command(DockerTool.InspectArguments(ids.OutputLines), query: true), cancellationToken).ConfigureAwait(false);
            return ContainerState.ParseInspect(inspect.StandardOutput).Where(c => !c.IsOneOff).OrderBy(c => c.Service, StringComparer.Ordinal).ToArray();
        }
        catch (ToolFailedException)
        {
            // A container went away between the two commands (compose recreating it): read again next time.
            return [];
        }
    }

    /// <summary>Waits until every one of <paramref name="services"/> is healthy (or finished with exit code 0).</summary>
    public async Task<IReadOnlyList<ContainerState>> WaitAsync(
        string project, IReadOnlyCollection<string> services, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(services);
        var clock = Stopwatch.StartNew();
        var shown = new Dictionary<string, string>(StringComparer.Ordinal);
        var width = services.Count == 0 ? 8 : services.Max(s => s.Length);
        var nextHeartbeat = HeartbeatInterval;
        log.Information($"Waiting up to {timeout.TotalSeconds:0} s for {string.Join(", ", services)} to be healthy ({project}):");
        using var live = Live();
        while (true)
        {
            var states = await ReadAsync(project, cancellationToken).ConfigureAwait(false);
            var byService = services.ToDictionary(s => s, s => Worst(states.Where(c => c.Service == s)), StringComparer.Ordinal);
            foreach (var (service, state) in byService)
            {
                var text = state?.Describe() ?? "not created";
                if (!shown.TryGetValue(service, out var before) || before != text)
                {
                    shown[service] = text;
                    live.Clear();
                    log.Information($"  {service.PadRight(width)}  {text,-22} {Elapsed(clock)}");
                }
            }

            live.Show($"  waiting {Elapsed(clock)} of {timeout.TotalSeconds:0} s: " + string.Join(" · ", byService.Select(p => $"{p.Key} {shown[p.Key]}")));

            if (byService.Values.All(s => s is { Phase: ServicePhase.Healthy or ServicePhase.Completed }))
            {
                live.Clear();
                log.Information($"All healthy after {Elapsed(clock)}: {string.Join(", ", services)}.");
                return states;
            }

            if (byService.FirstOrDefault(p => p.Value is { Phase: ServicePhase.Failed }) is { Value: { } failed })
            {
                live.Clear();
                await ReportAsync(failed, cancellationToken).ConfigureAwait(false);
                throw new StackUnhealthyException(
                    $"Service '{failed.Service}' of stack '{project}' is {failed.Describe()}: its health check output and last {LogLines} log lines are above.");
            }

            if (clock.Elapsed >= timeout)
            {
                live.Clear();
                var waiting = byService.Where(p => p.Value is not { Phase: ServicePhase.Healthy or ServicePhase.Completed }).ToArray();
                foreach (var (_, state) in waiting)
                {
                    if (state is not null)
                    {
                        await ReportAsync(state, cancellationToken).ConfigureAwait(false);
                    }
                }

                throw new StackUnhealthyException(
                    $"Stack '{project}' was not healthy after {timeout.TotalSeconds:0} s; still waiting for "
                    + string.Join(", ", waiting.Select(p => $"{p.Key} ({p.Value?.Describe() ?? "not created"})"))
                    + ". Raise devUpTimeoutSeconds in config/docker.json if it is just slow.");
            }

            if (!live.Enabled && clock.Elapsed >= nextHeartbeat)
            {
                nextHeartbeat += HeartbeatInterval;
                log.Information($"  ... {Elapsed(clock)} of {timeout.TotalSeconds:0} s: "
                    + string.Join(", ", byService.Where(p => p.Value is not { Phase: ServicePhase.Healthy }).Select(p => $"{p.Key} {shown[p.Key]}")));
            }

            await Task.Delay(PollInterval, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>The in-place status line, on a terminal only (a test or a pipe gets the plain lines).</summary>
    public Func<LiveLine> Live { get; init; } = () => LiveLine.ForConsole(continuousIntegration: false);

    /// <summary>Prints what tells why a container is not healthy: its last health-check output and last log lines.</summary>
    public async Task ReportAsync(ContainerState container, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(container);
        log.Error($"--- {container.Service} ({container.Name}) is {container.Describe()}");
        if (container.LastHealthOutput is { } output)
        {
            log.Error($"--- last health check (exit code {container.LastHealthExitCode?.ToString(CultureInfo.InvariantCulture) ?? "?"}):");
            foreach (var line in output.Split('\n', StringSplitOptions.RemoveEmptyEntries))
            {
                log.Error("  " + masker.Mask(line.TrimEnd()));
            }
        }
        else
        {
            log.Error("--- no health check output (the container has no health check or never ran one)");
        }

        log.Error($"--- last {LogLines} log lines of {container.Name}:");
        try
        {
            await runner.RunAsync(DockerTool.Command(DockerTool.LogsArguments(container.Id, LogLines), query: true) with { Quiet = false }, cancellationToken).ConfigureAwait(false);
        }
        catch (ToolFailedException failure)
        {
            log.Error($"  (could not read the logs: {failure.Message})");
        }
    }

    /// <summary>Of several containers of one service (scaled), the one furthest from healthy.</summary>
    private static ContainerState? Worst(IEnumerable<ContainerState> containers) =>
        containers.OrderBy(c => c.Phase switch
        {
            ServicePhase.Failed => 0,
            ServicePhase.Missing => 1,
            ServicePhase.Starting => 2,
            ServicePhase.Completed => 3,
            _ => 4,
        }).FirstOrDefault();

    private static string Elapsed(Stopwatch clock) => $"{clock.Elapsed.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture)} s";
}
