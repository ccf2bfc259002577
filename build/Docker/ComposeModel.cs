using System.Globalization;
using System.Text.RegularExpressions;
using YamlDotNet.RepresentationModel;

namespace Build.Docker;

/// <summary>A port the stack publishes on the host.</summary>
public sealed record PublishedPort(string Service, string HostIp, int Port, int Target = 0);

/// <summary>
/// What the kit reads from <c>compose config</c> (the merged files after variables): the services that run with the
/// enabled profiles, the host ports they publish, the image each runs, the networks each joins and the labels each
/// carries, and the host folders and files it bind-mounts. Both Compose versions print YAML; v2 uses the long port syntax, v1 may print the short one, and v1 leaves
/// out the default network.
/// </summary>
public sealed partial record ComposeModel(IReadOnlyList<string> Services, IReadOnlyList<PublishedPort> Ports)
{
    /// <summary>The label the dev overlay puts on a service that watches its bind-mounted source (dotnet watch, vite ...).</summary>
    public const string FileWatcherLabel = "org.example.kit.file-watcher";

    /// <summary>Service to the image it runs (after variables); services without <c>image:</c> are left out.</summary>
    public IReadOnlyDictionary<string, string> Images { get; init; } = new Dictionary<string, string>();

    /// <summary>Service to the engine names of the networks it joins (<c>&lt;project&gt;_default</c> ...); none with <c>network_mode</c>.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>> Networks { get; init; } = new Dictionary<string, IReadOnlyList<string>>();

    /// <summary>Services that watch files for changes (<see cref="FileWatcherLabel"/>): they hold inotify instances.</summary>
    public IReadOnlyList<string> FileWatchers { get; init; } = [];

    /// <summary>
    /// File watchers whose environment does not name <see cref="FileWatchLimits.PollingVariable"/>: when the host's
    /// inotify limits are too low they cannot be told to poll (and may fail to start, or miss edits).
    /// </summary>
    public IReadOnlyList<string> WatchersThatCannotPoll { get; init; } = [];

    /// <summary>
    /// Service to the host paths it bind-mounts (absolute, as <c>compose config</c> prints them); named volumes are
    /// left out. A container serves an edit there from the mount, without a new image.
    /// </summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>> BindMounts { get; init; } = new Dictionary<string, IReadOnlyList<string>>();

    /// <summary>
    /// Running containers missing a network their service joins: removed (or disconnected) under a running stack, so
    /// the service's name and published ports no longer answer although its health check, run inside, still passes.
    /// </summary>
    public IReadOnlyList<(ContainerState Container, IReadOnlyList<string> Missing)> LostNetworks(IReadOnlyList<ContainerState> containers)
    {
        ArgumentNullException.ThrowIfNull(containers);
        return containers
            .Where(c => c.IsRunning && Networks.ContainsKey(c.Service))
            .Select(c => (Container: c, Missing: (IReadOnlyList<string>)Networks[c.Service].Except(c.Networks, StringComparer.Ordinal).ToArray()))
            .Where(p => p.Missing.Count > 0)
            .ToArray();
    }

    public static ComposeModel Parse(string yaml, IReadOnlyCollection<string> enabledProfiles, string? projectName = null)
    {
        ArgumentNullException.ThrowIfNull(yaml);
        ArgumentNullException.ThrowIfNull(enabledProfiles);
        var stream = new YamlStream();
        stream.Load(new StringReader(yaml));
        if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is not YamlMappingNode root
            || !root.Children.TryGetValue(new YamlScalarNode("services"), out var servicesNode) || servicesNode is not YamlMappingNode services)
        {
            return new ComposeModel([], []);
        }

        // Network keys to engine names: v2 prints each network's name; v1 prints none for the default network.
        var networkNames = new Dictionary<string, string>(StringComparer.Ordinal);
        if (Child(root, "networks") is YamlMappingNode declared)
        {
            foreach (var (key, value) in declared.Children)
            {
                var networkKey = ((YamlScalarNode)key).Value ?? string.Empty;
                if ((Child(value as YamlMappingNode, "name") as YamlScalarNode)?.Value is { Length: > 0 } engineName)
                {
                    networkNames[networkKey] = engineName;
                }
            }
        }

        string NetworkName(string key) => networkNames.TryGetValue(key, out var engineName) ? engineName : $"{projectName}_{key}";

        var names = new List<string>();
        var ports = new List<PublishedPort>();
        var images = new Dictionary<string, string>(StringComparer.Ordinal);
        var networks = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        var watchers = new List<string>();
        var cannotPoll = new List<string>();
        var bindMounts = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        foreach (var (key, value) in services.Children)
        {
            var name = ((YamlScalarNode)key).Value ?? string.Empty;
            var service = value as YamlMappingNode;
            // v1 lists services of disabled profiles too: a service with profiles runs only when one is enabled.
            if (Child(service, "profiles") is YamlSequenceNode profiles
                && !profiles.Children.OfType<YamlScalarNode>().Any(p => enabledProfiles.Contains(p.Value ?? string.Empty)))
            {
                continue;
            }

            names.Add(name);
            if ((Child(service, "image") as YamlScalarNode)?.Value is { Length: > 0 } image)
            {
                images[name] = image;
            }

            if (Child(service, "network_mode") is null && projectName is not null)
            {
                var joined = Child(service, "networks") switch
                {
                    YamlMappingNode mapping => mapping.Children.Keys.OfType<YamlScalarNode>().Select(k => k.Value ?? string.Empty).ToArray(),
                    YamlSequenceNode sequence => sequence.Children.OfType<YamlScalarNode>().Select(k => k.Value ?? string.Empty).ToArray(),
                    _ => ["default"],
                };
                networks[name] = joined.Select(NetworkName).ToArray();
            }

            if (HasKey(Child(service, "labels"), FileWatcherLabel))
            {
                watchers.Add(name);
                if (!HasKey(Child(service, "environment"), FileWatchLimits.PollingVariable))
                {
                    cannotPoll.Add(name);
                }
            }

            if (Child(service, "volumes") is YamlSequenceNode volumes
                && volumes.Children.Select(BindSource).OfType<string>().ToArray() is { Length: > 0 } sources)
            {
                bindMounts[name] = sources;
            }

            if (Child(service, "ports") is not YamlSequenceNode list)
            {
                continue;
            }

            foreach (var entry in list.Children)
            {
                if (entry is YamlMappingNode mapping)
                {
                    var published = (Child(mapping, "published") as YamlScalarNode)?.Value;
                    var hostIp = (Child(mapping, "host_ip") as YamlScalarNode)?.Value;
                    _ = int.TryParse((Child(mapping, "target") as YamlScalarNode)?.Value, NumberStyles.None, CultureInfo.InvariantCulture, out var target);
                    if (int.TryParse(published, NumberStyles.None, CultureInfo.InvariantCulture, out var port))
                    {
                        ports.Add(new PublishedPort(name, string.IsNullOrEmpty(hostIp) ? "0.0.0.0" : hostIp, port, target));
                    }
                }
                else if (entry is YamlScalarNode { Value: { } shortSyntax } && ParseShort(name, shortSyntax) is { } port)
                {
                    ports.Add(port);
                }
            }
        }

        return new ComposeModel(names, ports) { Images = images, Networks = networks, FileWatchers = watchers, WatchersThatCannotPoll = cannotPoll, BindMounts = bindMounts };
    }

    /// <summary>
    /// The host path of a bind mount: v2 prints the long syntax (<c>type: bind</c>, <c>source</c>); v1 may print the
    /// short one ("/abs/path:/src:rw", "C:\src:/src"), where a named volume's source is a plain name.
    /// </summary>
    private static string? BindSource(YamlNode volume) => volume switch
    {
        YamlMappingNode mapping when (Child(mapping, "type") as YamlScalarNode)?.Value == "bind" =>
            (Child(mapping, "source") as YamlScalarNode)?.Value is { Length: > 0 } source ? source : null,
        YamlScalarNode { Value: { } shortSyntax } when ShortBindMount().Match(shortSyntax) is { Success: true } match =>
            match.Groups["source"].Value,
        _ => null,
    };

    /// <summary>A key of labels or environment variables, as a mapping (v2) or a list of "key=value" (v1, or as written).</summary>
    private static bool HasKey(YamlNode? entries, string key) => entries switch
    {
        YamlMappingNode mapping => mapping.Children.Keys.OfType<YamlScalarNode>().Any(k => k.Value == key),
        YamlSequenceNode sequence => sequence.Children.OfType<YamlScalarNode>().Any(v => (v.Value ?? string.Empty).Split('=')[0] == key),
        _ => false,
    };

    /// <summary>"127.0.0.1:8080:8080/tcp", "8080:8080", "8080" (no host port: nothing to check).</summary>
    internal static PublishedPort? ParseShort(string service, string text)
    {
        var match = ShortPort().Match(text);
        return match.Success && int.TryParse(match.Groups["published"].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var port)
            ? new PublishedPort(
                service,
                match.Groups["ip"].Success && match.Groups["ip"].Value.Length > 0 ? match.Groups["ip"].Value : "0.0.0.0",
                port,
                int.Parse(match.Groups["target"].Value, CultureInfo.InvariantCulture))
            : null;
    }

    private static YamlNode? Child(YamlMappingNode? node, string name) =>
        node is not null && node.Children.TryGetValue(new YamlScalarNode(name), out var child) ? child : null;

    [GeneratedRegex(@"^(?:(?<ip>[0-9.]*|\[[0-9a-fA-F:]*\]):)?(?<published>\d+):(?<target>\d+)(?:/\w+)?$")]
    private static partial Regex ShortPort();

    [GeneratedRegex(@"^(?<source>/[^:]*|[A-Za-z]:[\\/][^:]*):")]
    private static partial Regex ShortBindMount();
}
