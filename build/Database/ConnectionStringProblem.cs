using System.Globalization;
using Npgsql;

namespace Build.Database;

/// <summary>
/// Why a connection string does not parse, said by key and character position. Npgsql's own message quotes the text
/// it choked on ("Couldn't set topsecretpart;database"), which is often a piece of the password: a password holding
/// <c>;</c> or <c>=</c> without quotes splits into a bogus key. Nothing here quotes a value or an unknown key.
/// </summary>
public static class ConnectionStringProblem
{
    private const string QuoteHint = "A value containing ; = \" or ' goes in double quotes, with each \" inside doubled (Password=\"a;b\"\"c\")";

    /// <summary>The first problem in <paramref name="value"/>, or null when the syntax looks right to this scan.</summary>
    public static string? Describe(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var builder = new NpgsqlConnectionStringBuilder();
        string? previous = null;
        var i = 0;
        while (true)
        {
            while (i < value.Length && (char.IsWhiteSpace(value[i]) || value[i] == ';'))
            {
                i++;
            }

            if (i >= value.Length)
            {
                return null;
            }

            var keyStart = i;
            var equals = value.IndexOf('=', i);
            var semicolon = value.IndexOf(';', i);
            if (equals < 0 || (semicolon >= 0 && semicolon < equals))
            {
                return $"the text at character {Position(keyStart)}{After(previous)} is not Key=Value. {QuoteHint}.";
            }

            var key = value[keyStart..equals].Trim();
            if (key.Length == 0 || !builder.ContainsKey(key))
            {
                return $"the key at character {Position(keyStart)}{After(previous)} is not an Npgsql setting. {QuoteHint}.";
            }

            var name = Canonical(builder, key);
            i = equals + 1;
            while (i < value.Length && char.IsWhiteSpace(value[i]) && value[i] != ';')
            {
                i++;
            }

            string text;
            if (i < value.Length && value[i] is '"' or '\'')
            {
                var quote = value[i];
                var valueStart = i;
                var closed = false;
                var content = new System.Text.StringBuilder();
                for (i++; i < value.Length; i++)
                {
                    if (value[i] != quote)
                    {
                        content.Append(value[i]);
                    }
                    else if (i + 1 < value.Length && value[i + 1] == quote)
                    {
                        content.Append(quote);
                        i++;
                    }
                    else
                    {
                        closed = true;
                        i++;
                        break;
                    }
                }

                if (!closed)
                {
                    return $"the quoted value of {name} opened at character {Position(valueStart)} is never closed. {QuoteHint}.";
                }

                while (i < value.Length && char.IsWhiteSpace(value[i]))
                {
                    i++;
                }

                if (i < value.Length && value[i] != ';')
                {
                    return $"unexpected text at character {Position(i)}, after the closing quote of {name}'s value. {QuoteHint}.";
                }

                text = content.ToString();
            }
            else
            {
                var end = value.IndexOf(';', i);
                text = (end < 0 ? value[i..] : value[i..end]).Trim();
                i = end < 0 ? value.Length : end;
            }

            try
            {
                builder[key] = text;
            }
            catch (Exception exception) when (exception is ArgumentException or FormatException or InvalidCastException or OverflowException)
            {
                // Only the key: the value may be the password, and the runtime's message may quote it.
                return $"the value of {name} (character {Position(keyStart)}) is not valid for that setting.";
            }

            previous = name;
        }
    }

    // A synonym (User ID, Server) is a known setting too: naming it as written is safe.
    private static string Canonical(NpgsqlConnectionStringBuilder builder, string key) =>
        builder.Keys.Cast<string>().FirstOrDefault(k => string.Equals(k, key, StringComparison.OrdinalIgnoreCase)) ?? key;

    private static string After(string? previous) => previous is null ? "" : $" (after {previous}'s value)";

    private static string Position(int index) => (index + 1).ToString(CultureInfo.InvariantCulture);
}
