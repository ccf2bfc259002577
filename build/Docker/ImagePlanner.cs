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
/// Turns config/docker.json's images into build plans. The inputs hash covers what decides the image: the files
/// the build context sends (after .dockerignore), the Dockerfile, the target, the build arguments and the ids of
/// the base images they name. It is kept in a label, so an unchanged image is found and its build skipped.
/// </summary>
public static partial class ImagePlanner
{
    public const string InputsHashLabel = "org.example.kit.inputs-hash";

    /// <summary>The kit project an image was built for: Prune finds this project's images, untagged ones included, by it.</summary>
    public const string ProjectLabel = "org.example.kit.project";

    public static ImagePlan Plan(
        string name, ImageConfig image, string root, Func<string, string?> variables, SourceInfo source, IReadOnlyDictionary<string, string> baseImageIds, string kitProject)
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
        var tags = image.Tags.Select(t => $"{image.Repository}:{TagSafe(Fill(t))}").ToList();
        if (image.ComposeVariable is { } variable && variables(variable) is { Length: > 0 } composeImage && !tags.Contains(composeImage))
        {
            tags.Add(composeImage);
        }

        if (tags.Count == 0)
        {
            tags.Add($"{image.Repository}:{ComposeProject.DefaultTag}");
        }

        var hash = HashInputs(context, dockerfile, image.Target, arguments, baseImageIds);
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
        };
    }

    /// <summary>Build arguments that name base images (<c>*_IMAGE</c>): their ids are part of the inputs.</summary>
    public static IEnumerable<string> BaseImages(IReadOnlyDictionary<string, string> buildArguments) =>
        (buildArguments ?? throw new ArgumentNullException(nameof(buildArguments)))
        .Where(p => p.Key.EndsWith("_IMAGE", StringComparison.Ordinal) && p.Value.Length > 0).Select(p => p.Value);

    public static string HashInputs(
        string context, string dockerfile, string? target, IReadOnlyDictionary<string, string> arguments, IReadOnlyDictionary<string, string> baseImageIds)
    {
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
        var ignore = DockerIgnore.Load(context);
        var files = Directory.EnumerateFiles(context, "*", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(context, f).Replace('\\', '/'))
            .Where(f => !ignore.IsExcluded(f))
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
