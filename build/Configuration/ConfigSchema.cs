using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Build.Host;
using Json.Schema;

namespace Build.Configuration;

/// <summary>
/// A config file's JSON Schema (2020-12): JsonSchema.Net decides what is valid, every keyword included; this class only
/// words the failures for the person who edits the file ("unknown property 'protcted'. Did you mean 'protected'?").
/// The schema files stay standard, so editors validate them as well; one extension is read from them:
/// <c>patternMessage</c>, the words a user sees instead of a regular expression when a <c>pattern</c> fails.
/// </summary>
public sealed class ConfigSchema
{
    // Keywords that only report that something beneath them failed; the failure itself is reported where it is.
    private static readonly HashSet<string> Summaries = new(StringComparer.Ordinal)
    {
        "$ref", "properties", "patternProperties", "additionalProperties", "items", "prefixItems", "allOf", "anyOf", "oneOf", "not",
        "dependentSchemas", "then", "else", "unevaluatedProperties", "unevaluatedItems",
    };

    private readonly JsonSchema schema;
    private readonly JsonNode schemaNode;

    private ConfigSchema(JsonSchema schema, JsonNode schemaNode)
    {
        this.schema = schema;
        this.schemaNode = schemaNode;
    }

    /// <summary>One failed keyword: where in the document (a JSON pointer, empty for the root) and what is wrong.</summary>
    public sealed record Failure(string Pointer, string Message);

    public static ConfigSchema Parse(string text)
    {
        var node = JsonNode.Parse(text, documentOptions: new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true })
            ?? throw new ConfigurationException("A config schema is empty.");
        // Each schema gets its own registry: two app folders may hold different schemas under the same $id.
        return new ConfigSchema(JsonSchema.FromText(node.ToJsonString(), new BuildOptions { SchemaRegistry = new SchemaRegistry() }), node);
    }

    /// <summary>Every failure, in the order of the evaluation (callers sort them by line).</summary>
    public IReadOnlyList<Failure> Validate(JsonElement document)
    {
        var results = schema.Evaluate(document, new EvaluationOptions { OutputFormat = OutputFormat.List });
        if (results.IsValid)
        {
            return [];
        }

        return (results.Details ?? [])
            .Where(detail => detail.Errors is { Count: > 0 })
            .SelectMany(detail => detail.Errors!
                .Where(error => !Summaries.Contains(error.Key))
                .Select(error => new Failure(detail.InstanceLocation.ToString(), Describe(document, detail, error.Key, error.Value))))
            .Distinct()
            .ToList();
    }

    private string Describe(JsonElement document, EvaluationResults detail, string keyword, string libraryMessage)
    {
        var instance = Find(document, detail.InstanceLocation.ToString());
        // Where in the schema file the failing keyword stands, "$ref"s already followed: "#/$defs/identifier".
        var location = Uri.UnescapeDataString(detail.SchemaLocation.Fragment.TrimStart('#'));
        var at = SchemaAt(location);
        var value = keyword.Length > 0 && at is JsonObject keywords ? keywords[keyword] : null;
        switch (keyword)
        {
            // The false schema of "additionalProperties" or "unevaluatedProperties" rejects a property the schema does not name.
            case "":
                var name = Unescape(detail.InstanceLocation.ToString().Split('/')[^1]);
                // JsonSchema.Net 8 appends the property's name to a boolean schema's location: cut at the keyword.
                var cut = Math.Max(location.LastIndexOf("/additionalProperties", StringComparison.Ordinal), location.LastIndexOf("/unevaluatedProperties", StringComparison.Ordinal));
                var parent = SchemaAt(cut < 0 ? string.Empty : location[..cut]) as JsonObject;
                // With unevaluatedProperties the names a "$ref" declares count too (settings declared once, shared).
                var referenced = parent?["$ref"]?.GetValue<string>() is { } reference && reference.StartsWith('#') ? SchemaAt(reference[1..]) as JsonObject : null;
                var known = new[] { parent, referenced }.SelectMany(schema => (schema?["properties"] as JsonObject)?.Select(property => property.Key) ?? []).ToArray();
                var hint = Suggestions.DidYouMean(name, known);
                return hint.Length == 0 ? $"unknown property '{name}'." : $"unknown property '{name}'.{hint}";
            case "type":
                return $"expected {TypeNames(value)}, found {KindName(instance)}";
            case "required":
                var missing = (value as JsonArray)?.Select(item => item!.GetValue<string>())
                    .Where(property => instance is { ValueKind: JsonValueKind.Object } o && !o.TryGetProperty(property, out _)) ?? [];
                return string.Join("; ", missing.Select(property => $"missing required property '{property}'"));
            case "pattern":
                var words = (at as JsonObject)?["patternMessage"]?.GetValue<string>() ?? $"does not match the pattern {value}";
                return $"'{instance?.GetString()}' {words}";
            case "enum":
                return $"{instance?.GetRawText()} is not one of {string.Join(", ", (value as JsonArray ?? []).Select(item => item?.ToJsonString() ?? "null"))}";
            case "const":
                return $"must be {value?.ToJsonString()}";
            case "minLength":
                return value?.GetValue<int>() == 1 ? "must not be empty" : $"must be at least {value} characters";
            case "maxLength":
                return $"must be at most {value} characters, has {instance?.GetString()?.Length}";
            case "minimum":
                return $"{instance?.GetRawText()} is below the minimum {value}";
            case "maximum":
                return $"{instance?.GetRawText()} is above the maximum {value}";
            case "minItems":
                return $"needs at least {value} item(s), has {instance?.GetArrayLength()}";
            case "uniqueItems":
                return "has an item more than once";
            case "minProperties":
                return $"needs at least {value} entr{(value?.GetValue<int>() == 1 ? "y" : "ies")}";
            default:
                return $"{keyword}: {libraryMessage.TrimEnd('.')}";
        }
    }

    private JsonNode? SchemaAt(string pointer)
    {
        var node = schemaNode;
        foreach (var segment in pointer.Split('/', StringSplitOptions.RemoveEmptyEntries).Select(Unescape))
        {
            node = node is JsonArray array && int.TryParse(segment, NumberStyles.None, CultureInfo.InvariantCulture, out var index) && index < array.Count ? array[index] : (node as JsonObject)?[segment];
        }

        return node;
    }

    private static JsonElement? Find(JsonElement document, string pointer)
    {
        var current = document;
        foreach (var segment in pointer.Split('/', StringSplitOptions.RemoveEmptyEntries).Select(Unescape))
        {
            if (current.ValueKind == JsonValueKind.Object && current.TryGetProperty(segment, out var child))
            {
                current = child;
            }
            else if (current.ValueKind == JsonValueKind.Array && int.TryParse(segment, NumberStyles.None, CultureInfo.InvariantCulture, out var index) && index < current.GetArrayLength())
            {
                current = current[index];
            }
            else
            {
                return null;
            }
        }

        return current;
    }

    private static string Unescape(string segment) => segment.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal);

    private static string TypeNames(JsonNode? type) => type is JsonArray names
        ? string.Join(" or ", names.Select(name => name!.GetValue<string>()))
        : type?.GetValue<string>() ?? "another type";

    private static string KindName(JsonElement? value) => value?.ValueKind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => $"the string \"{value.Value.GetString()}\"",
        JsonValueKind.Number => $"the number {value.Value.GetRawText()}",
        JsonValueKind.True or JsonValueKind.False => value.Value.GetRawText(),
        _ => "null",
    };
}
