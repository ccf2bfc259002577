using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Build.Configuration;
using Build.Tools.Docker;

namespace Build.Docker;

/// <summary>What the tags, build arguments and labels of a build are made from, beyond config: the commit.</summary>
public sealed record SourceInfo(string Commit, string ShortCommit, string Branch, bool IsDirty, string CommitTime)
{
    public static SourceInfo Unknown { get; } = new("unknown", "unknown", "unknown", false, "unknown");

    /// <summary>The commit tag: the short SHA, marked when the work tree has changes it does not contain.</summary>
    public string CommitTag => IsDirty ? ShortCommit + "-dirty" : ShortCommit;
}

/// <summary>One image build, fully decided: tags, arguments, labels and the hash of every input.</summary>
public sealed record ImagePlan
{
    public required string Name { get; init; }

    public required string ContextDirectory { get; init; }

    public required string Dockerfile { get; init; }

    public string? Target { get; init; }

    /// <summary>Full references ("kit-sample/api:dev"); the first is the one reported.</summary>
    public required IReadOnlyList<string> Tags { get; init; }

    public required IReadOnlyDictionary<string, string> BuildArguments { get; init; }

    public required IReadOnlyDictionary<string, string> Labels { get; init; }

    public required string InputsHash { get; init; }

    public IReadOnlyList<string> DependsOn { get; init; } = [];

    /// <summary>What the inputs hash leaves out: the environment's stack bind-mounts it into the image's containers.</summary>
    public BindMountedSource BindMounted { get; init; } = BindMountedSource.None;

    public DockerBuildSettings ToBuildSettings(string workingDirectory) => new()
    {
        Context = ContextDirectory,
        File = Dockerfile,
        Target = Target,
        Tags = Tags,
        BuildArguments = BuildArguments,
        Labels = Labels,
        WorkingDirectory = workingDirectory,
    };
}

/// <summary>
/// The parts of an image's build context that the environment's stack bind-mounts into the containers running the
/// image (folders or files relative to the context, '/'-separated; "" is the whole context). Such a container serves
/// an edit from the mount, so the edit does not make the image stale: those files are left out of the inputs hash,
/// except those matching <see cref="ImageConfig.HashAlways"/> (dependency manifests the image's dependency layer copies).
/// </summary>
public sealed class BindMountedSource(IReadOnlyList<string> paths, IReadOnlyList<string> hashAlways)
{
    private readonly DockerIgnore hashAlwaysRules = DockerIgnore.Parse(string.Join('\n', hashAlways));

    public IReadOnlyList<string> Paths { get; } = paths;

    public IReadOnlyList<string> HashAlways { get; } = hashAlways;

    public static BindMountedSource None { get; } = new([], []);

    /// <summary>
    /// The host paths bind-mounted into the image's containers, as parts of <paramref name="context"/>: a mount above
    /// the context covers all of it, a mount elsewhere none.
    /// </summary>
    public static BindMountedSource Within(string context, IEnumerable<string> hostPaths, IReadOnlyList<string> hashAlways)
    {
        ArgumentNullException.ThrowIfNull(hostPaths);
        var root = Path.GetFullPath(context);
        var paths = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var hostPath in hostPaths)
        {
            var host = Path.GetFullPath(hostPath);
            // A mount of the context or a folder above it covers all of it; one beside it, none.
            if (Below(Path.GetRelativePath(host, root)))
            {
                paths.Add(string.Empty);
            }
            else if (Path.GetRelativePath(root, host).Replace('\\', '/') is var inside && Below(inside))
            {
                paths.Add(inside);
            }
        }

        return paths.Count == 0 ? None : new BindMountedSource(paths.ToArray(), hashAlways ?? []);
    }

    /// <summary>A relative path that stays at or below its base ("." included).</summary>
    private static bool Below(string relative)
    {
        relative = relative.Replace('\\', '/');
        return !Path.IsPathRooted(relative) && relative != ".." && !relative.StartsWith("../", StringComparison.Ordinal);
    }

    /// <summary>True when a file of the context (relative, '/') is served from a bind mount and hashAlways does not name it.</summary>
    public bool LeavesOut(string relativePath) =>
        Paths.Any(p => p.Length == 0 || relativePath == p || relativePath.StartsWith(p + "/", StringComparison.Ordinal))
        && !hashAlwaysRules.Matches(relativePath);

    /// <summary>For the log: what is left out and what still counts.</summary>
    public string Describe() =>
        $"{string.Join(", ", Paths.Select(p => p.Length == 0 ? "the whole context" : p))} bind-mounted by the stack"
        + (HashAlways.Count > 0 ? $" (still hashed: {string.Join(", ", HashAlways)})" : string.Empty);
}

/// <summary>
/// Turns config/docker.json's images into build plans. The inputs hash covers what decides the image: the files
/// the build context sends (after .dockerignore), the Dockerfile, the target, the build arguments and the ids of
/// the base images they name. It is kept in a label, so an unchanged image is found and its build skipped. For the
/// environment whose stack bind-mounts parts of the context into the image's containers (the dev overlay's source
/// mount), those parts are left out (<see cref="BindMountedSource"/>): an edit there is served from the mount.
/// </summary>
public static partial class ImagePlanner
{
    public const string InputsHashLabel = "org.example.kit.inputs-hash";

    /// <summary>The kit project an image was built for: Prune finds this project's images, untagged ones included, by it.</summary>
    public const string ProjectLabel = "org.example.kit.project";

    public static ImagePlan Plan(
        string name, ImageConfig image, string root, Func<string, string?> variables, SourceInfo source, IReadOnlyDictionary<string, string> baseImageIds, string kitProject,
        IEnumerable<string>? bindMountedPaths = null)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(baseImageIds);
        var context = Path.GetFullPath(Path.Combine(root, image.Context));
        var dockerfile = Path.GetFullPath(Path.Combine(root, image.Dockerfile));
        if (!Directory.Exists(context))
        {
            throw new ConfigurationException("config/docker.json", 0, $"image '{name}': build context '{image.Context}' does not exist.");
        }

        if (!File.Exists(dockerfile))
        {
            throw new ConfigurationException("config/docker.json", 0, $"image '{name}': Dockerfile '{image.Dockerfile}' does not exist.");
        }

        string Fill(string text) => VariableExpander.Expand(
            text.Replace("{commit}", source.CommitTag, StringComparison.Ordinal)
                .Replace("{branch}", TagSafe(source.Branch), StringComparison.Ordinal)
                .Replace("{commitTime}", source.CommitTime, StringComparison.Ordinal),
            variables);

        var arguments = image.BuildArgs.ToDictionary(p => p.Key, p => Fill(p.Value), StringComparer.Ordinal);
        var tags = image.Tags.Select(t => $"{image.Repository}:{TagSafe(Fill(t))}").Distinct(StringComparer.Ordinal).ToList();
        if (image.ComposeVariable is { } variable && variables(variable) is { Length: > 0 } composeImage && !tags.Contains(composeImage))
        {
            tags.Add(composeImage);
        }

        if (tags.Count == 0)
        {
            tags.Add($"{image.Repository}:{ComposeProject.DefaultTag}");
        }

        var bindMounted = BindMountedSource.Within(context, bindMountedPaths ?? [], image.HashAlways);
        var hash = HashInputs(context, dockerfile, image.Target, arguments, baseImageIds, bindMounted);
        var labels = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["org.opencontainers.image.title"] = name,
            ["org.opencontainers.image.revision"] = source.Commit,
            ["org.opencontainers.image.version"] = arguments.GetValueOrDefault("VERSION") ?? source.CommitTag,
            ["org.opencontainers.image.created"] = source.CommitTime,
            ["org.opencontainers.image.ref.name"] = source.Branch,
            [InputsHashLabel] = hash,
            [ProjectLabel] = kitProject,
        };
        if (arguments.GetValueOrDefault("SOURCE_URL") is { Length: > 0 } url)
        {
            labels["org.opencontainers.image.source"] = url;
        }

        return new ImagePlan
        {
            Name = name,
            ContextDirectory = context,
            Dockerfile = dockerfile,
            Target = image.Target,
            Tags = tags,
            BuildArguments = arguments,
            Labels = labels,
            InputsHash = hash,
            DependsOn = image.DependsOn,
            BindMounted = bindMounted,
        };
    }

    /// <summary>True when <paramref name="text"/> (a build argument of config/docker.json) takes the commit, the branch or the commit time.</summary>
    public static bool NamesSource(string text) =>
        text is not null
        && (text.Contains("{commit}", StringComparison.Ordinal) || text.Contains("{branch}", StringComparison.Ordinal) || text.Contains("{commitTime}", StringComparison.Ordinal));

    /// <summary>Build arguments that name base images (<c>*_IMAGE</c>): their ids are part of the inputs.</summary>
    public static IEnumerable<string> BaseImages(IReadOnlyDictionary<string, string> buildArguments) =>
        (buildArguments ?? throw new ArgumentNullException(nameof(buildArguments)))
        .Where(p => p.Key.EndsWith("_IMAGE", StringComparison.Ordinal) && p.Value.Length > 0).Select(p => p.Value);

    /// <summary>
    /// The host paths the environment's stack bind-mounts into containers running <paramref name="image"/>: those of
    /// every service whose image (after variables) is the image's compose variable, or in the image's repository.
    /// </summary>
    public static IReadOnlyList<string> BindMountedPaths(ImageConfig image, ComposeModel model, Func<string, string?> variables)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(variables);
        var composeImage = image.ComposeVariable is { } variable ? variables(variable) : null;
        return model.Images
            .Where(p => (composeImage is { Length: > 0 } && p.Value == composeImage) || ImageAvailability.Repository(p.Value) == image.Repository)
            .SelectMany(p => model.BindMounts.GetValueOrDefault(p.Key) ?? [])
            .Distinct(StringComparer.Ordinal)
            .ToArray();
    }

    public static string HashInputs(
        string context, string dockerfile, string? target, IReadOnlyDictionary<string, string> arguments, IReadOnlyDictionary<string, string> baseImageIds,
        BindMountedSource? bindMounted = null)
    {
        bindMounted ??= BindMountedSource.None;
        ArgumentNullException.ThrowIfNull(arguments);
        ArgumentNullException.ThrowIfNull(baseImageIds);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        void Add(string text) => hash.AppendData(Encoding.UTF8.GetBytes(text + "\n"));
        Add("target=" + target);
        foreach (var (key, value) in arguments.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            Add($"arg {key}={value}");
            if (baseImageIds.TryGetValue(value, out var id))
            {
                Add($"base {value}={id}");
            }
        }

        Add("dockerfile " + Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(dockerfile))));
        // The rule is an input too: the same files hashed with and without it are different builds.
        foreach (var path in bindMounted.Paths)
        {
            Add("bind-mounted " + path);
        }

        foreach (var pattern in bindMounted.Paths.Count > 0 ? bindMounted.HashAlways : [])
        {
            Add("hash-always " + pattern);
        }

        var ignore = DockerIgnore.Load(context);
        var files = Directory.EnumerateFiles(context, "*", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(context, f).Replace('\\', '/'))
            .Where(f => !ignore.IsExcluded(f) && !bindMounted.LeavesOut(f))
            .Order(StringComparer.Ordinal);
        foreach (var file in files)
        {
            using var stream = File.OpenRead(Path.Combine(context, file));
            Add($"file {file} {Convert.ToHexStringLower(SHA256.HashData(stream))}");
        }

        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    /// <summary>A valid image tag from any text: [A-Za-z0-9_.-], not starting with '.' or '-', at most 128 characters.</summary>
    public static string TagSafe(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var safe = InvalidTagCharacters().Replace(text, "-").TrimStart('.', '-');
        safe = safe.Length == 0 ? "unknown" : safe;
        return safe.Length > 128 ? safe[..128] : safe;
    }

    [GeneratedRegex("[^A-Za-z0-9_.-]")]
    private static partial Regex InvalidTagCharacters();
}
