using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using System.Text.RegularExpressions;
using Build.Configuration;
using Build.Tools;
using Build.Tools.Compose;

namespace Build.Docker;

/// <summary>
/// What compose answered before (its version; a stack's merged configuration as the kit reads it), kept in the app's
/// <c>.build/compose/</c> under a key made of everything the answer depends on: each answer is a pure function of
/// those inputs, so a kept one is exactly what compose would say again, and any change of an input is a new key and
/// asks compose. Starting compose costs a process (two, with the CLI plugin) each time, the largest part of a DevUp
/// that finds nothing to do. Nothing secret is kept: versions, the model the kit parsed and hashes.
/// </summary>
public sealed partial class ComposeAnswers(string folder)
{
    private const string Format = "kit compose answers 1";

    /// <summary>Where the <c>docker</c> CLI looks for plugins (besides <c>$DOCKER_CONFIG/cli-plugins</c>), in its order.</summary>
    private static readonly string[] PluginFolders =
    [
        "/usr/local/lib/docker/cli-plugins", "/usr/local/libexec/docker/cli-plugins", "/usr/lib/docker/cli-plugins", "/usr/libexec/docker/cli-plugins",
    ];

    private readonly AnswerCache cache = new(folder);

    /// <summary>The answer kept under <paramref name="key"/>, or the default when there is none (or it cannot be read).</summary>
    public T? Read<T>(string name, string key) => cache.Read(name, key, TypeInfo<T>());

    /// <summary>Keeps <paramref name="value"/> under <paramref name="key"/> (written aside, then moved: a reader never sees half).</summary>
    public void Write<T>(string name, string key, T value) => cache.Write(name, key, value, TypeInfo<T>());

    // Source-generated: reflection-based serialization would compile its converters on every run.
    private static JsonTypeInfo<T> TypeInfo<T>() =>
        ComposeAnswerJson.Default.GetTypeInfo(typeof(T)) as JsonTypeInfo<T>
        ?? throw new NotSupportedException($"{typeof(T).Name} is not a compose answer (ComposeAnswerJson).");

    /// <summary>
    /// What decides which Compose answers and its version: KIT_COMPOSE, PATH, the CLI's config, and the file (path,
    /// size, modification time, link target) of <c>docker</c> and <c>docker-compose</c> on PATH and of every place the
    /// CLI looks for its compose plugin.
    /// </summary>
    public static string VersionKey(IReadOnlyDictionary<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        var parts = new List<string> { Format, "version" };
        foreach (var name in new[] { ComposeTool.FlavorVariable, "PATH", "HOME", "DOCKER_CONFIG" })
        {
            parts.Add($"{name}={environment.GetValueOrDefault(name)}");
        }

        var path = (environment.GetValueOrDefault("PATH") ?? string.Empty).Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries);
        foreach (var executable in new[] { "docker", "docker-compose" })
        {
            parts.Add(FileIdentity(path.Select(folder => Path.Combine(folder, executable)).FirstOrDefault(File.Exists)));
        }

        var config = environment.GetValueOrDefault("DOCKER_CONFIG") is { Length: > 0 } configured
            ? configured
            : Path.Combine(environment.GetValueOrDefault("HOME") ?? string.Empty, ".docker");
        parts.Add(FileIdentity(Path.Combine(config, "config.json")));
        foreach (var pluginFolder in PluginFolders.Prepend(Path.Combine(config, "cli-plugins")))
        {
            parts.Add(FileIdentity(Path.Combine(pluginFolder, "docker-compose")));
        }

        return Hash(parts);
    }

    /// <summary>
    /// What decides <c>compose config</c>'s output for <paramref name="command"/>: the version, the command line and
    /// working folder, the variables it passes and those it inherits that the files name (and every COMPOSE_* and
    /// DOCKER_*), the files' contents, and the <c>.env</c> files compose or the kit read. Null when the files name other
    /// files whose contents shape the result (<c>env_file</c>, <c>extends</c>, <c>include</c>): then compose is asked.
    /// </summary>
    public static string? ConfigKey(
        ComposeVersion version, ToolCommand command, IReadOnlyList<string> composeFiles, IEnumerable<string> envFiles, IReadOnlyDictionary<string, string?> inherited)
    {
        ArgumentNullException.ThrowIfNull(version);
        ArgumentNullException.ThrowIfNull(command);
        ArgumentNullException.ThrowIfNull(composeFiles);
        ArgumentNullException.ThrowIfNull(inherited);
        var workingDirectory = command.WorkingDirectory ?? Environment.CurrentDirectory;
        // The kit's own build too: the model is what this build's parser made of the output.
        var parts = new List<string>
        {
            Format, "config", AnswerCache.KitBuild, version.Flavor.ToString(), version.Version, workingDirectory, command.Executable,
        };
        parts.AddRange(command.Arguments.Select(a => "arg " + a.Value));
        var names = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var file in composeFiles)
        {
            var full = Path.GetFullPath(file, workingDirectory);
            var text = File.ReadAllText(full);
            if (OtherFiles().IsMatch(text))
            {
                return null;
            }

            parts.Add($"file {full} {Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)))}");
            foreach (Match reference in VariableReference().Matches(text))
            {
                names.Add(reference.Groups[1].Value);
            }
        }

        // The .env files of the app and of compose's project folder, and the kit's overlays: whatever their values feed.
        var projectFolder = Path.GetDirectoryName(Path.GetFullPath(composeFiles[0], workingDirectory))!;
        foreach (var file in envFiles.Append(Path.Combine(workingDirectory, ".env")).Append(Path.Combine(projectFolder, ".env")).Distinct(StringComparer.Ordinal))
        {
            parts.Add(File.Exists(file) ? $"env-file {file} {Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(file)))}" : $"env-file {file} absent");
        }

        foreach (var name in inherited.Keys.Where(n => n.StartsWith("COMPOSE_", StringComparison.Ordinal) || n.StartsWith("DOCKER_", StringComparison.Ordinal)))
        {
            names.Add(name);
        }

        foreach (var name in names.Union(command.Environment.Keys, StringComparer.Ordinal).Order(StringComparer.Ordinal))
        {
            var value = command.Environment.TryGetValue(name, out var passed) ? passed : inherited.GetValueOrDefault(name);
            parts.Add(value is null ? $"unset {name}" : $"set {name}={value}");
        }

        return Hash(parts);
    }

    private static string FileIdentity(string? path)
    {
        if (path is null || !File.Exists(path))
        {
            return $"absent {path}";
        }

        var info = new FileInfo(path);
        var target = info.ResolveLinkTarget(returnFinalTarget: true) as FileInfo ?? info;
        return $"{path} -> {target.FullName} {target.Length} {target.LastWriteTimeUtc.Ticks}";
    }

    private static string Hash(IEnumerable<string> parts) => AnswerCache.Key(parts);

    /// <summary>Keys that make compose read another file into the result.</summary>
    [GeneratedRegex(@"(?m)^\s*-?\s*(env_file|extends|include)\s*:")]
    private static partial Regex OtherFiles();

    /// <summary><c>$NAME</c>, <c>${NAME}</c>, <c>${NAME:-default}</c> ... (an escaped <c>$$NAME</c> is counted too: harmless).</summary>
    [GeneratedRegex(@"\$\{?([A-Za-z_][A-Za-z0-9_]*)")]
    private static partial Regex VariableReference();
}

/// <summary>The compose answers' JSON, generated at compile time.</summary>
[JsonSerializable(typeof(ComposeVersion))]
[JsonSerializable(typeof(DevStack.KnownConfig))]
internal sealed partial class ComposeAnswerJson : JsonSerializerContext;
