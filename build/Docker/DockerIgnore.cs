using System.Text;
using System.Text.RegularExpressions;

namespace Build.Docker;

/// <summary>
/// The rules of a <c>.dockerignore</c>, enough to hash what <c>docker build</c> sends: <c>*</c>, <c>?</c>, <c>**</c>,
/// a leading <c>/</c>, a trailing <c>/</c>, <c>!</c> exceptions (the last matching rule wins); a rule that matches a
/// folder excludes everything below it.
/// </summary>
public sealed class DockerIgnore
{
    private readonly List<(Regex Pattern, bool Exclude)> rules = [];

    public static DockerIgnore Load(string contextDirectory)
    {
        var file = Path.Combine(contextDirectory, ".dockerignore");
        return Parse(File.Exists(file) ? File.ReadAllText(file) : string.Empty);
    }

    public static DockerIgnore Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var ignore = new DockerIgnore();
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.Trim();
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }

            var exclude = !line.StartsWith('!');
            var pattern = line.TrimStart('!').Trim().Trim('/');
            if (pattern.Length > 0)
            {
                ignore.rules.Add((new Regex("^" + ToRegex(pattern) + "(/.*)?$", RegexOptions.CultureInvariant), exclude));
            }
        }

        return ignore;
    }

    /// <summary>True when a path (relative, with '/') is not sent to the builder.</summary>
    public bool IsExcluded(string relativePath)
    {
        ArgumentNullException.ThrowIfNull(relativePath);
        var excluded = false;
        foreach (var (pattern, exclude) in rules)
        {
            if (pattern.IsMatch(relativePath))
            {
                excluded = exclude;
            }
        }

        return excluded;
    }

    /// <summary>Read as a plain list of patterns (config's <c>hashAlways</c>): true when the last rule matching the path is not a '!' one.</summary>
    public bool Matches(string relativePath) => IsExcluded(relativePath);

    private static string ToRegex(string pattern)
    {
        var regex = new StringBuilder();
        for (var i = 0; i < pattern.Length; i++)
        {
            var c = pattern[i];
            if (c == '*' && i + 1 < pattern.Length && pattern[i + 1] == '*')
            {
                // "**/" matches any number of folders, none included.
                i++;
                if (i + 1 < pattern.Length && pattern[i + 1] == '/')
                {
                    i++;
                    regex.Append("(.*/)?");
                }
                else
                {
                    regex.Append(".*");
                }
            }
            else if (c == '*')
            {
                regex.Append("[^/]*");
            }
            else if (c == '?')
            {
                regex.Append("[^/]");
            }
            else
            {
                regex.Append(Regex.Escape(c.ToString()));
            }
        }

        return regex.ToString();
    }
}
