using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Build.Tools;

/// <summary>
/// Every value known to be secret (from .env, config, connection strings) is replaced by [REDACTED] in whatever
/// is echoed or streamed, including a tool's own output.
/// </summary>
/// <remarks>
/// Tools rarely print a value as it was given: compose's <c>config</c> writes <c>$</c> as <c>$$</c> and YAML-quotes
/// <c>"</c>, <c>\</c> and CR; docker inspect and gcloud write JSON (<c>\"</c>, <c>\u0026</c>); URLs carry
/// <c>%XX</c> and <c>+</c>; the echo quotes for a shell (<c>'\''</c>); a connection-string builder doubles quotes.
/// So a secret is matched with each of its characters in any of those encodings, in any mix, and in any letter case
/// (hex digits, and Npgsql lower-cases what it quotes back). Npgsql's own errors also quote pieces of a value it
/// split at <c>;</c> or <c>=</c> (<c>Couldn't set topsecretpart;database</c>): those pieces are masked too when
/// they are distinctive enough not to be an ordinary word.
/// </remarks>
public sealed partial class SecretMasker
{
    /// <summary>Shorter values would mask ordinary words ("dev"); the configuration refuses secrets that short.</summary>
    public const int MinimumLength = 4;

    // A piece of a secret is masked on its own only when it cannot be an ordinary word of the output.
    private const int MinimumFragmentLength = 5;
    private const int PlainWordFragmentLength = 12;

    // Words the kit and its tools print all the time: a password that contains one must not blank them everywhere.
    private static readonly HashSet<string> OrdinaryWords = new(StringComparer.OrdinalIgnoreCase)
    {
        "database", "username", "password", "postgres", "postgresql", "timeout", "server", "redacted",
    };

    private readonly HashSet<string> secrets = new(StringComparer.Ordinal);
    private readonly Lock gate = new();
    private Regex? pattern;

    public void Add(string? secret)
    {
        if (string.IsNullOrEmpty(secret) || secret.Length < MinimumLength)
        {
            return;
        }

        lock (gate)
        {
            if (secrets.Add(secret))
            {
                pattern = null;
            }
        }

        // A connection string or URL is masked whole; its password also on its own (a tool may print just that).
        foreach (var password in EmbeddedPasswords(secret))
        {
            Add(password);
        }
    }

    public string Mask(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        Regex? current;
        lock (gate)
        {
            current = pattern ??= Build(secrets);
        }

        return current is null || text.Length == 0 ? text : current.Replace(text, CommandArgument.Redacted);
    }

    /// <summary>
    /// The passwords inside a connection string (<c>Password=</c>, <c>Pwd=</c>) or a URL's user information
    /// (<c>postgres://user:password@host</c>); nothing for any other value. From a connection string that does not
    /// parse (a password holding <c>;</c> unquoted), the password is taken up to the next <c>;Key=</c>.
    /// </summary>
    public static IReadOnlyList<string> EmbeddedPasswords(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (Uri.TryCreate(value, UriKind.Absolute, out var uri) && uri.UserInfo.Split(':', 2) is [_, { Length: > 0 } escaped])
        {
            return [Uri.UnescapeDataString(escaped)];
        }

        if (!IsConnectionString(value))
        {
            return [];
        }

        // Both readings: the parser's, and up to the next ";Key=" for a password whose ";" the parser took as the end.
        // (A quoted value is the parser's alone.)
        var passwords = BrokenPassword().Matches(value).Select(m => m.Groups["password"].Value.Trim()).Where(p => !p.StartsWith('"') && !p.StartsWith('\'')).ToList();
        try
        {
            var builder = new System.Data.Common.DbConnectionStringBuilder { ConnectionString = value };
            passwords.AddRange(builder.Keys.Cast<string>()
                .Where(key => key.Equals("password", StringComparison.OrdinalIgnoreCase) || key.Equals("pwd", StringComparison.OrdinalIgnoreCase))
                .Select(key => Convert.ToString(builder[key], CultureInfo.InvariantCulture) ?? ""));
        }
        catch (ArgumentException)
        {
            // does not parse: the heuristic reading is all there is
        }

        return passwords.Where(p => p.Length > 0 && p != value).Distinct(StringComparer.Ordinal).ToArray();
    }

    /// <summary>
    /// Settings such as <c>Host=</c>, <c>Database=</c>, <c>Username=</c>: a connection string, parsed or not. Its parts
    /// are host and database names, not secrets, so it is masked whole and through its password, never split into pieces.
    /// </summary>
    public static bool IsConnectionString(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return ConnectionSetting().IsMatch(value);
    }

    /// <summary>
    /// The pieces of <paramref name="secret"/> a connection-string parser may quote back on their own: split at
    /// <c>;</c> and <c>=</c> (and at the quotes it strips), trimmed; only the distinctive ones (see <see cref="IsDistinctive"/>).
    /// </summary>
    public static IReadOnlyList<string> Fragments(string secret)
    {
        ArgumentNullException.ThrowIfNull(secret);
        var pieces = secret.Split([';', '='], StringSplitOptions.TrimEntries)
            .Concat(secret.Split([';', '=', '"', '\''], StringSplitOptions.TrimEntries));
        return pieces.Where(p => p.Length < secret.Length && IsDistinctive(p)).Distinct(StringComparer.Ordinal).ToArray();
    }

    /// <summary>
    /// Long enough, and either mixing letters with digits or symbols, camel-cased, or very long: such a piece
    /// does not occur in output by chance, while "rd", "app" or "Database" do.
    /// </summary>
    public static bool IsDistinctive(string piece)
    {
        ArgumentNullException.ThrowIfNull(piece);
        if (piece.Length < MinimumFragmentLength || OrdinaryWords.Contains(piece))
        {
            return false;
        }

        var kinds = (piece.Any(char.IsLetter) ? 1 : 0) + (piece.Any(char.IsDigit) ? 1 : 0) + (piece.Any(c => !char.IsLetterOrDigit(c)) ? 1 : 0);
        var innerCapital = piece.Skip(1).Any(char.IsUpper) && piece.Any(char.IsLower);
        return kinds >= 2 || innerCapital || piece.Length >= PlainWordFragmentLength;
    }

    /// <summary>A pattern matching <paramref name="value"/> written in any of the encodings tools use, in any case.</summary>
    public static string EncodedPattern(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var pattern = new StringBuilder();
        foreach (var rune in value.EnumerateRunes())
        {
            var forms = Forms(rune);
            pattern.Append("(?:").AppendJoin('|', forms.OrderByDescending(f => f.Length).Select(Regex.Escape)).Append(')');
        }

        return pattern.ToString();
    }

    private static Regex? Build(IEnumerable<string> values)
    {
        var all = values.Select(v => (Text: v, Whole: true))
            .Concat(values.Where(v => !IsConnectionString(v)).SelectMany(Fragments).Select(f => (Text: f, Whole: false)))
            .DistinctBy(v => v.Text, StringComparer.OrdinalIgnoreCase)
            // Whole secrets first, longest first: a secret that contains another is masked whole.
            .OrderByDescending(v => v.Whole)
            .ThenByDescending(v => v.Text.Length)
            .Select(v => EncodedPattern(v.Text))
            .ToArray();
        return all.Length == 0
            ? null
            : new Regex(string.Join('|', all), RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
    }

    /// <summary>Every way one character is written by the tools the kit runs.</summary>
    private static HashSet<string> Forms(Rune rune)
    {
        var literal = rune.ToString();
        var forms = new HashSet<string>(StringComparer.Ordinal) { literal };

        // URL encoding (%XX per UTF-8 byte; the letter case of the hex digits is left to the case-insensitive match).
        Span<byte> utf8 = stackalloc byte[4];
        var length = rune.EncodeToUtf8(utf8);
        forms.Add(string.Concat(utf8[..length].ToArray().Select(b => "%" + b.ToString("X2", CultureInfo.InvariantCulture))));

        // JSON and YAML \u escapes, per UTF-16 unit (a surrogate pair is two of them), and YAML's \x for one byte.
        forms.Add(string.Concat(literal.Select(c => "\\u" + ((int)c).ToString("x4", CultureInfo.InvariantCulture))));
        if (rune.Value < 0x100)
        {
            forms.Add("\\x" + rune.Value.ToString("x2", CultureInfo.InvariantCulture));
        }

        switch (rune.Value)
        {
            case ' ':
                forms.Add("+");
                break;
            case '$':
                // compose's own escape in `config` output
                forms.Add("$$");
                break;
            case '"':
                // JSON/YAML escape, that escape escaped again, and the doubling of connection strings and CSV
                forms.Add("\\\"");
                forms.Add("\\\\\\\"");
                forms.Add("\"\"");
                break;
            case '\\':
                forms.Add("\\\\");
                forms.Add("\\\\\\\\");
                break;
            case '\'':
                // YAML single quotes and SQL double it; a POSIX shell closes, escapes and reopens
                forms.Add("''");
                forms.Add("'\\''");
                forms.Add("\\'");
                break;
            case '/':
                forms.Add("\\/");
                break;
            case '\r':
                forms.Add("\\r");
                break;
            case '\n':
                forms.Add("\\n");
                break;
            case '\t':
                forms.Add("\\t");
                break;
        }

        return forms;
    }

    [GeneratedRegex(@"(?:^|;)\s*(?:host|server|port|database|username|user id|uid|data source|initial catalog)\s*=", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex ConnectionSetting();

    [GeneratedRegex(@"(?:^|;)\s*(?:password|pwd)\s*=(?<password>.*?)(?=;\s*[A-Za-z][A-Za-z ]*=|$)", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant | RegexOptions.Singleline)]
    private static partial Regex BrokenPassword();
}
