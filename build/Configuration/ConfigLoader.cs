using System.Text.Json;
using System.Text.Json.Serialization;

namespace Build.Configuration;

/// <summary>
/// Reads <c>config/&lt;name&gt;.json</c>, checks it against <c>config/schema/&lt;name&gt;.schema.json</c> and binds it to a
/// typed, immutable record. Every failure names the file and line. With <paramref name="verdicts"/>, a file found valid
/// is not evaluated again while it, its schema and the kit's build are unchanged (the verdict is kept under a key of all
/// three): the schema evaluation is most of the cost of reading config/ on every run.
/// </summary>
public sealed class ConfigLoader(string root, string? kitRoot = null, AnswerCache? verdicts = null)
{
    private const string SchemaVerdict = "kit schema verdict 1";
    public static readonly JsonSerializerOptions SerializerOptions = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        PropertyNameCaseInsensitive = false,
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.KebabCaseLower) },
    };

    private static readonly JsonDocumentOptions DocumentOptions = new() { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true };

    /// <summary>The app folder whose <c>config/</c> is read.</summary>
    public string Root { get; } = root;

    /// <summary>Where the schemas live (<c>config/schema/</c> of the kit) and what file names in messages are relative to.</summary>
    public string KitRoot { get; } = kitRoot ?? root;

    public T Load<T>(string name)
    {
        var file = Path.Combine(Root, "config", name + ".json");
        var relative = KitPaths.Display(KitRoot, file);
        if (!File.Exists(file))
        {
            throw new ConfigurationException(relative, 0, "not found. Every kit reads its settings from config/; restore the file from git or the kit's template.");
        }

        var text = File.ReadAllText(file);
        using var document = Parse(text, relative);
        if (SchemaText(name) is { } schemaText)
        {
            var verdictKey = AnswerCache.Key([SchemaVerdict, AnswerCache.KitBuild, schemaText, text]);
            if (!knownValid.Contains(name) && !IsKnownValid("valid-" + name, verdictKey))
            {
                Validate(name, relative, text, document, schemaText);
                RememberValid("valid-" + name, verdictKey);
            }
        }

        T bound;
        try
        {
            bound = document.RootElement.Deserialize<T>(SerializerOptions)
                ?? throw new ConfigurationException(relative, 1, "is empty; it must hold a JSON object.");
        }
        catch (JsonException exception)
        {
            var pointer = (exception.Path ?? "$").TrimStart('$').Replace('.', '/').Replace("[", "/", StringComparison.Ordinal).Replace("]", string.Empty, StringComparison.Ordinal);
            // The serializer's own message names .NET types (and is a bare resource key in the published program).
            throw new ConfigurationException(
                relative, new JsonLineIndex(text).PositionOf(pointer), $"{pointer}: this value does not fit the setting; config/schema/{name}.schema.json says what does.");
        }

        if (bound is ICheckedConfig checkedConfig && checkedConfig.Problems().FirstOrDefault() is { Pointer: not null } problem)
        {
            throw new ConfigurationException(relative, new JsonLineIndex(text).PositionOf(problem.Pointer), $"{problem.Pointer}: {problem.Message}");
        }

        return bound;
    }

    private static void Validate(string name, string relative, string text, JsonDocument document, string schemaText)
    {
        // Parsed here first for the file:line message a malformed schema deserves.
        using (Parse(schemaText, $"config/schema/{name}.schema.json"))
        {
        }

        var failures = ConfigSchema.Parse(schemaText).Validate(document.RootElement);
        if (failures.Count > 0)
        {
            var lines = new JsonLineIndex(text);
            var first = failures.OrderBy(failure => lines.LineOf(failure.Pointer)).First();
            var where = first.Pointer.Length == 0 ? string.Empty : $"{first.Pointer}: ";
            var more = failures.Count > 1 ? $" (and {failures.Count - 1} more problem(s))" : string.Empty;
            throw new ConfigurationException(relative, lines.PositionOf(first.Pointer), $"{where}{first.Message}{more}");
        }
    }

    private readonly HashSet<string> knownValid = new(StringComparer.Ordinal);

    /// <summary>
    /// The key of a verdict on the files <paramref name="names"/> together: the kit's build, and each file's text and its
    /// schema's (or that it is absent). Null without a place to keep verdicts.
    /// </summary>
    public string? VerdictKey(string what, IEnumerable<string> names)
    {
        ArgumentNullException.ThrowIfNull(names);
        if (verdicts is null)
        {
            return null;
        }

        var parts = new List<string> { what, AnswerCache.KitBuild };
        foreach (var name in names)
        {
            var file = Path.Combine(Root, "config", name + ".json");
            parts.Add(File.Exists(file) ? $"{name}\n{File.ReadAllText(file)}\n{SchemaText(name)}" : $"{name} absent");
        }

        return AnswerCache.Key(parts);
    }

    /// <summary>Whether a verdict "valid" is kept under <paramref name="key"/> (never without a place to keep verdicts).</summary>
    public bool IsKnownValid(string what, string? key) =>
        key is not null && verdicts?.Read(what, key, ConfigJson.Default.Boolean) == true;

    /// <summary>Keeps the verdict "valid" under <paramref name="key"/>.</summary>
    public void RememberValid(string what, string? key)
    {
        if (key is not null)
        {
            verdicts?.Write(what, key, true, ConfigJson.Default.Boolean);
        }
    }

    /// <summary>
    /// Files a kept verdict found valid as they are now (<see cref="VerdictKey"/>): loading one binds it without
    /// evaluating its schema again.
    /// </summary>
    public void TrustValid(IEnumerable<string> names) => knownValid.UnionWith(names);

    private string? SchemaText(string name)
    {
        var schemaFile = Path.Combine(KitRoot, "config", "schema", name + ".schema.json");
        return File.Exists(schemaFile) ? File.ReadAllText(schemaFile) : null;
    }

    /// <summary>A problem found after loading, at the line of <paramref name="pointer"/> in <c>config/&lt;name&gt;.json</c>.</summary>
    public ConfigurationException ErrorAt(string name, string pointer, string message)
    {
        var file = Path.Combine(Root, "config", name + ".json");
        var relative = KitPaths.Display(KitRoot, file);
        return File.Exists(file)
            ? new ConfigurationException(relative, new JsonLineIndex(File.ReadAllText(file)).PositionOf(pointer), message)
            : new ConfigurationException(relative, 0, message);
    }

    /// <summary>Whether the app has <c>config/&lt;name&gt;.json</c>.</summary>
    public bool Exists(string name) => File.Exists(Path.Combine(Root, "config", name + ".json"));

    private static JsonDocument Parse(string text, string relative)
    {
        try
        {
            return JsonDocument.Parse(text, DocumentOptions);
        }
        catch (JsonException exception)
        {
            // Our own words: the parser's message ends in "LineNumber: 6 | BytePositionInLine: 2" (0-based, in bytes),
            // and the published program, built with UseSystemResourceKeys, has only a resource key for the rest.
            var position = JsonLineIndex.Position(text, exception.LineNumber ?? 0, exception.BytePositionInLine ?? 0);
            throw new ConfigurationException(relative, position, $"malformed JSON: {JsonSyntaxError.Describe(text, position)}");
        }
    }
}

/// <summary>
/// The kept verdicts' JSON, generated at compile time. (The config records themselves are bound by reflection: the
/// generator would set every init-only property, so a property the file leaves out would lose its default.)
/// </summary>
[JsonSerializable(typeof(bool))]
internal sealed partial class ConfigJson : JsonSerializerContext;
