using System.Text;
using System.Text.Json;

namespace Build.Configuration;

/// <summary>
/// The position (1-based line and column) of every value in a JSON text, by JSON pointer ("/images/0/name"), so
/// messages can say where as an editor does: file:line:column.
/// </summary>
public sealed class JsonLineIndex
{
    private readonly Dictionary<string, TextPosition> positions = new(StringComparer.Ordinal);

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

        TextPosition At(long offset) => Position(bytes, newlines, offset);

        var reader = new Utf8JsonReader(bytes, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        var path = new Stack<(string Pointer, int NextIndex, bool IsArray)>();
        string? pendingProperty = null;
        try
        {
            while (reader.Read())
            {
                var position = At(reader.TokenStartIndex);
                switch (reader.TokenType)
                {
                    case JsonTokenType.PropertyName:
                        pendingProperty = reader.GetString();
                        positions[Child(path, pendingProperty!)] = position;
                        continue;
                    case JsonTokenType.StartObject:
                    case JsonTokenType.StartArray:
                        var pointer = Current(path, ref pendingProperty, position);
                        path.Push((pointer, 0, reader.TokenType == JsonTokenType.StartArray));
                        continue;
                    case JsonTokenType.EndObject:
                    case JsonTokenType.EndArray:
                        path.Pop();
                        continue;
                    default:
                        Current(path, ref pendingProperty, position);
                        continue;
                }
            }
        }
        catch (JsonException)
        {
            // Malformed text is reported by the parser itself; the index covers what it could read.
        }
    }

    public int LineOf(string pointer) => PositionOf(pointer).Line;

    /// <summary>Where the value at <paramref name="pointer"/> starts; for a pointer to nothing, where its nearest parent does.</summary>
    public TextPosition PositionOf(string pointer)
    {
        ArgumentNullException.ThrowIfNull(pointer);
        var candidate = pointer;
        while (true)
        {
            if (positions.TryGetValue(candidate, out var position))
            {
                return position;
            }

            var slash = candidate.LastIndexOf('/');
            if (slash < 0)
            {
                return new TextPosition(1, 1);
            }

            candidate = candidate[..slash];
        }
    }

    /// <summary>
    /// The 1-based line and column of a byte offset into UTF-8 <paramref name="text"/>, the column counted in characters.
    /// </summary>
    public static TextPosition Position(string text, long line0, long bytePositionInLine)
    {
        ArgumentNullException.ThrowIfNull(text);
        var bytes = Encoding.UTF8.GetBytes(text);
        var start = 0;
        for (var line = 0; line < line0 && start < bytes.Length; line++)
        {
            var next = Array.IndexOf(bytes, (byte)'\n', start);
            if (next < 0)
            {
                break;
            }

            start = next + 1;
        }

        var length = (int)Math.Clamp(bytePositionInLine, 0, bytes.Length - start);
        return new TextPosition((int)line0 + 1, Encoding.UTF8.GetCharCount(bytes, start, length) + 1);
    }

    private static TextPosition Position(byte[] bytes, List<long> newlines, long offset)
    {
        var index = newlines.BinarySearch(offset);
        var line = index < 0 ? ~index : index;
        var lineStart = line == 0 ? 0 : (int)newlines[line - 1] + 1;
        return new TextPosition(line + 1, Encoding.UTF8.GetCharCount(bytes, lineStart, (int)offset - lineStart) + 1);
    }

    private string Current(Stack<(string Pointer, int NextIndex, bool IsArray)> path, ref string? pendingProperty, TextPosition position)
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
        positions.TryAdd(pointer, position);
        return pointer;
    }

    private static string Child(Stack<(string Pointer, int NextIndex, bool IsArray)> path, string property) =>
        (path.Count == 0 ? string.Empty : path.Peek().Pointer) + "/" + property.Replace("~", "~0", StringComparison.Ordinal).Replace("/", "~1", StringComparison.Ordinal);
}

/// <summary>A place in a text file as editors count it: line and column from 1.</summary>
public readonly record struct TextPosition(int Line, int Column)
{
    public override string ToString() => $"{Line}:{Column}";
}
