using System.Text.Json;
using System.Text.Json.Serialization;

namespace Build.Configuration;

/// <summary>
/// Reads <c>config/&lt;name&gt;.json</c>, checks it against <c>config/schema/&lt;name&gt;.schema.json</c> and binds it to a
/// typed, immutable record. Every failure names the file and line.
/// </summary>
public sealed class ConfigLoader(string root, string? kitRoot = null)
{
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
        var schemaFile = Path.Combine(KitRoot, "config", "schema", name + ".schema.json");
        if (File.Exists(schemaFile))
        {
            var schemaText = File.ReadAllText(schemaFile);
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
