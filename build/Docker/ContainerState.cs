using System.Text.Json;
using Build.Tools.Docker;

namespace Build.Docker;

/// <summary>Where a service stands on the way to healthy.</summary>
public enum ServicePhase
{
    /// <summary>No container yet.</summary>
    Missing,

    Starting,

    Healthy,

    /// <summary>Unhealthy, exited with an error or restarting: waiting longer will not help.</summary>
    Failed,

    /// <summary>A one-shot container that finished with exit code 0.</summary>
    Completed,
}

/// <summary>One container of a compose service, read from <c>docker inspect</c>.</summary>
public sealed partial record ContainerState
{
    public required string Id { get; init; }

    public required string Name { get; init; }

    public required string Service { get; init; }

    public required string Project { get; init; }

    /// <summary>created, running, restarting, exited, dead, paused.</summary>
    public required string Status { get; init; }

    public int ExitCode { get; init; }

    /// <summary>starting, healthy, unhealthy; null without a health check.</summary>
    public string? Health { get; init; }

    /// <summary>The output of the latest health probe (for a failure's report).</summary>
    public string? LastHealthOutput { get; init; }

    public int? LastHealthExitCode { get; init; }

    public bool IsOneOff { get; init; }

    /// <summary>Container TCP port to the host port it is published on (what is really bound, whatever this run's offset).</summary>
    public IReadOnlyDictionary<int, int> HostPorts { get; init; } = new Dictionary<int, int>();

    /// <summary>The networks the container is attached to now (engine names).</summary>
    public IReadOnlyList<string> Networks { get; init; } = [];

    public bool IsRunning => Status is "running" or "restarting" or "paused";

    public ServicePhase Phase => (Status, Health) switch
    {
        ("running", "healthy") or ("running", null) => ServicePhase.Healthy,
        (_, "unhealthy") => ServicePhase.Failed,
        ("restarting", _) or ("dead", _) => ServicePhase.Failed,
        ("exited", _) => ExitCode == 0 ? ServicePhase.Completed : ServicePhase.Failed,
        _ => ServicePhase.Starting,
    };

    /// <summary>"running (healthy)", "exited (1)".</summary>
    public string Describe() => Status switch
    {
        "exited" => $"exited ({ExitCode})",
        _ when Health is not null => $"{Status} ({Health})",
        _ => Status,
    };

    /// <summary>
    /// A container from the engine's list (<c>GET /containers/json</c>, what <c>docker ps</c> shows): its health is in the
    /// status text ("Up 2 minutes (healthy)"), its exit code in "Exited (1) 3 seconds ago"; no last probe output.
    /// </summary>
    public static ContainerState FromEngine(EngineContainer container)
    {
        ArgumentNullException.ThrowIfNull(container);
        var status = container.Status;
        string? health = status.Contains("(healthy)", StringComparison.Ordinal) ? "healthy"
            : status.Contains("(unhealthy)", StringComparison.Ordinal) ? "unhealthy"
            : status.Contains("(health: starting)", StringComparison.Ordinal) ? "starting"
            : null;
        var exit = ExitedCode().Match(status);
        return new ContainerState
        {
            Id = container.Id,
            Name = container.Name,
            Service = container.Labels.GetValueOrDefault("com.docker.compose.service", string.Empty),
            Project = container.Labels.GetValueOrDefault(ComposeProject.ProjectLabel, string.Empty),
            Status = container.State,
            ExitCode = exit.Success ? int.Parse(exit.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) : 0,
            Health = health,
            HostPorts = container.HostPorts,
            Networks = container.Networks,
            IsOneOff = string.Equals(container.Labels.GetValueOrDefault("com.docker.compose.oneoff"), "True", StringComparison.OrdinalIgnoreCase),
        };
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"^Exited \((-?\d+)\)")]
    private static partial System.Text.RegularExpressions.Regex ExitedCode();

    /// <summary>Parses the JSON array <c>docker inspect</c> prints for containers.</summary>
    public static IReadOnlyList<ContainerState> ParseInspect(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        if (string.IsNullOrWhiteSpace(json))
        {
            return [];
        }

        using var document = JsonDocument.Parse(json);
        var states = new List<ContainerState>();
        foreach (var container in document.RootElement.EnumerateArray())
        {
            var state = container.GetProperty("State");
            var labels = container.TryGetProperty("Config", out var config) && config.TryGetProperty("Labels", out var l) && l.ValueKind == JsonValueKind.Object
                ? l.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString() ?? string.Empty, StringComparer.Ordinal)
                : new Dictionary<string, string>();
            string? health = null;
            string? output = null;
            int? probeExit = null;
            if (state.TryGetProperty("Health", out var healthElement) && healthElement.ValueKind == JsonValueKind.Object)
            {
                health = healthElement.GetProperty("Status").GetString();
                if (healthElement.TryGetProperty("Log", out var log) && log.ValueKind == JsonValueKind.Array && log.GetArrayLength() > 0)
                {
                    var last = log[log.GetArrayLength() - 1];
                    output = last.TryGetProperty("Output", out var o) ? o.GetString() : null;
                    probeExit = last.TryGetProperty("ExitCode", out var e) ? e.GetInt32() : null;
                }
            }

            var networks = container.TryGetProperty("NetworkSettings", out var settings) && settings.TryGetProperty("Networks", out var attached) && attached.ValueKind == JsonValueKind.Object
                ? attached.EnumerateObject().Select(n => n.Name).ToArray()
                : [];
            var hostPorts = new Dictionary<int, int>();
            if (container.TryGetProperty("NetworkSettings", out var network) && network.TryGetProperty("Ports", out var portMap) && portMap.ValueKind == JsonValueKind.Object)
            {
                foreach (var mapping in portMap.EnumerateObject())
                {
                    var slash = mapping.Name.IndexOf('/', StringComparison.Ordinal);
                    if (mapping.Name.EndsWith("/tcp", StringComparison.Ordinal) && mapping.Value.ValueKind == JsonValueKind.Array
                        && int.TryParse(mapping.Name[..slash], System.Globalization.CultureInfo.InvariantCulture, out var target)
                        && mapping.Value.EnumerateArray().Select(b => b.TryGetProperty("HostPort", out var hp) ? hp.GetString() : null).FirstOrDefault() is { } hostPort
                        && int.TryParse(hostPort, System.Globalization.CultureInfo.InvariantCulture, out var published))
                    {
                        hostPorts[target] = published;
                    }
                }
            }

            states.Add(new ContainerState
            {
                HostPorts = hostPorts,
                Networks = networks,
                Id = container.GetProperty("Id").GetString() ?? string.Empty,
                Name = (container.GetProperty("Name").GetString() ?? string.Empty).TrimStart('/'),
                Service = labels.GetValueOrDefault("com.docker.compose.service", string.Empty),
                Project = labels.GetValueOrDefault(ComposeProject.ProjectLabel, string.Empty),
                Status = state.GetProperty("Status").GetString() ?? "unknown",
                ExitCode = state.TryGetProperty("ExitCode", out var exit) ? exit.GetInt32() : 0,
                Health = health,
                LastHealthOutput = output,
                LastHealthExitCode = probeExit,
                IsOneOff = string.Equals(labels.GetValueOrDefault("com.docker.compose.oneoff"), "True", StringComparison.OrdinalIgnoreCase),
            });
        }

        return states;
    }
}
