using System.Text.RegularExpressions;

namespace Build.Docker;

/// <summary>
/// Compose-style <c>${NAME}</c>, <c>${NAME:-default}</c> and <c>${NAME-default}</c> in config values (build arguments,
/// URLs), read from the stack's variables. An unset name without a default becomes empty, as in compose.
/// </summary>
public static partial class VariableExpander
{
    public static string Expand(string text, Func<string, string?> lookup)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(lookup);
        return Reference().Replace(text, match =>
        {
            var value = lookup(match.Groups["name"].Value);
            if (!match.Groups["op"].Success)
            {
                return value ?? string.Empty;
            }

            // ":-" also replaces an empty value; "-" only an unset one.
            var useDefault = match.Groups["op"].Value == ":-" ? string.IsNullOrEmpty(value) : value is null;
            return useDefault ? match.Groups["default"].Value : value!;
        });
    }

    /// <summary>The names a text refers to.</summary>
    public static IEnumerable<string> Names(string text) =>
        Reference().Matches(text ?? string.Empty).Select(m => m.Groups["name"].Value);

    [GeneratedRegex(@"\$\{(?<name>[A-Za-z_][A-Za-z0-9_]*)(?:(?<op>:?-)(?<default>[^}]*))?\}")]
    private static partial Regex Reference();
}
