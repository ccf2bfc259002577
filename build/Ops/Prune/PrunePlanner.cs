using System.Globalization;
using Build.Tools;

namespace Build.Ops.Prune;

public enum PruneKind
{
    Container,
    Network,
    Volume,
    Image,
    BuildCache,
}

/// <summary>One thing Prune removes, with the space it frees (an estimate for images: their unique layers) and the command.</summary>
public sealed record PruneItem(PruneKind Kind, string Name, long Bytes, ArgumentList Command, string? Note = null);

/// <summary>One thing of this project Prune leaves, and why.</summary>
public sealed record KeptItem(PruneKind Kind, string Name, string Reason);

public sealed record PrunePlan(IReadOnlyList<PruneItem> Items, IReadOnlyList<KeptItem> Kept)
{
    public long Bytes => Items.Sum(i => i.Bytes);
}

/// <summary>What is "this project's": its compose projects, its image repositories, its project label, and the limits.</summary>
public sealed record PruneScope
{
    /// <summary>The label compose puts on containers, networks and volumes (and the images it builds).</summary>
    public const string ComposeProjectLabel = "com.docker.compose.project";

    /// <summary>The label naming the kit project an image was built for.</summary>
    public const string KitProjectLabel = Docker.ImagePlanner.ProjectLabel;

    public required IReadOnlySet<string> ComposeProjects { get; init; }

    public required IReadOnlySet<string> Repositories { get; init; }

    /// <summary>The kit project's name, matched against <see cref="KitProjectLabel"/>.</summary>
    public required string ProjectName { get; init; }

    public IReadOnlySet<string> KeepTags { get; init; } = new HashSet<string>(StringComparer.Ordinal);

    public TimeSpan? ImagesOlderThan { get; init; }

    /// <summary>Compose projects whose volumes go: those named by <c>--volumes --confirm=&lt;name&gt;</c>.</summary>
    public IReadOnlySet<string> VolumeProjects { get; init; } = new HashSet<string>(StringComparer.Ordinal);

    public long BuildCacheCapBytes { get; init; } = long.MaxValue;

    public required DateTimeOffset Now { get; init; }
}

/// <summary>
/// Decides, from an inventory of the whole engine, what of this project goes. Everything else is not even looked at
/// twice: a resource is this project's only by its compose project label, its image repository or its kit label.
/// </summary>
public static class PrunePlanner
{
    public static PrunePlan Plan(DockerInventory inventory, PruneScope scope)
    {
        ArgumentNullException.ThrowIfNull(inventory);
        ArgumentNullException.ThrowIfNull(scope);
        var items = new List<PruneItem>();
        var kept = new List<KeptItem>();

        // Containers: stopped ones of our compose projects.
        var ours = inventory.Containers.Where(c => InComposeProject(c.Labels, scope)).ToArray();
        var removedContainers = new HashSet<string>(StringComparer.Ordinal);
        foreach (var container in ours.OrderBy(c => c.Name, StringComparer.Ordinal))
        {
            if (container.IsStopped)
            {
                removedContainers.Add(container.Id);
                items.Add(new PruneItem(PruneKind.Container, container.Name, container.Size, new ArgumentList(["container", "rm", container.Id])));
            }
            else
            {
                kept.Add(new KeptItem(PruneKind.Container, container.Name, $"{container.State}: stop the stack first ({Bootstrapper.Command} --target=DevDown)"));
            }
        }

        // Whatever a remaining container (ours or anyone's) uses stays.
        var remaining = inventory.Containers.Where(c => !removedContainers.Contains(c.Id)).ToArray();

        // Networks: a project's network goes when none of its containers remain.
        foreach (var network in inventory.Networks.Where(n => InComposeProject(n.Labels, scope)).OrderBy(n => n.Name, StringComparer.Ordinal))
        {
            var project = network.Labels[PruneScope.ComposeProjectLabel];
            if (remaining.Any(c => c.Labels.GetValueOrDefault(PruneScope.ComposeProjectLabel) == project))
            {
                kept.Add(new KeptItem(PruneKind.Network, network.Name, "its project still has containers"));
            }
            else
            {
                items.Add(new PruneItem(PruneKind.Network, network.Name, 0, new ArgumentList(["network", "rm", network.Id])));
            }
        }

        // Volumes: only with --volumes --confirm=<project>, and never one a remaining container mounts.
        foreach (var volume in inventory.Volumes.Where(v => InComposeProject(v.Labels, scope)).OrderBy(v => v.Name, StringComparer.Ordinal))
        {
            var project = volume.Labels[PruneScope.ComposeProjectLabel];
            var user = remaining.FirstOrDefault(c => c.VolumeNames.Contains(volume.Name));
            if (!scope.VolumeProjects.Contains(project))
            {
                kept.Add(new KeptItem(PruneKind.Volume, volume.Name, $"data volume: only with --volumes --confirm={project}"));
            }
            else if (user is not null)
            {
                kept.Add(new KeptItem(PruneKind.Volume, volume.Name, $"mounted by container {user.Name}"));
            }
            else
            {
                items.Add(new PruneItem(PruneKind.Volume, volume.Name, volume.Size, new ArgumentList(["volume", "rm", volume.Name])));
            }
        }

        // Images: our repositories' tags, or the whole image when our labels claim it.
        foreach (var image in inventory.Images.OrderBy(i => i.Created))
        {
            var ourTags = image.RepoTags.Where(t => scope.Repositories.Contains(Repository(t))).ToArray();
            var claimed = InComposeProject(image.Labels, scope) || image.Labels.GetValueOrDefault(PruneScope.KitProjectLabel) == scope.ProjectName;
            if (ourTags.Length == 0 && !claimed)
            {
                continue;
            }

            var name = ourTags.Length > 0 ? string.Join(", ", ourTags) : $"<none> {ShortId(image.Id)}";
            var foreignTags = image.RepoTags.Except(ourTags, StringComparer.Ordinal).ToArray();
            var user = remaining.FirstOrDefault(c => c.ImageId == image.Id);
            var keptTag = ourTags.FirstOrDefault(t => scope.KeepTags.Contains(Tag(t)));
            if (keptTag is not null)
            {
                kept.Add(new KeptItem(PruneKind.Image, name, $"tagged '{Tag(keptTag)}' (config/ops.json keepTags: the image compose runs)"));
            }
            else if (user is not null && foreignTags.Length == 0)
            {
                kept.Add(new KeptItem(PruneKind.Image, name, $"used by container {user.Name}"));
            }
            else if (scope.ImagesOlderThan is { } age && image.Created > scope.Now - age)
            {
                kept.Add(new KeptItem(PruneKind.Image, name, $"newer than {Describe(age)} (--older-than)"));
            }
            else if (foreignTags.Length > 0)
            {
                // The image is someone else's too: only our names go, the image and its space stay.
                if (ourTags.Length > 0)
                {
                    items.Add(new PruneItem(PruneKind.Image, name, 0, new ArgumentList(["image", "rm", .. ourTags]), $"untag only: also tagged {string.Join(", ", foreignTags)}"));
                }
            }
            else
            {
                items.Add(new PruneItem(PruneKind.Image, name, image.UniqueSize, new ArgumentList(["image", "rm", .. (ourTags.Length > 0 ? ourTags : [image.Id])])));
            }
        }

        // Build cache: shared by every project on the engine, so trimmed to the cap, never emptied.
        var cache = inventory.BuildCache;
        if (cache.UnusedBytes > scope.BuildCacheCapBytes)
        {
            items.Add(new PruneItem(
                PruneKind.BuildCache,
                $"unused build cache beyond {ByteSize.Format(scope.BuildCacheCapBytes)}",
                cache.UnusedBytes - scope.BuildCacheCapBytes,
                new ArgumentList(["builder", "prune", "--force", "--keep-storage", scope.BuildCacheCapBytes.ToString(CultureInfo.InvariantCulture)]),
                "least recently used records first; the cache is shared by every project on this engine"));
        }

        return new PrunePlan(items, kept);
    }

    /// <summary>The repository of "repo:tag" ("registry:5000/a/b:tag" → "registry:5000/a/b").</summary>
    public static string Repository(string reference)
    {
        ArgumentNullException.ThrowIfNull(reference);
        var colon = reference.LastIndexOf(':');
        return colon > reference.LastIndexOf('/') ? reference[..colon] : reference;
    }

    public static string Tag(string reference)
    {
        ArgumentNullException.ThrowIfNull(reference);
        var colon = reference.LastIndexOf(':');
        return colon > reference.LastIndexOf('/') ? reference[(colon + 1)..] : "latest";
    }

    private static bool InComposeProject(IReadOnlyDictionary<string, string> labels, PruneScope scope) =>
        labels.TryGetValue(PruneScope.ComposeProjectLabel, out var project) && scope.ComposeProjects.Contains(project);

    private static string ShortId(string id) => id.Replace("sha256:", string.Empty, StringComparison.Ordinal) is var hex && hex.Length > 12 ? hex[..12] : hex;

    public static string Describe(TimeSpan age) =>
        age.TotalDays >= 1 && age.TotalDays == Math.Floor(age.TotalDays) ? $"{age.TotalDays}d"
        : age.TotalHours >= 1 && age.TotalHours == Math.Floor(age.TotalHours) ? $"{age.TotalHours}h"
        : $"{age.TotalMinutes}m";
}
