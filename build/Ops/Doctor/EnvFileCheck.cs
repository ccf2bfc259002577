using System.Text.RegularExpressions;
using Build.Configuration;

namespace Build.Ops.Doctor;

/// <summary>
/// <c>.env</c> against <c>.env.example</c>: present, every key of the example there, required ones set, passwords no
/// longer the example's placeholder.
/// </summary>
public static partial class EnvFileCheck
{
    public const string Name = ".env";

    /// <summary>A value that only marks where a real one goes ("change-me-dev-only", "", "&lt;password&gt;").</summary>
    public static bool IsPlaceholder(string value) => string.IsNullOrWhiteSpace(value) || PlaceholderPattern().IsMatch(value);

    /// <summary>
    /// The keys whose values onboarding generates: every *PASSWORD* key of the example holding a placeholder (an empty
    /// value included), and every *SECRET* key (DJANGO_SECRET_KEY, JWT_SECRET) whose example value is written as one
    /// ("change-me-dev-only"): an app's own signing secret. An empty *SECRET*, and a key or token some provider issues
    /// (API_KEY, GITHUB_TOKEN), stay as the example has them: no generated value could work there.
    /// </summary>
    public static IReadOnlyList<string> GeneratedKeys(DotEnvFile example) =>
        (example ?? throw new ArgumentNullException(nameof(example))).Values
        .Where(p => IsPlaceholder(p.Value)
            && (p.Key.Contains("PASSWORD", StringComparison.OrdinalIgnoreCase)
                || (p.Key.Contains("SECRET", StringComparison.OrdinalIgnoreCase) && !string.IsNullOrWhiteSpace(p.Value))))
        .Select(p => p.Key)
        .ToArray();

    public static IReadOnlyList<DoctorCheck> Evaluate(
        DotEnvFile example, DotEnvFile? env, IReadOnlyList<string> required, IReadOnlyDictionary<string, string?> processEnvironment)
    {
        ArgumentNullException.ThrowIfNull(example);
        ArgumentNullException.ThrowIfNull(required);
        ArgumentNullException.ThrowIfNull(processEnvironment);
        bool SetElsewhere(string key) => processEnvironment.TryGetValue(key, out var value) && !string.IsNullOrEmpty(value);

        if (env is null)
        {
            var unset = required.Where(k => !SetElsewhere(k)).ToArray();
            var fix = $"Run {Bootstrapper.Onboard} (or {Bootstrapper.Command} --target=CreateEnv): it writes .env from .env.example with generated passwords.";
            return
            [
                unset.Length == 0
                    ? DoctorCheck.Warn(Name, "missing (the required variables come from the environment)", fix)
                    : DoctorCheck.Blocker(Name, $"missing: {string.Join(", ", unset)} not set anywhere", fix),
            ];
        }

        var checks = new List<DoctorCheck>();
        var missingRequired = required.Where(k => !(env.Values.TryGetValue(k, out var v) && v.Length > 0) && !SetElsewhere(k)).ToArray();
        var missingKeys = example.Values.Keys.Where(k => !env.Values.ContainsKey(k) && !missingRequired.Contains(k)).ToArray();
        var placeholders = example.Values
            .Where(p => BuildContext.IsSecretName(p.Key) && IsPlaceholder(p.Value) && env.Values.TryGetValue(p.Key, out var value) && value == p.Value)
            .Select(p => p.Key)
            .ToArray();
        if (missingRequired.Length > 0)
        {
            checks.Add(DoctorCheck.Blocker(
                Name,
                $"required, not set: {string.Join(", ", missingRequired)}",
                $"Set them in .env (see {Lines(example, missingRequired)} of .env.example), or export them."));
        }

        if (missingKeys.Length > 0)
        {
            checks.Add(DoctorCheck.Warn(
                Name,
                $"{missingKeys.Length} key(s) of .env.example missing: {string.Join(", ", missingKeys.Take(8))}{(missingKeys.Length > 8 ? ", ..." : string.Empty)}",
                $"Copy them from .env.example ({Lines(example, missingKeys)}); compose falls back to its defaults meanwhile."));
        }

        if (placeholders.Length > 0)
        {
            checks.Add(DoctorCheck.Warn(
                Name,
                $"still the example's placeholder: {string.Join(", ", placeholders)}",
                $"Give each its own value (openssl rand -hex 16), or delete .env and run {Bootstrapper.Onboard} to generate them."));
        }

        if (checks.Count == 0)
        {
            checks.Add(DoctorCheck.Ok(Name, $"complete ({env.Values.Count} keys; every key of .env.example present)"));
        }

        return checks;
    }

    /// <summary>
    /// The text of a new .env: the example line for line (comments kept), with every generated key's placeholder
    /// replaced by <paramref name="generate"/>'s value.
    /// </summary>
    public static string Generate(string exampleText, IReadOnlyCollection<string> generatedKeys, Func<string, string> generate)
    {
        ArgumentNullException.ThrowIfNull(exampleText);
        ArgumentNullException.ThrowIfNull(generatedKeys);
        ArgumentNullException.ThrowIfNull(generate);
        var newline = exampleText.Contains("\r\n", StringComparison.Ordinal) ? "\r\n" : "\n";
        var lines = exampleText.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var match = AssignmentPattern().Match(lines[i]);
            if (match.Success && generatedKeys.Contains(match.Groups["key"].Value))
            {
                lines[i] = $"{match.Groups["prefix"].Value}{match.Groups["key"].Value}={generate(match.Groups["key"].Value)}";
            }
        }

        return string.Join(newline, lines);
    }

    private static string Lines(DotEnvFile example, IEnumerable<string> keys)
    {
        var numbers = keys.Where(example.Lines.ContainsKey).Select(k => example.Lines[k]).Order().ToArray();
        return numbers.Length == 0 ? "its comments" : (numbers.Length == 1 ? "line " : "lines ") + string.Join(", ", numbers);
    }

    [GeneratedRegex(@"^\s*$|change-?me|changeme|placeholder|^<.*>$|^x{3,}$", RegexOptions.IgnoreCase)]
    private static partial Regex PlaceholderPattern();

    [GeneratedRegex(@"^(?<prefix>\s*(?:export\s+)?)(?<key>[A-Za-z_][A-Za-z0-9_]*)\s*=")]
    private static partial Regex AssignmentPattern();
}
