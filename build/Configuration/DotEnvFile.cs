using System.Text;

namespace Build.Configuration;

/// <summary>
/// A <c>.env</c> file: <c>KEY=value</c> lines, <c>#</c> comments, <c>export</c> prefixes, single quotes (literal),
/// double quotes (with \n, \", \\ escapes), CRLF line endings. A <c>$</c> is always literal: the kit hands compose the
/// exact values through the process environment, so a password like <c>pa$word</c> survives as written.
/// An error names the file, line, variable and column, never the text: the line may hold a password.
/// </summary>
public sealed class DotEnvFile
{
    private DotEnvFile(string path, IReadOnlyDictionary<string, string> values, IReadOnlyDictionary<string, int> lines)
    {
        Path = path;
        Values = values;
        Lines = lines;
    }

    public string Path { get; }

    public IReadOnlyDictionary<string, string> Values { get; }

    /// <summary>The line each key was read from, for messages.</summary>
    public IReadOnlyDictionary<string, int> Lines { get; }

    public static DotEnvFile Empty(string path) => new(path, new Dictionary<string, string>(), new Dictionary<string, int>());

    public static DotEnvFile Load(string path) => File.Exists(path) ? Parse(File.ReadAllText(path), path) : Empty(path);

    public static DotEnvFile Parse(string text, string path = ".env")
    {
        ArgumentNullException.ThrowIfNull(text);
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        var lines = new Dictionary<string, int>(StringComparer.Ordinal);
        var rows = text.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');
        for (var index = 0; index < rows.Length; index++)
        {
            var lineNumber = index + 1;
            var row = rows[index];
            var line = row.Trim();
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }

            if (line.StartsWith("export ", StringComparison.Ordinal) || line.StartsWith("export\t", StringComparison.Ordinal))
            {
                line = line[7..].TrimStart();
            }

            // Where `line` starts in the row, for 1-based columns in messages.
            var start = row.Length - row.TrimStart().Length + (row.Trim().Length - line.Length);
            var equals = line.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0)
            {
                throw new ConfigurationException(path, lineNumber, "expected KEY=value, but the line has no '=' before its text (its text is not shown: it may be a secret).");
            }

            var key = line[..equals].Trim();
            if (!IsValidKey(key))
            {
                var bad = key.Length == 0 || char.IsAsciiDigit(key[0]) ? 0 : key.TakeWhile(c => char.IsAsciiLetterOrDigit(c) || c == '_' || c == '.').Count();
                throw new ConfigurationException(
                    path, lineNumber, $"the name before '=' is not a valid variable name: column {start + bad + 1} is not allowed there (letters, digits and _; not starting with a digit).");
            }

            var raw = line[(equals + 1)..].TrimStart();
            var valueStart = start + line.Length - raw.Length;
            string value;
            if (raw.StartsWith('\''))
            {
                var close = raw.IndexOf('\'', 1);
                if (close < 0)
                {
                    throw new ConfigurationException(path, lineNumber, $"the value of {key} opens a single quote at column {valueStart + 1} that is never closed.");
                }

                value = raw[1..close];
                EnsureOnlyComment(raw, close + 1, valueStart, path, lineNumber, key);
            }
            else if (raw.StartsWith('"'))
            {
                var (parsed, end) = ParseDoubleQuoted(raw, valueStart, path, lineNumber, key);
                value = parsed;
                EnsureOnlyComment(raw, end, valueStart, path, lineNumber, key);
            }
            else
            {
                // An unquoted value ends at " #": a comment needs whitespace before it, so "pa#ss" stays whole.
                var comment = raw.IndexOf(" #", StringComparison.Ordinal);
                value = (comment >= 0 ? raw[..comment] : raw).TrimEnd();
            }

            values[key] = value;
            lines[key] = lineNumber;
        }

        return new DotEnvFile(path, values, lines);
    }

    private static (string Value, int End) ParseDoubleQuoted(string raw, int valueStart, string path, int lineNumber, string key)
    {
        var builder = new StringBuilder();
        for (var i = 1; i < raw.Length; i++)
        {
            var c = raw[i];
            if (c == '"')
            {
                return (builder.ToString(), i + 1);
            }

            if (c == '\\' && i + 1 < raw.Length)
            {
                i++;
                builder.Append(raw[i] switch
                {
                    'n' => '\n',
                    't' => '\t',
                    'r' => '\r',
                    _ => raw[i],
                });
                continue;
            }

            builder.Append(c);
        }

        throw new ConfigurationException(path, lineNumber, $"the value of {key} opens a double quote at column {valueStart + 1} that is never closed.");
    }

    /// <summary>After the closing quote only a comment may follow. The stray text is located, never quoted.</summary>
    private static void EnsureOnlyComment(string raw, int end, int valueStart, string path, int lineNumber, string key)
    {
        var rest = raw[end..];
        var trimmed = rest.Trim();
        if (trimmed.Length > 0 && !trimmed.StartsWith('#'))
        {
            var column = valueStart + end + (rest.Length - rest.TrimStart().Length) + 1;
            throw new ConfigurationException(
                path,
                lineNumber,
                $"unexpected text after the closing quote of {key}'s value, at column {column}: keep the whole value inside the quotes (escape a \" inside double quotes as \\\"), or start a comment with ' #'.");
        }
    }

    private static bool IsValidKey(string key) =>
        key.Length > 0 && !char.IsAsciiDigit(key[0]) && key.All(c => char.IsAsciiLetterOrDigit(c) || c == '_' || c == '.');
}
