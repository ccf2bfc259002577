using System.Globalization;
using System.Text.RegularExpressions;
using YamlDotNet.RepresentationModel;

namespace Build.Docker;

/// <summary>A port the stack publishes on the host.</summary>
public sealed record PublishedPort(string Service, string HostIp, int Port, int Target = 0);

/// <summary>
/// What the kit reads from <c>compose config</c> (the merged files after variables): the services that run with the
/// enabled profiles and the host ports they publish. Both Compose versions print YAML; v2 uses the long port syntax,
/// v1 may print the short one.
/// </summary>
public sealed partial record ComposeModel(IReadOnlyList<string> Services, IReadOnlyList<PublishedPort> Ports)
{
    public static ComposeModel Parse(string yaml, IReadOnlyCollection<string> enabledProfiles)
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

        var names = new List<string>();
        var ports = new List<PublishedPort>();
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

        return new ComposeModel(names, ports);
    }

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
}
