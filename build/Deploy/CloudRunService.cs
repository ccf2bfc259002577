using System.Globalization;
using System.Text.Json;

namespace Build.Deploy;

/// <summary>One line of a service's traffic split, as <c>gcloud run services describe --format=json</c> reports it under <c>status.traffic</c>.</summary>
public sealed record TrafficTarget(string? RevisionName, int Percent, string? Tag, string? Url, bool LatestRevision);

/// <summary>What Deploy needs from <c>gcloud run services describe --format=json</c>.</summary>
public sealed record CloudRunService(
    string Name,
    string? Url,
    string? LatestReadyRevision,
    string? LatestCreatedRevision,
    IReadOnlyList<TrafficTarget> Traffic)
{
    /// <summary>Revisions with a share of traffic, largest first.</summary>
    public IReadOnlyList<TrafficTarget> Serving =>
        Traffic.Where(t => t.Percent > 0 && t.RevisionName is not null)
            .GroupBy(t => t.RevisionName!, StringComparer.Ordinal)
            .Select(g => g.First() with { Percent = g.Sum(t => t.Percent) })
            .OrderByDescending(t => t.Percent)
            .ToArray();

    /// <summary>The revision answering (most of) the requests; the one a failed deploy returns traffic to.</summary>
    public string? ServingRevision => Serving.FirstOrDefault()?.RevisionName;

    /// <summary>Traffic is divided between revisions: a canary in progress (or left behind).</summary>
    public bool IsSplit => Serving.Count > 1;

    /// <summary>Traffic follows new revisions (a <c>latestRevision: true</c> entry).</summary>
    public bool FollowsLatest => Traffic.Any(t => t.LatestRevision && t.Percent > 0);

    /// <summary>
    /// An earlier <c>--no-traffic</c> deploy (or an explicit split) pinned traffic to a named revision, and a newer ready
    /// revision has been created since: it gets no traffic, and neither will the next plain deploy.
    /// </summary>
    public bool IsPinned => !FollowsLatest && LatestReadyRevision is not null && ServingRevision is not null
        && !string.Equals(LatestReadyRevision, ServingRevision, StringComparison.Ordinal);

    public string? TagUrl(string tag) => Traffic.FirstOrDefault(t => string.Equals(t.Tag, tag, StringComparison.Ordinal))?.Url;

    public string? TagRevision(string tag) => Traffic.FirstOrDefault(t => string.Equals(t.Tag, tag, StringComparison.Ordinal))?.RevisionName;

    public static CloudRunService Parse(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        try
        {
            using var document = JsonDocument.Parse(json);
            var root = document.RootElement;
            var status = Property(root, "status");
            var traffic = new List<TrafficTarget>();
            if (status is { } s && Property(s, "traffic") is { ValueKind: JsonValueKind.Array } entries)
            {
                foreach (var entry in entries.EnumerateArray())
                {
                    traffic.Add(new TrafficTarget(
                        Text(entry, "revisionName"),
                        Property(entry, "percent") is { ValueKind: JsonValueKind.Number } percent ? percent.GetInt32() : 0,
                        Text(entry, "tag"),
                        Text(entry, "url"),
                        Property(entry, "latestRevision") is { ValueKind: JsonValueKind.True }));
                }
            }

            var metadata = Property(root, "metadata");
            return new CloudRunService(
                (metadata is { } m ? Text(m, "name") : null) ?? string.Empty,
                status is { } st ? Text(st, "url") : null,
                status is { } st2 ? Text(st2, "latestReadyRevisionName") : null,
                status is { } st3 ? Text(st3, "latestCreatedRevisionName") : null,
                traffic);
        }
        catch (JsonException exception)
        {
            throw new DeployException($"gcloud run services describe printed something that is not a service as JSON ({exception.Message}); is gcloud up to date ('gcloud components update')?");
        }
    }

    internal static JsonElement? Property(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) ? value : null;

    internal static string? Text(JsonElement element, string name) =>
        Property(element, name) is { ValueKind: JsonValueKind.String } value ? value.GetString() : null;
}

/// <summary>One entry of <c>gcloud run revisions list --format=json</c>.</summary>
public sealed record CloudRunRevision(string Name, string? Image, DateTimeOffset? Created, bool Ready)
{
    /// <summary>The revision's labels (the kit's <c>kit-commit</c> among them).</summary>
    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();

    public static IReadOnlyList<CloudRunRevision> ParseList(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        try
        {
            using var document = JsonDocument.Parse(json.Trim().Length == 0 ? "[]" : json);
            return document.RootElement.EnumerateArray().Select(Parse).ToArray();
        }
        catch (Exception exception) when (exception is JsonException or InvalidOperationException)
        {
            throw new DeployException($"gcloud run revisions list printed something that is not a list of revisions ({exception.Message}).");
        }
    }

    private static CloudRunRevision Parse(JsonElement revision)
    {
        var metadata = CloudRunService.Property(revision, "metadata");
        var name = metadata is { } m ? CloudRunService.Text(m, "name") ?? string.Empty : string.Empty;
        DateTimeOffset? created = metadata is { } m2 && CloudRunService.Text(m2, "creationTimestamp") is { } stamp
            && DateTimeOffset.TryParse(stamp, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at) ? at : null;
        string? image = null;
        if (CloudRunService.Property(revision, "spec") is { } spec && CloudRunService.Property(spec, "containers") is { ValueKind: JsonValueKind.Array } containers)
        {
            image = containers.EnumerateArray().Select(c => CloudRunService.Text(c, "image")).FirstOrDefault(i => i is not null);
        }

        var ready = false;
        if (CloudRunService.Property(revision, "status") is { } status && CloudRunService.Property(status, "conditions") is { ValueKind: JsonValueKind.Array } conditions)
        {
            ready = conditions.EnumerateArray().Any(c => CloudRunService.Text(c, "type") == "Ready" && CloudRunService.Text(c, "status") == "True");
        }

        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        if (metadata is { } m3 && CloudRunService.Property(m3, "labels") is { ValueKind: JsonValueKind.Object } found)
        {
            foreach (var label in found.EnumerateObject().Where(l => l.Value.ValueKind == JsonValueKind.String))
            {
                labels[label.Name] = label.Value.GetString()!;
            }
        }

        return new CloudRunRevision(name, image, created, ready) { Labels = labels };
    }
}

/// <summary>What DeployStatus shows of <c>gcloud run jobs describe --format=json</c>: the image, the last execution.</summary>
public sealed record CloudRunJob(string Name, string? Image, string? LastExecution, DateTimeOffset? LastCompleted, int ExecutionCount)
{
    public static CloudRunJob Parse(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        try
        {
            using var document = JsonDocument.Parse(json);
            var root = document.RootElement;
            var metadata = CloudRunService.Property(root, "metadata");
            // A job's container sits two templates deep: the job's execution template, then its task template.
            JsonElement? node = CloudRunService.Property(root, "spec");
            foreach (var step in new[] { "template", "spec", "template", "spec", "containers" })
            {
                node = node is { } n ? CloudRunService.Property(n, step) : null;
            }

            var image = node is { ValueKind: JsonValueKind.Array } containers ? containers.EnumerateArray().Select(c => CloudRunService.Text(c, "image")).FirstOrDefault(i => i is not null) : null;
            var status = CloudRunService.Property(root, "status");
            var last = status is { } s ? CloudRunService.Property(s, "latestCreatedExecution") : null;
            DateTimeOffset? completed = last is { } l && CloudRunService.Text(l, "completionTimestamp") is { } stamp
                && DateTimeOffset.TryParse(stamp, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at) ? at : null;
            return new CloudRunJob(
                (metadata is { } m ? CloudRunService.Text(m, "name") : null) ?? string.Empty,
                image,
                last is { } e ? CloudRunService.Text(e, "name") : null,
                completed,
                status is { } st && CloudRunService.Property(st, "executionCount") is { ValueKind: JsonValueKind.Number } count ? count.GetInt32() : 0);
        }
        catch (JsonException exception)
        {
            throw new DeployException($"gcloud run jobs describe printed something that is not a job as JSON ({exception.Message}).");
        }
    }
}
