namespace Build.Docker;

/// <summary>The table DevUp ends with and Status prints: service, state, URLs (after the port offset).</summary>
public static class StatusTable
{
    /// <summary>
    /// One row per service; a URL whose host-port variable the stack does not publish (the database port outside the
    /// dev overlay) is left out, so every URL shown answers.
    /// </summary>
    public static IReadOnlyList<string> Render(ComposeProject project, IReadOnlyList<ContainerState> containers, ComposeModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var published = model.Ports.Select(p => p.Port).ToHashSet();
        bool Reachable(string url) => VariableExpander.Names(url)
            .All(name => !project.HostPorts.TryGetValue(name, out var port) || published.Contains(port));
        var services = model.Services;

        // A running container's real binding wins over this run's variables: Status without --port-offset still shows
        // the ports the stack was started with.
        string? ActualPort(string service, string variable, IReadOnlyList<ContainerState> states)
        {
            if (!project.HostPorts.TryGetValue(variable, out var expected))
            {
                return null;
            }

            var target = model.Ports.FirstOrDefault(p => p.Service == service && p.Port == expected)?.Target ?? 0;
            return states.Select(s => s.HostPorts.TryGetValue(target, out var bound) ? bound : 0).FirstOrDefault(p => p > 0) is var port and > 0
                ? port.ToString(System.Globalization.CultureInfo.InvariantCulture)
                : null;
        }
        ArgumentNullException.ThrowIfNull(project);
        ArgumentNullException.ThrowIfNull(containers);
        // A container cut off from its network still passes a health check run inside it: say so in its state.
        var detached = model.LostNetworks(containers).Select(p => p.Container.Id).ToHashSet(StringComparer.Ordinal);
        string Describe(ContainerState state) => state.Describe() + (detached.Contains(state.Id) ? ", network lost" : string.Empty);
        var rows = new List<string[]> { new[] { "SERVICE", "STATE", "URL" } };
        foreach (var service in services.Concat(containers.Select(c => c.Service)).Distinct(StringComparer.Ordinal))
        {
            var states = containers.Where(c => c.Service == service).ToArray();
            var state = states.Length == 0 ? "not created" : string.Join(", ", states.Select(Describe).Distinct(StringComparer.Ordinal));
            var urls = project.Config.Services.TryGetValue(service, out var configured)
                ? configured.Urls.Where(Reachable).Select(u => VariableExpander.Expand(u, name => ActualPort(service, name, states) ?? project.Variable(name))).ToArray()
                : [];
            rows.Add([service, state, urls.Length == 0 ? "-" : urls[0]]);
            foreach (var more in urls.Skip(1))
            {
                rows.Add([string.Empty, string.Empty, more]);
            }
        }

        var widths = Enumerable.Range(0, 3).Select(i => rows.Max(r => r[i].Length)).ToArray();
        return rows.Select(r => $"  {r[0].PadRight(widths[0])}  {r[1].PadRight(widths[1])}  {r[2]}".TrimEnd()).ToArray();
    }
}
