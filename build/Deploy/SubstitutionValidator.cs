using System.Text.RegularExpressions;

namespace Build.Deploy;

/// <summary>
/// Checks <c>--substitutions</c> against the Cloud Build file before anything is uploaded: Cloud Build rejects a
/// <c>_KEY</c> passed but unused, one used but neither passed nor defaulted, and a key that is not <c>_UPPER_CASE</c>,
/// but only after the upload. Reads the YAML text: usages (<c>$_KEY</c>, <c>${_KEY}</c>; <c>$$</c> is a literal
/// dollar) outside comments, and the top-level <c>substitutions:</c> block of defaults.
/// </summary>
public static partial class SubstitutionValidator
{
    /// <summary>Set by Cloud Build itself (the trigger-only ones can be passed to a manual build, e.g. COMMIT_SHA).</summary>
    public static readonly IReadOnlySet<string> BuiltIn = new HashSet<string>(StringComparer.Ordinal)
    {
        "PROJECT_ID", "BUILD_ID", "PROJECT_NUMBER", "LOCATION", "TRIGGER_NAME", "COMMIT_SHA", "REVISION_ID", "SHORT_SHA",
        "REPO_NAME", "REPO_FULL_NAME", "BRANCH_NAME", "TAG_NAME", "REF_NAME", "TRIGGER_BUILD_CONFIG_PATH", "SERVICE_ACCOUNT_EMAIL",
        "SERVICE_ACCOUNT", "_HEAD_BRANCH", "_BASE_BRANCH", "_HEAD_REPO_URL", "_PR_NUMBER",
    };

    public sealed record Usage(string Name, int Line);

    public sealed record Result(IReadOnlyList<Usage> Usages, IReadOnlyDictionary<string, string> Defaults, bool AllowLoose, IReadOnlyList<string> Problems);

    public static Result Validate(string yaml, IReadOnlyDictionary<string, string> passed, string file = "config/cloudbuild.yaml")
    {
        ArgumentNullException.ThrowIfNull(yaml);
        ArgumentNullException.ThrowIfNull(passed);
        var lines = yaml.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');
        var usages = new List<Usage>();
        var defaults = new Dictionary<string, string>(StringComparer.Ordinal);
        var defaultLines = new Dictionary<string, int>(StringComparer.Ordinal);
        var allowLoose = false;
        var inSubstitutions = false;
        for (var index = 0; index < lines.Length; index++)
        {
            var line = StripComment(lines[index]);
            if (line.Trim().Length == 0)
            {
                continue;
            }

            var topLevel = !char.IsWhiteSpace(line[0]);
            if (topLevel)
            {
                inSubstitutions = line.StartsWith("substitutions:", StringComparison.Ordinal);
            }
            else if (inSubstitutions && DefaultEntry().Match(line) is { Success: true } entry)
            {
                defaults[entry.Groups["key"].Value] = Unquote(entry.Groups["value"].Value.Trim());
                defaultLines[entry.Groups["key"].Value] = index + 1;
                continue;
            }

            if (LooseOption().IsMatch(line))
            {
                allowLoose = true;
            }

            foreach (Match usage in Reference().Matches(line))
            {
                if (usage.Groups["name"].Success)
                {
                    usages.Add(new Usage(usage.Groups["name"].Value, index + 1));
                }
            }
        }

        var problems = new List<string>();
        foreach (var key in passed.Keys.Concat(defaults.Keys).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal))
        {
            var where = defaultLines.TryGetValue(key, out var at) ? $"{file}:{at}: default " : "--substitutions ";
            if (!UserKey().IsMatch(key) && !BuiltIn.Contains(key))
            {
                problems.Add($"{where}key '{key}' is not a valid substitution: user keys are _UPPER_CASE (an underscore, then capital letters, digits and underscores).");
            }
        }

        foreach (var usage in usages.Where(u => !BuiltIn.Contains(u.Name)))
        {
            if (!usage.Name.StartsWith('_'))
            {
                problems.Add($"{file}:{usage.Line}: ${usage.Name} is not a Cloud Build substitution: write $${usage.Name} for a shell variable, or rename it _{usage.Name}.");
            }
            else if (!UserKey().IsMatch(usage.Name))
            {
                problems.Add($"{file}:{usage.Line}: ${usage.Name} is not _UPPER_CASE: Cloud Build substitution keys are an underscore then capital letters, digits and underscores.");
            }
            else if (!allowLoose && !passed.ContainsKey(usage.Name) && !defaults.ContainsKey(usage.Name))
            {
                problems.Add($"{file}:{usage.Line}: ${usage.Name} is used but not passed: pass it in --substitutions or give it a default under substitutions:.");
            }
        }

        var used = usages.Select(u => u.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var key in passed.Keys.Where(k => k.StartsWith('_') && !used.Contains(k) && !BuiltIn.Contains(k)).Order(StringComparer.Ordinal))
        {
            if (!allowLoose)
            {
                problems.Add($"--substitutions passes {key}, which {file} never uses: remove it, or use it in the file.");
            }
        }

        // Defaults are part of the substitution data too: Cloud Build rejects one the file never uses.
        foreach (var key in defaults.Keys.Where(k => !passed.ContainsKey(k) && !used.Contains(k)).Order(StringComparer.Ordinal))
        {
            if (!allowLoose)
            {
                problems.Add($"{file}:{defaultLines[key]}: default {key} is never used: remove it, or use it in the file.");
            }
        }

        return new Result(usages, defaults, allowLoose, problems.Distinct(StringComparer.Ordinal).ToArray());
    }

    /// <summary>The line without a YAML comment (a <c>#</c> at the start or after a space, outside quotes).</summary>
    private static string StripComment(string line)
    {
        char? quote = null;
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            if (quote is null && (c == '"' || c == '\''))
            {
                quote = c;
            }
            else if (quote == c)
            {
                quote = null;
            }
            else if (quote is null && c == '#' && (i == 0 || char.IsWhiteSpace(line[i - 1])))
            {
                return line[..i];
            }
        }

        return line;
    }

    private static string Unquote(string value) =>
        value.Length >= 2 && (value[0] == '"' || value[0] == '\'') && value[^1] == value[0] ? value[1..^1] : value;

    // $$ is an escaped dollar; otherwise $NAME or ${NAME}.
    [GeneratedRegex(@"\$\$|\$\{(?<name>[A-Za-z_][A-Za-z0-9_]*)\}|\$(?<name>[A-Za-z_][A-Za-z0-9_]*)")]
    private static partial Regex Reference();

    [GeneratedRegex(@"^\s+(?<key>[A-Za-z_][A-Za-z0-9_]*)\s*:\s*(?<value>.*)$")]
    private static partial Regex DefaultEntry();

    [GeneratedRegex(@"^\s*(substitution_option|substitutionOption)\s*:\s*['""]?ALLOW_LOOSE")]
    private static partial Regex LooseOption();

    [GeneratedRegex("^_[A-Z0-9_]+$")]
    private static partial Regex UserKey();
}
