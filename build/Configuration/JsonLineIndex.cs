using System.Text;
using System.Text.Json;

namespace Build.Configuration;

/// <summary>The line of every value in a JSON text, by JSON pointer ("/images/0/name"), so messages can say where.</summary>
public sealed class JsonLineIndex
{
    private readonly Dictionary<string, int> lines = new(StringComparer.Ordinal);

    public JsonLineIndex(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        var bytes = Encoding.UTF8.GetBytes(json);
        var newlines = new List<long>();
        for (var i = 0; i < bytes.Length; i++)
        {
            if (bytes[i] == '\n')
            {
                newlines.Add(i);
            }
        }

        int LineOf(long offset)
        {
            var index = newlines.BinarySearch(offset);
            return (index < 0 ? ~index : index) + 1;
        }

        var reader = new Utf8JsonReader(bytes, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        var path = new Stack<(string Pointer, int NextIndex, bool IsArray)>();
        string? pendingProperty = null;
        try
        {
            while (reader.Read())
            {
                var line = LineOf(reader.TokenStartIndex);
                switch (reader.TokenType)
                {
                    case JsonTokenType.PropertyName:
                        pendingProperty = reader.GetString();
                        lines[Child(path, pendingProperty!)] = line;
                        continue;
                    case JsonTokenType.StartObject:
                    case JsonTokenType.StartArray:
                        var pointer = Current(path, ref pendingProperty, line);
                        path.Push((pointer, 0, reader.TokenType == JsonTokenType.StartArray));
                        continue;
                    case JsonTokenType.EndObject:
                    case JsonTokenType.EndArray:
                        path.Pop();
                        continue;
                    default:
                        Current(path, ref pendingProperty, line);
                        continue;
                }
            }
        }
        catch (JsonException)
        {
            // Malformed text is reported by the parser itself; the index covers what it could read.
        }
    }

    public int LineOf(string pointer)
    {
        ArgumentNullException.ThrowIfNull(pointer);
        var candidate = pointer;
        while (true)
        {
            if (lines.TryGetValue(candidate, out var line))
            {
                return line;
            }

            var slash = candidate.LastIndexOf('/');
            if (slash < 0)
            {
                return 1;
            }

            candidate = candidate[..slash];
        }
    }

    private string Current(Stack<(string Pointer, int NextIndex, bool IsArray)> path, ref string? pendingProperty, int line)
    {
        string pointer;
        if (path.Count == 0)
        {
            pointer = string.Empty;
        }
        else if (path.Peek().IsArray)
        {
            var top = path.Pop();
            pointer = $"{top.Pointer}/{top.NextIndex}";
            path.Push(top with { NextIndex = top.NextIndex + 1 });
        }
        else
        {
            pointer = Child(path, pendingProperty ?? string.Empty);
        }

        pendingProperty = null;
        lines.TryAdd(pointer, line);
        return pointer;
    }

    private static string Child(Stack<(string Pointer, int NextIndex, bool IsArray)> path, string property) =>
        (path.Count == 0 ? string.Empty : path.Peek().Pointer) + "/" + property.Replace("~", "~0", StringComparison.Ordinal).Replace("/", "~1", StringComparison.Ordinal);
}
