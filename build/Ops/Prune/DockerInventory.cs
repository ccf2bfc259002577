using System.Globalization;
using System.Text.Json;
using Build.Tools;
using Build.Tools.Docker;

namespace Build.Ops.Prune;

public sealed record ImageInfo(string Id, IReadOnlyList<string> RepoTags, DateTimeOffset Created, IReadOnlyDictionary<string, string> Labels, long UniqueSize);

public sealed record ContainerInfo(string Id, string Name, string ImageId, string State, IReadOnlyDictionary<string, string> Labels, IReadOnlyList<string> VolumeNames, long Size)
{
    /// <summary>Stopped: exited, created (never started) or dead. Running, paused and restarting ones are never removed.</summary>
    public bool IsStopped => State is "exited" or "created" or "dead";
}

public sealed record VolumeInfo(string Name, IReadOnlyDictionary<string, string> Labels, long Size);

public sealed record NetworkInfo(string Id, string Name, IReadOnlyDictionary<string, string> Labels);

/// <summary>Build cache records: the engine's, shared by every project on it.</summary>
public sealed record BuildCacheInfo(long UnusedBytes, long TotalBytes, int Records);

/// <summary>Everything on the engine Prune decides about, read in a handful of queries.</summary>
public sealed record DockerInventory(
    IReadOnlyList<ImageInfo> Images,
    IReadOnlyList<ContainerInfo> Containers,
    IReadOnlyList<VolumeInfo> Volumes,
    IReadOnlyList<NetworkInfo> Networks,
    BuildCacheInfo BuildCache)
{
    /// <summary>
    /// Reads the engine: <c>system df -v</c> (sizes, volumes, build cache), then <c>inspect</c> of every image and
    /// container (labels, tags, states), then the networks. Things removed meanwhile by someone else are left out.
    /// </summary>
    public static async Task<DockerInventory> ReadAsync(ICommandRunner runner, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(runner);
        var df = await Query(runner, ["system", "df", "--verbose", "--format", "{{json .}}"], cancellationToken).ConfigureAwait(false);
        var usage = ParseSystemDf(df);
        var images = usage.ImageIds.Count == 0
            ? []
            : ParseImages(await Query(runner, ["image", "inspect", .. usage.ImageIds], cancellationToken, tolerateMissing: true).ConfigureAwait(false), usage.UniqueSizes);
        var containers = usage.ContainerIds.Count == 0
            ? []
            : ParseContainers(await Query(runner, ["container", "inspect", .. usage.ContainerIds], cancellationToken, tolerateMissing: true).ConfigureAwait(false), usage.ContainerSizes);
        var networks = ParseNetworks(await Query(runner, ["network", "ls", "--no-trunc", "--format", "{{json .}}"], cancellationToken).ConfigureAwait(false));
        return new DockerInventory(images, containers, usage.Volumes, networks, usage.BuildCache);
    }

    public sealed record SystemUsage(
        IReadOnlyList<string> ImageIds,
        IReadOnlyDictionary<string, long> UniqueSizes,
        IReadOnlyList<string> ContainerIds,
        IReadOnlyDictionary<string, long> ContainerSizes,
        IReadOnlyList<VolumeInfo> Volumes,
        BuildCacheInfo BuildCache);

    /// <summary><c>docker system df -v --format '{{json .}}'</c>: one JSON object with Images, Containers, Volumes, BuildCache.</summary>
    public static SystemUsage ParseSystemDf(string json)
    {
        using var document = JsonDocument.Parse(string.IsNullOrWhiteSpace(json) ? "{}" : json);
        var root = document.RootElement;
        var imageIds = new List<string>();
        var uniqueSizes = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var image in Array(root, "Images"))
        {
            var id = Text(image, "ID");
            if (id.Length > 0 && uniqueSizes.TryAdd(id, ByteSize.Parse(Text(image, "UniqueSize"))))
            {
                imageIds.Add(id);
            }
        }

        var containerIds = new List<string>();
        var containerSizes = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var container in Array(root, "Containers"))
        {
            var id = Text(container, "ID");
            if (id.Length > 0 && containerSizes.TryAdd(id, ByteSize.Parse(Text(container, "Size"))))
            {
                containerIds.Add(id);
            }
        }

        var volumes = Array(root, "Volumes")
            .Select(v => new VolumeInfo(Text(v, "Name"), ParseLabels(Text(v, "Labels")), ByteSize.Parse(Text(v, "Size"))))
            .Where(v => v.Name.Length > 0)
            .ToArray();
        long unused = 0, total = 0;
        var records = 0;
        foreach (var record in Array(root, "BuildCache"))
        {
            var size = ByteSize.Parse(Text(record, "Size"));
            total += size;
            records++;
            if (!string.Equals(Text(record, "InUse"), "true", StringComparison.OrdinalIgnoreCase))
            {
                unused += size;
            }
        }

        return new SystemUsage(imageIds, uniqueSizes, containerIds, containerSizes, volumes, new BuildCacheInfo(unused, total, records));
    }

    /// <summary><c>docker image inspect</c>: a JSON array.</summary>
    public static IReadOnlyList<ImageInfo> ParseImages(string json, IReadOnlyDictionary<string, long> uniqueSizes)
    {
        ArgumentNullException.ThrowIfNull(uniqueSizes);
        using var document = JsonDocument.Parse(string.IsNullOrWhiteSpace(json) ? "[]" : json);
        return document.RootElement.EnumerateArray().Select(image =>
        {
            var id = Text(image, "Id");
            var tags = image.TryGetProperty("RepoTags", out var list) && list.ValueKind == JsonValueKind.Array
                ? list.EnumerateArray().Select(t => t.GetString() ?? string.Empty).Where(t => t.Length > 0 && t != "<none>:<none>").ToArray()
                : [];
            var created = DateTimeOffset.TryParse(Text(image, "Created"), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time) ? time : DateTimeOffset.MinValue;
            var labels = image.TryGetProperty("Config", out var config) ? Labels(config) : new Dictionary<string, string>();
            return new ImageInfo(id, tags, created, labels, uniqueSizes.GetValueOrDefault(id));
        }).ToArray();
    }

    /// <summary><c>docker container inspect</c>: a JSON array.</summary>
    public static IReadOnlyList<ContainerInfo> ParseContainers(string json, IReadOnlyDictionary<string, long> sizes)
    {
        ArgumentNullException.ThrowIfNull(sizes);
        using var document = JsonDocument.Parse(string.IsNullOrWhiteSpace(json) ? "[]" : json);
        return document.RootElement.EnumerateArray().Select(container =>
        {
            var id = Text(container, "Id");
            var state = container.TryGetProperty("State", out var s) ? Text(s, "Status") : string.Empty;
            var labels = container.TryGetProperty("Config", out var config) ? Labels(config) : new Dictionary<string, string>();
            var volumes = Array(container, "Mounts").Where(m => Text(m, "Type") == "volume").Select(m => Text(m, "Name")).Where(n => n.Length > 0).ToArray();
            var size = sizes.FirstOrDefault(p => id.StartsWith(p.Key, StringComparison.Ordinal)).Value;
            return new ContainerInfo(id, Text(container, "Name").TrimStart('/'), Text(container, "Image"), state, labels, volumes, size);
        }).ToArray();
    }

    /// <summary><c>docker network ls --format '{{json .}}'</c>: one object per line, labels as "k=v,k=v".</summary>
    public static IReadOnlyList<NetworkInfo> ParseNetworks(string lines) =>
        (lines ?? string.Empty).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
        .Select(line =>
        {
            using var document = JsonDocument.Parse(line);
            var network = document.RootElement;
            return new NetworkInfo(Text(network, "ID"), Text(network, "Name"), ParseLabels(Text(network, "Labels")));
        })
        .ToArray();

    /// <summary>"k=v,k=v" (docker's table label format). A value with a comma (compose's config_files) keeps its parts.</summary>
    public static IReadOnlyDictionary<string, string> ParseLabels(string text)
    {
        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        string? last = null;
        foreach (var part in (text ?? string.Empty).Split(',', StringSplitOptions.RemoveEmptyEntries))
        {
            var equals = part.IndexOf('=', StringComparison.Ordinal);
            if (equals > 0)
            {
                last = part[..equals];
                labels[last] = part[(equals + 1)..];
            }
            else if (last is not null)
            {
                labels[last] += "," + part;
            }
        }

        return labels;
    }

    private static async Task<string> Query(ICommandRunner runner, string[] arguments, CancellationToken cancellationToken, bool tolerateMissing = false)
    {
        var result = await runner.RunAsync(
            DockerTool.Command(new ArgumentList(arguments), query: true) with
            {
                // inspect prints what it found and exits 1 for an id removed since the listing (a shared engine).
                SuccessExitCodes = tolerateMissing ? [0, 1] : [0],
            },
            cancellationToken).ConfigureAwait(false);
        return result.StandardOutput;
    }

    private static Dictionary<string, string> Labels(JsonElement config) =>
        config.TryGetProperty("Labels", out var labels) && labels.ValueKind == JsonValueKind.Object
            ? labels.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString() ?? string.Empty, StringComparer.Ordinal)
            : new Dictionary<string, string>(StringComparer.Ordinal);

    private static IEnumerable<JsonElement> Array(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var array) && array.ValueKind == JsonValueKind.Array
            ? array.EnumerateArray()
            : [];

    private static string Text(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString() ?? string.Empty
            : string.Empty;
}
