using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using Build.Tools;
using Build.Tools.Docker;

namespace Build.Docker;

/// <summary>Who holds a host port: a container (and its compose project) or a process.</summary>
public sealed record PortHolder(string Description, string? Project);

/// <summary>
/// Before <c>up</c>: every host port the stack publishes must be free. A busy port is reported with its holder: a
/// container publishing it (from <c>docker ps</c>), else the listening process (from /proc: the socket's inode, then
/// the process whose descriptors include it). Ports held by this same project's containers are fine (a second DevUp).
/// </summary>
public sealed partial class PortPreflight(ICommandRunner runner)
{
    /// <summary>One line per busy port; empty when all are free.</summary>
    public async Task<IReadOnlyList<string>> CheckAsync(ComposeProject project, IReadOnlyList<PublishedPort> ports, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(project);
        ArgumentNullException.ThrowIfNull(ports);
        var busy = ports.Where(p => !IsFree(p.HostIp, p.Port)).ToArray();
        if (busy.Length == 0)
        {
            return [];
        }

        IReadOnlyDictionary<int, PortHolder> published;
        try
        {
            published = await ReadPublishedAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (ToolFailedException)
        {
            // No engine to ask (a dry run needs none): the listening process, from /proc, is all we can name.
            published = new Dictionary<int, PortHolder>();
        }

        var problems = new List<string>();
        foreach (var port in busy)
        {
            var holder = published.TryGetValue(port.Port, out var container) ? container : FindProcess(port.Port);
            if (holder?.Project == project.Name)
            {
                continue;
            }

            var variable = project.HostPorts.FirstOrDefault(p => p.Value == port.Port).Key;
            problems.Add(
                $"Port {port.HostIp}:{port.Port} (service {port.Service}{(variable is null ? string.Empty : $", {variable}")}) is in use by "
                + (holder?.Description ?? UnknownHolder)
                + ". Stop it, or run this stack with --port-offset=<n> (and --project-name=<name> for a second checkout).");
        }

        return problems;
    }

    // Without root, other users' processes are invisible in /proc; as root, the port is held by no listener we can
    // see (an outgoing connection's local port, or another network namespace).
    private static string UnknownHolder => Environment.UserName == "root"
        ? "a connection or process not visible from here (ss -tanp shows every socket)"
        : "a process not visible to this user (sudo ss -ltnp shows it)";

    /// <summary>True when nothing listens on the address and port (we can bind it).</summary>
    public static bool IsFree(string hostIp, int port)
    {
        var address = hostIp is "" or "0.0.0.0" ? IPAddress.Any : IPAddress.TryParse(hostIp.Trim('[', ']'), out var parsed) ? parsed : IPAddress.Loopback;
        try
        {
            using var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
            socket.Bind(new IPEndPoint(address, port));
            socket.Listen(1);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    /// <summary>Host port to the running container publishing it.</summary>
    public async Task<IReadOnlyDictionary<int, PortHolder>> ReadPublishedAsync(CancellationToken cancellationToken = default)
    {
        var result = await runner.RunAsync(
            DockerTool.Command(DockerTool.PublishedPortsArguments(), query: true),
            cancellationToken).ConfigureAwait(false);
        return ParsePublished(result.StandardOutput);
    }

    /// <summary>Lines of "id\tname\tproject\tports" (docker ps) to host port → container.</summary>
    public static IReadOnlyDictionary<int, PortHolder> ParsePublished(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var holders = new Dictionary<int, PortHolder>();
        foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var fields = line.TrimEnd('\r').Split('\t');
            if (fields.Length < 4)
            {
                continue;
            }

            var project = fields[2].Length == 0 ? null : fields[2];
            var description = $"container '{fields[1]}'" + (project is null ? string.Empty : $" (compose project '{project}')");
            foreach (Match match in PublishedPortPattern().Matches(fields[3]))
            {
                holders.TryAdd(int.Parse(match.Groups["port"].Value, CultureInfo.InvariantCulture), new PortHolder(description, project));
            }
        }

        return holders;
    }

    /// <summary>The process listening on a TCP port, from /proc (Linux); null when it cannot be told.</summary>
    public static PortHolder? FindProcess(int port)
    {
        var inodes = new HashSet<string>(StringComparer.Ordinal);
        foreach (var table in new[] { "/proc/net/tcp", "/proc/net/tcp6" })
        {
            if (!File.Exists(table))
            {
                continue;
            }

            foreach (var line in File.ReadLines(table).Skip(1))
            {
                var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                // local_address is hex "ADDRESS:PORT"; state 0A is LISTEN; the inode is the tenth field.
                if (fields.Length > 9 && fields[3] == "0A"
                    && int.TryParse(fields[1][(fields[1].LastIndexOf(':') + 1)..], NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var local)
                    && local == port)
                {
                    inodes.Add($"socket:[{fields[9]}]");
                }
            }
        }

        if (inodes.Count == 0 || !Directory.Exists("/proc"))
        {
            return null;
        }

        foreach (var processDirectory in Directory.EnumerateDirectories("/proc"))
        {
            var pid = Path.GetFileName(processDirectory);
            if (!pid.All(char.IsAsciiDigit))
            {
                continue;
            }

            try
            {
                foreach (var descriptor in Directory.EnumerateFileSystemEntries(Path.Combine(processDirectory, "fd")))
                {
                    if (new FileInfo(descriptor).LinkTarget is { } target && inodes.Contains(target))
                    {
                        var name = File.ReadAllText(Path.Combine(processDirectory, "comm")).Trim();
                        return new PortHolder($"process '{name}' (pid {pid})", null);
                    }
                }
            }
            catch (Exception exception) when (exception is UnauthorizedAccessException or IOException)
            {
                // Another user's process, or one that just ended.
            }
        }

        return null;
    }

    [GeneratedRegex(@"(?:^|,\s*)(?<ip>[^,\s]*):(?<port>\d+)->\d+/tcp")]
    private static partial Regex PublishedPortPattern();
}
