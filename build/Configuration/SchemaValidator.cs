using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Build.Configuration;

/// <summary>
/// Validates a JSON document against the subset of JSON Schema (2020-12) our config schemas use: type, properties,
/// required, additionalProperties, patternProperties, enum, const, pattern, minLength, minimum, maximum, items,
/// minItems, uniqueItems and local $ref. The schema files stay standard, so editors validate them as well.
/// (JsonSchema.Net is not usable here: its JsonPointer.Net dependency is not on our feed.)
/// </summary>
public static class SchemaValidator
{
    public sealed record Failure(string Pointer, string Message);

    public static IReadOnlyList<Failure> Validate(JsonElement document, JsonElement schema)
    {
        var failures = new List<Failure>();
        Check(document, schema, schema, string.Empty, failures);
        return failures;
    }

    private static void Check(JsonElement value, JsonElement schema, JsonElement root, string pointer, List<Failure> failures)
    {
        if (schema.ValueKind == JsonValueKind.True || schema.ValueKind != JsonValueKind.Object)
        {
            return;
        }

        if (schema.TryGetProperty("$ref", out var reference))
        {
            Check(value, Resolve(root, reference.GetString()!), root, pointer, failures);
        }

        if (schema.TryGetProperty("type", out var type) && !MatchesType(value, type))
        {
            failures.Add(new Failure(pointer, $"expected {Describe(type)}, found {KindName(value)}"));
            return;
        }

        if (schema.TryGetProperty("enum", out var allowed) && !allowed.EnumerateArray().Any(a => JsonElement.DeepEquals(a, value)))
        {
            failures.Add(new Failure(pointer, $"{value.GetRawText()} is not one of {string.Join(", ", allowed.EnumerateArray().Select(a => a.GetRawText()))}"));
        }

        if (schema.TryGetProperty("const", out var constant) && !JsonElement.DeepEquals(constant, value))
        {
            failures.Add(new Failure(pointer, $"must be {constant.GetRawText()}"));
        }

        switch (value.ValueKind)
        {
            case JsonValueKind.Object:
                CheckObject(value, schema, root, pointer, failures);
                break;
            case JsonValueKind.Array:
                CheckArray(value, schema, root, pointer, failures);
                break;
            case JsonValueKind.String:
                CheckString(value.GetString()!, schema, pointer, failures);
                break;
            case JsonValueKind.Number:
                CheckNumber(value.GetDouble(), schema, pointer, failures);
                break;
        }
    }

    private static void CheckObject(JsonElement value, JsonElement schema, JsonElement root, string pointer, List<Failure> failures)
    {
        if (schema.TryGetProperty("required", out var required))
        {
            foreach (var name in required.EnumerateArray().Select(r => r.GetString()!))
            {
                if (!value.TryGetProperty(name, out _))
                {
                    failures.Add(new Failure(pointer, $"missing required property '{name}'"));
                }
            }
        }

        var properties = schema.TryGetProperty("properties", out var p) ? p : default;
        var patterns = schema.TryGetProperty("patternProperties", out var pp) ? pp : default;
        var additional = schema.TryGetProperty("additionalProperties", out var ap) ? ap : default;
        var known = properties.ValueKind == JsonValueKind.Object ? properties.EnumerateObject().Select(x => x.Name).ToArray() : [];
        foreach (var property in value.EnumerateObject())
        {
            var childPointer = pointer + "/" + property.Name.Replace("~", "~0", StringComparison.Ordinal).Replace("/", "~1", StringComparison.Ordinal);
            var matched = false;
            if (properties.ValueKind == JsonValueKind.Object && properties.TryGetProperty(property.Name, out var propertySchema))
            {
                matched = true;
                Check(property.Value, propertySchema, root, childPointer, failures);
            }

            if (patterns.ValueKind == JsonValueKind.Object)
            {
                foreach (var pattern in patterns.EnumerateObject())
                {
                    if (Regex.IsMatch(property.Name, pattern.Name, RegexOptions.None, TimeSpan.FromSeconds(1)))
                    {
                        matched = true;
                        Check(property.Value, pattern.Value, root, childPointer, failures);
                    }
                }
            }

            if (matched || property.Name == "$schema")
            {
                continue;
            }

            if (additional.ValueKind == JsonValueKind.False)
            {
                var hint = Host.Suggestions.DidYouMean(property.Name, known);
                failures.Add(new Failure(childPointer, $"unknown property '{property.Name}'.{hint}".TrimEnd('.') + (hint.Length == 0 ? "." : string.Empty)));
            }
            else if (additional.ValueKind == JsonValueKind.Object)
            {
                Check(property.Value, additional, root, childPointer, failures);
            }
        }
    }

    private static void CheckArray(JsonElement value, JsonElement schema, JsonElement root, string pointer, List<Failure> failures)
    {
        var length = value.GetArrayLength();
        if (schema.TryGetProperty("minItems", out var minItems) && length < minItems.GetInt32())
        {
            failures.Add(new Failure(pointer, $"needs at least {minItems.GetInt32()} item(s), has {length}"));
        }

        if (schema.TryGetProperty("uniqueItems", out var unique) && unique.ValueKind == JsonValueKind.True)
        {
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var item in value.EnumerateArray())
            {
                if (!seen.Add(item.GetRawText()))
                {
                    failures.Add(new Failure(pointer, $"{item.GetRawText()} appears more than once"));
                }
            }
        }

        if (schema.TryGetProperty("items", out var items))
        {
            var index = 0;
            foreach (var item in value.EnumerateArray())
            {
                Check(item, items, root, $"{pointer}/{index++}", failures);
            }
        }
    }

    private static void CheckString(string text, JsonElement schema, string pointer, List<Failure> failures)
    {
        if (schema.TryGetProperty("minLength", out var minLength) && text.Length < minLength.GetInt32())
        {
            failures.Add(new Failure(pointer, minLength.GetInt32() == 1 ? "must not be empty" : $"must be at least {minLength.GetInt32()} characters"));
        }

        if (schema.TryGetProperty("pattern", out var pattern) && !Regex.IsMatch(text, pattern.GetString()!, RegexOptions.None, TimeSpan.FromSeconds(1)))
        {
            var message = schema.TryGetProperty("patternMessage", out var custom) ? custom.GetString()! : $"does not match the pattern {pattern.GetString()}";
            failures.Add(new Failure(pointer, $"'{text}' {message}"));
        }
    }

    private static void CheckNumber(double number, JsonElement schema, string pointer, List<Failure> failures)
    {
        if (schema.TryGetProperty("minimum", out var minimum) && number < minimum.GetDouble())
        {
            failures.Add(new Failure(pointer, $"{number.ToString(CultureInfo.InvariantCulture)} is below the minimum {minimum.GetRawText()}"));
        }

        if (schema.TryGetProperty("maximum", out var maximum) && number > maximum.GetDouble())
        {
            failures.Add(new Failure(pointer, $"{number.ToString(CultureInfo.InvariantCulture)} is above the maximum {maximum.GetRawText()}"));
        }
    }

    private static bool MatchesType(JsonElement value, JsonElement type) => type.ValueKind == JsonValueKind.Array
        ? type.EnumerateArray().Any(t => MatchesType(value, t.GetString()!))
        : MatchesType(value, type.GetString()!);

    private static bool MatchesType(JsonElement value, string type) => type switch
    {
        "object" => value.ValueKind == JsonValueKind.Object,
        "array" => value.ValueKind == JsonValueKind.Array,
        "string" => value.ValueKind == JsonValueKind.String,
        "number" => value.ValueKind == JsonValueKind.Number,
        "integer" => value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out _),
        "boolean" => value.ValueKind is JsonValueKind.True or JsonValueKind.False,
        "null" => value.ValueKind == JsonValueKind.Null,
        _ => true,
    };

    private static string Describe(JsonElement type) => type.ValueKind == JsonValueKind.Array
        ? string.Join(" or ", type.EnumerateArray().Select(t => t.GetString()))
        : type.GetString()!;

    private static string KindName(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => $"the string \"{value.GetString()}\"",
        JsonValueKind.Number => $"the number {value.GetRawText()}",
        JsonValueKind.True or JsonValueKind.False => $"{value.GetRawText()}",
        _ => "null",
    };

    private static JsonElement Resolve(JsonElement root, string reference)
    {
        if (!reference.StartsWith("#/", StringComparison.Ordinal))
        {
            throw new ConfigurationException($"Schema reference '{reference}' is not local; only '#/...' references are supported.");
        }

        var current = root;
        foreach (var segment in reference[2..].Split('/'))
        {
            current = current.GetProperty(segment.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal));
        }

        return current;
    }
}
