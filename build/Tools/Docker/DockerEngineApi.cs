using System.Net.Sockets;
using System.Text.Json;

namespace Build.Tools.Docker;

/// <summary>A container as the engine lists it (<c>GET /containers/json</c>): what <c>docker ps</c> shows, labels and networks included.</summary>
public sealed record EngineContainer(
    string Id,
    string Name,
    string ImageId,
    string State,
    string Status,
    IReadOnlyDictionary<string, string> Labels,
    IReadOnlyDictionary<int, int> HostPorts,
    IReadOnlyList<string> Networks);

/// <summary>An image as the engine lists it (<c>GET /images/json</c>).</summary>
public sealed record EngineImage(string Id, IReadOnlyList<string> RepoTags, IReadOnlyDictionary<string, string> Labels);

/// <summary>
/// The Docker engine's HTTP API on its local unix socket, for the questions a <c>docker ps</c> or <c>docker image
/// inspect</c> would answer: no process is started, so a check of a whole stack costs milliseconds. Only where the
/// <c>docker</c> CLI would talk to that same socket (<see cref="ForEnvironment"/>); everything that changes state still
/// goes through the CLI and the one runner.
/// </summary>
public sealed class DockerEngineApi : IDisposable
{
    public const string DefaultSocket = "/var/run/docker.sock";

    private readonly HttpClient http;

    public DockerEngineApi(string socketPath, TimeSpan? timeout = null)
    {
        SocketPath = socketPath;
        var handler = new SocketsHttpHandler
        {
            ConnectCallback = async (_, cancellationToken) =>
            {
                var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                try
                {
                    await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), cancellationToken).ConfigureAwait(false);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        };
        http = new HttpClient(handler) { BaseAddress = new Uri("http://docker/"), Timeout = timeout ?? TimeSpan.FromSeconds(10) };
    }

    public string SocketPath { get; }

    /// <summary>
    /// The engine the <c>docker</c> CLI would use, when it is a local unix socket: DOCKER_HOST unset or <c>unix://</c>,
    /// and no other Docker context chosen (DOCKER_CONTEXT, or <c>currentContext</c> in the CLI's config.json). Otherwise
    /// null with the reason: the CLI may be talking to another engine than this socket.
    /// </summary>
    public static (DockerEngineApi? Api, string? Reason) ForEnvironment(IReadOnlyDictionary<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        var host = environment.GetValueOrDefault("DOCKER_HOST");
        string socket;
        if (string.IsNullOrEmpty(host))
        {
            socket = DefaultSocket;
        }
        else if (host.StartsWith("unix://", StringComparison.Ordinal))
        {
            socket = host["unix://".Length..];
        }
        else
        {
            return (null, $"DOCKER_HOST={host} is not a local socket");
        }

        if (environment.GetValueOrDefault("DOCKER_CONTEXT") is { Length: > 0 } context && context != "default")
        {
            return (null, $"DOCKER_CONTEXT={context} chooses another engine");
        }

        if (CurrentContext(environment) is { } chosen && chosen != "default")
        {
            return (null, $"the Docker context '{chosen}' (docker context use) chooses another engine");
        }

        return (new DockerEngineApi(socket), null);
    }

    /// <summary>The CLI's <c>currentContext</c>, from <c>$DOCKER_CONFIG/config.json</c> (else <c>~/.docker/config.json</c>).</summary>
    private static string? CurrentContext(IReadOnlyDictionary<string, string?> environment)
    {
        var folder = environment.GetValueOrDefault("DOCKER_CONFIG") is { Length: > 0 } configured
            ? configured
            : Path.Combine(environment.GetValueOrDefault("HOME") ?? Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".docker");
        var file = Path.Combine(folder, "config.json");
        if (!File.Exists(file))
        {
            return null;
        }

        try
        {
            using var document = JsonDocument.Parse(File.ReadAllBytes(file));
            return document.RootElement.ValueKind == JsonValueKind.Object && document.RootElement.TryGetProperty("currentContext", out var current)
                ? current.GetString()
                : null;
        }
        catch (JsonException)
        {
            // The CLI would refuse it too: treat it as "another engine", never as the default one.
            return "<unreadable config.json>";
        }
    }

    /// <summary>Every container (running or not) carrying <paramref name="label"/> (<c>key=value</c>).</summary>
    public async Task<IReadOnlyList<EngineContainer>> ContainersAsync(string label, CancellationToken cancellationToken = default)
    {
        using var document = await GetAsync($"containers/json?all=1&filters={Filter("label", [label])}", cancellationToken).ConfigureAwait(false);
        return document.RootElement.EnumerateArray().Select(ParseContainer).ToArray();
    }

    /// <summary>The images <paramref name="references"/> name (absent ones are left out), in one call.</summary>
    public async Task<IReadOnlyList<EngineImage>> ImagesAsync(IReadOnlyCollection<string> references, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(references);
        if (references.Count == 0)
        {
            return [];
        }

        return await ImagesAsync("reference", references, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The images carrying <paramref name="label"/> (<c>key=value</c>).</summary>
    public Task<IReadOnlyList<EngineImage>> ImagesWithLabelAsync(string label, CancellationToken cancellationToken = default) =>
        ImagesAsync("label", [label], cancellationToken);

    private async Task<IReadOnlyList<EngineImage>> ImagesAsync(string filter, IReadOnlyCollection<string> values, CancellationToken cancellationToken)
    {
        using var document = await GetAsync($"images/json?filters={Filter(filter, values)}", cancellationToken).ConfigureAwait(false);
        return document.RootElement.EnumerateArray().Select(image => new EngineImage(
            image.GetProperty("Id").GetString() ?? string.Empty,
            image.TryGetProperty("RepoTags", out var tags) && tags.ValueKind == JsonValueKind.Array
                ? tags.EnumerateArray().Select(t => t.GetString() ?? string.Empty).ToArray()
                : [],
            Labels(image, "Labels"))).ToArray();
    }

    /// <summary>A tag as the engine lists it: <c>redis</c> is <c>redis:latest</c>; a digest reference stays as it is.</summary>
    public static string NormalizeTag(string reference)
    {
        ArgumentNullException.ThrowIfNull(reference);
        var lastSlash = reference.LastIndexOf('/');
        return reference.Contains('@', StringComparison.Ordinal) || reference.IndexOf(':', lastSlash + 1) >= 0 ? reference : reference + ":latest";
    }

    private static string Filter(string key, IEnumerable<string> values) =>
        Uri.EscapeDataString(JsonSerializer.Serialize(new Dictionary<string, string[]> { [key] = values.ToArray() }));

    private async Task<JsonDocument> GetAsync(string path, CancellationToken cancellationToken)
    {
        using var response = await http.GetAsync(new Uri(path, UriKind.Relative), cancellationToken).ConfigureAwait(false);
        response.EnsureSuccessStatusCode();
        await using var body = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        return await JsonDocument.ParseAsync(body, cancellationToken: cancellationToken).ConfigureAwait(false);
    }

    private static EngineContainer ParseContainer(JsonElement container)
    {
        var ports = new Dictionary<int, int>();
        if (container.TryGetProperty("Ports", out var list) && list.ValueKind == JsonValueKind.Array)
        {
            foreach (var port in list.EnumerateArray())
            {
                if (port.TryGetProperty("PublicPort", out var published) && port.TryGetProperty("PrivatePort", out var target)
                    && port.TryGetProperty("Type", out var type) && type.GetString() == "tcp")
                {
                    ports[target.GetInt32()] = published.GetInt32();
                }
            }
        }

        var networks = container.TryGetProperty("NetworkSettings", out var settings) && settings.ValueKind == JsonValueKind.Object
            && settings.TryGetProperty("Networks", out var attached) && attached.ValueKind == JsonValueKind.Object
            ? attached.EnumerateObject().Select(n => n.Name).ToArray()
            : [];
        var names = container.TryGetProperty("Names", out var n) && n.ValueKind == JsonValueKind.Array && n.GetArrayLength() > 0 ? n[0].GetString() ?? string.Empty : string.Empty;
        return new EngineContainer(
            container.GetProperty("Id").GetString() ?? string.Empty,
            names.TrimStart('/'),
            container.TryGetProperty("ImageID", out var image) ? image.GetString() ?? string.Empty : string.Empty,
            container.TryGetProperty("State", out var state) ? state.GetString() ?? string.Empty : string.Empty,
            container.TryGetProperty("Status", out var status) ? status.GetString() ?? string.Empty : string.Empty,
            Labels(container, "Labels"),
            ports,
            networks);
    }

    private static Dictionary<string, string> Labels(JsonElement element, string property) =>
        element.TryGetProperty(property, out var labels) && labels.ValueKind == JsonValueKind.Object
            ? labels.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString() ?? string.Empty, StringComparer.Ordinal)
            : new Dictionary<string, string>(StringComparer.Ordinal);

    public void Dispose() => http.Dispose();
}
