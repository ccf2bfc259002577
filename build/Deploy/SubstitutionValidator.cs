using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Build.Deploy;

/// <summary>
/// Checks <c>--substitutions</c> against the Cloud Build file before anything is uploaded: Cloud Build rejects a
/// <c>_KEY</c> passed but unused, one used but neither passed nor defaulted, and a key that is not <c>_UPPER_CASE</c>,
/// but only after the upload. First the file must be a Cloud Build config at all (YAML or JSON, a mapping with a
/// <c>steps</c> list); then usages are read from the text (<c>$_KEY</c>, <c>${_KEY}</c>; <c>$$</c> is a literal dollar)
/// outside comments, and the defaults and options from the parsed YAML.
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

    /// <summary>Set only for builds a trigger starts: a build the kit submits gets them empty unless it passes them.</summary>
    public static readonly IReadOnlySet<string> TriggerOnly = new HashSet<string>(StringComparer.Ordinal)
    {
        "TRIGGER_NAME", "COMMIT_SHA", "REVISION_ID", "SHORT_SHA", "REPO_NAME", "REPO_FULL_NAME", "BRANCH_NAME", "TAG_NAME", "REF_NAME",
        "TRIGGER_BUILD_CONFIG_PATH", "_HEAD_BRANCH", "_BASE_BRANCH", "_HEAD_REPO_URL", "_PR_NUMBER",
    };

    public sealed record Usage(string Name, int Line);

    public sealed record Result(IReadOnlyList<Usage> Usages, IReadOnlyDictionary<string, string> Defaults, bool AllowLoose, IReadOnlyList<string> Problems);

    public static Result Validate(string yaml, IReadOnlyDictionary<string, string> passed, string file = "config/cloudbuild.yaml")
    {
        ArgumentNullException.ThrowIfNull(yaml);
        ArgumentNullException.ThrowIfNull(passed);

        // A file that is not a Cloud Build config at all gets one line saying so: checking keys against it would
        // only report each passed key as "never used".
        if (Shape(yaml, file, out var root) is { } broken)
        {
            return new Result([], new Dictionary<string, string>(), false, [broken]);
        }

        var defaults = new Dictionary<string, string>(StringComparer.Ordinal);
        var defaultLines = new Dictionary<string, int>(StringComparer.Ordinal);
        if (Child(root, "substitutions") is YamlMappingNode block)
        {
            foreach (var (key, value) in block.Children)
            {
                var name = (key as YamlScalarNode)?.Value ?? string.Empty;
                defaults[name] = (value as YamlScalarNode)?.Value ?? string.Empty;
                defaultLines[name] = (int)key.Start.Line;
            }
        }

        var allowLoose = Child(root, "options") is YamlMappingNode options
            && (Child(options, "substitution_option") ?? Child(options, "substitutionOption")) is YamlScalarNode { Value: "ALLOW_LOOSE" };
        var lines = yaml.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');
        var usages = new List<Usage>();
        var malformed = new List<Usage>();
        var inSubstitutions = false;
        for (var index = 0; index < lines.Length; index++)
        {
            var line = StripComment(lines[index]);
            if (line.Trim().Length == 0)
            {
                continue;
            }

            // Defaults are the substitutions' values, not usages.
            if (!char.IsWhiteSpace(line[0]))
            {
                inSubstitutions = line.StartsWith("substitutions:", StringComparison.Ordinal);
            }
            else if (inSubstitutions)
            {
                continue;
            }

            foreach (Match usage in Reference().Matches(line))
            {
                if (usage.Groups["name"].Success)
                {
                    usages.Add(new Usage(usage.Groups["name"].Value, index + 1));
                }
                else if (usage.Groups["braced"].Success)
                {
                    malformed.Add(new Usage(usage.Groups["braced"].Value, index + 1));
                }
            }
        }

        var problems = new List<string>();
        var invalidKeys = new HashSet<string>(StringComparer.Ordinal);
        foreach (var key in passed.Keys.Concat(defaults.Keys).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal))
        {
            var where = defaultLines.TryGetValue(key, out var at) ? $"{file}:{at}: default " : "--substitutions ";
            if (!UserKey().IsMatch(key) && !BuiltIn.Contains(key))
            {
                invalidKeys.Add(key);
                problems.Add($"{where}key '{key}' is not a valid substitution: user keys are _UPPER_CASE (an underscore, then capital letters, digits and underscores), e.g. '{Suggest(key)}'.");
            }
        }

        foreach (var usage in malformed)
        {
            problems.Add($"{file}:{usage.Line}: ${{{usage.Name}}} is not a valid substitution: keys are an underscore then capital letters, digits and underscores (write $${{...}} for a shell expansion).");
        }

        foreach (var usage in usages.Where(u => TriggerOnly.Contains(u.Name) && !passed.ContainsKey(u.Name)))
        {
            problems.Add($"{file}:{usage.Line}: ${usage.Name} is set by build triggers only: a build the kit submits gets it empty. Use $COMMIT_SHA (the kit passes it), or a _KEY with a default.");
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
        foreach (var key in passed.Keys.Where(k => k.StartsWith('_') && !used.Contains(k) && !BuiltIn.Contains(k) && !invalidKeys.Contains(k)).Order(StringComparer.Ordinal))
        {
            if (!allowLoose)
            {
                problems.Add($"--substitutions passes {key}, which {file} never uses: remove it, or use it in the file.");
            }
        }

        // Defaults are part of the substitution data too: Cloud Build rejects one the file never uses.
        foreach (var key in defaults.Keys.Where(k => !passed.ContainsKey(k) && !used.Contains(k) && !invalidKeys.Contains(k)).Order(StringComparer.Ordinal))
        {
            if (!allowLoose)
            {
                problems.Add($"{file}:{defaultLines[key]}: default {key} is never used: remove it, or use it in the file.");
            }
        }

        return new Result(usages, defaults, allowLoose, problems.Distinct(StringComparer.Ordinal).ToArray());
    }

    /// <summary>
    /// Null when the text is a Cloud Build config in shape (a YAML or JSON mapping with a <c>steps</c> list); otherwise
    /// the one line that says what the file is instead.
    /// </summary>
    private static string? Shape(string text, string file, out YamlMappingNode root)
    {
        root = new YamlMappingNode();
        const string Needs = "a Cloud Build config is a mapping with a top-level 'steps:' list (https://cloud.google.com/build/docs/build-config-file-schema)";
        if (text.Contains('\0', StringComparison.Ordinal))
        {
            return $"{file} is not a text file: {Needs}.";
        }

        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(text));
        }
        catch (YamlException exception)
        {
            return $"{file}:{exception.Start.Line}:{exception.Start.Column}: not valid YAML ({exception.Message.TrimEnd('.')}): {Needs}.";
        }

        var node = stream.Documents.Count == 0 ? null : stream.Documents[0].RootNode;
        switch (node)
        {
            case null or YamlScalarNode { Value: null or "" }:
                return $"{file} is empty: {Needs}.";
            case YamlMappingNode mapping:
                root = mapping;
                break;
            default:
                var found = node is YamlSequenceNode ? "a list" : "plain text";
                return $"{file}:{node.Start.Line}: holds {found}, not a Cloud Build config: {Needs}.";
        }

        return Child(root, "steps") switch
        {
            null => $"{file} has no top-level 'steps:' list: {Needs}.",
            YamlSequenceNode => null,
            var steps => $"{file}:{steps.Start.Line}: 'steps:' is not a list: {Needs}.",
        };
    }

    private static YamlNode? Child(YamlMappingNode mapping, string key) =>
        mapping.Children.TryGetValue(new YamlScalarNode(key), out var value) ? value : null;

    /// <summary>What the key probably meant: upper case, anything else an underscore, one leading underscore.</summary>
    private static string Suggest(string key) =>
        "_" + NotKeyCharacter().Replace(key.ToUpperInvariant(), "_").TrimStart('_');

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

    // $$ is an escaped dollar; otherwise $NAME or ${NAME}; anything else in braces is a malformed key.
    [GeneratedRegex(@"\$\$|\$\{(?<name>[A-Za-z_][A-Za-z0-9_]*)\}|\$\{(?<braced>[^}]*)\}|\$(?<name>[A-Za-z_][A-Za-z0-9_]*)")]
    private static partial Regex Reference();

    [GeneratedRegex("[^A-Z0-9_]")]
    private static partial Regex NotKeyCharacter();

    [GeneratedRegex("^_[A-Z0-9_]+$")]
    private static partial Regex UserKey();
}
