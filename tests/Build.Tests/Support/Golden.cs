using System.Text.RegularExpressions;

namespace Build.Tests.Support;

/// <summary>
/// Golden plans: the exact steps of a plan (command lines, SQL) checked in as text, one line each: the deploy
/// scenarios' gcloud commands under tests/Build.Tests/Deploy/golden/, the dry-run plans of the other tasks under
/// tests/Build.Tests/golden/. Any difference fails with a diff; UPDATE_GOLDEN=1 rewrites the files (review the git diff).
/// </summary>
public static partial class Golden
{
    public static string DeployFolder => Path.Combine(RepositoryRoot.Path, "tests", "Build.Tests", "Deploy", "golden");

    public static string PlansFolder => Path.Combine(RepositoryRoot.Path, "tests", "Build.Tests", "golden");

    /// <summary>A deploy scenario's commands against tests/Build.Tests/Deploy/golden/<paramref name="name"/>.txt.</summary>
    public static void Match(string name, IEnumerable<string> lines) => Match(DeployFolder, name, lines);

    /// <summary>
    /// What changes from run to run, made stable: the scratch app root, the compose version, commit ids, hashes and
    /// times. Everything else, every argument and every SQL statement, is compared as it is.
    /// </summary>
    public static IEnumerable<string> Normalise(IEnumerable<string> lines, string appRoot)
    {
        ArgumentNullException.ThrowIfNull(lines);
        var root = Path.GetFullPath(appRoot).TrimEnd(Path.DirectorySeparatorChar);
        return lines.Select(line =>
        {
            line = line.Replace(root, "<app>", StringComparison.Ordinal);
            line = ComposeVersion().Replace(line, "Compose $1 <version>");
            line = Sha256().Replace(line, "<sha256>");
            line = CommitId().Replace(line, "<commit>");
            line = Timestamp().Replace(line, "<time>");
            return line.TrimEnd();
        });
    }

    /// <summary>
    /// The plan a dry run printed, without the host's frame: from "Dry run of" to the teardown, without task banners,
    /// rules, blank lines and the duration table.
    /// </summary>
    public static IReadOnlyList<string> DryRunPlan(string output, string appRoot)
    {
        ArgumentNullException.ThrowIfNull(output);
        var lines = output.Replace("\r", string.Empty, StringComparison.Ordinal).Split('\n');
        var start = Array.FindIndex(lines, l => l.StartsWith("Dry run of ", StringComparison.Ordinal));
        Assert.That(start, Is.GreaterThanOrEqualTo(0), "no dry-run plan in the output:\n" + output);
        var plan = new List<string>();
        for (var i = start; i < lines.Length; i++)
        {
            var line = lines[i];
            var trimmed = line.Trim();
            if (trimmed == "TearDown")
            {
                break;
            }

            var banner = i + 1 < lines.Length && IsRule(lines[i + 1]) && IsRule(lines[i - 1]);
            if (trimmed.Length == 0 || IsRule(line) || banner)
            {
                continue;
            }

            plan.Add(line);
        }

        return Normalise(plan, appRoot).ToArray();
    }

    // The host draws its task banners with '=' and '-' (HostReportPrinter), and the task table's rules with '─'.
    private static bool IsRule(string line) => line.Trim() is { Length: > 0 } text && text.All(c => c is '=' or '-' or '═' or '─');

    public static void Match(string folder, string name, IEnumerable<string> lines)
    {
        var actual = lines.ToArray();
        var path = Path.Combine(folder, name + ".txt");
        if (Environment.GetEnvironmentVariable("UPDATE_GOLDEN") == "1")
        {
            Directory.CreateDirectory(folder);
            File.WriteAllLines(path, actual);
            return;
        }

        if (!File.Exists(path))
        {
            Assert.Fail($"No golden plan {path}: run the test with UPDATE_GOLDEN=1 to write it, then review and commit it.");
        }

        var expected = File.ReadAllLines(path);
        if (!expected.SequenceEqual(actual, StringComparer.Ordinal))
        {
            Assert.Fail($"The commands differ from the golden plan {name}.txt (- golden, + this run; UPDATE_GOLDEN=1 rewrites it if the change is intended):\n{Diff(expected, actual)}");
        }
    }

    /// <summary>A line diff (longest common subsequence): enough to see which command changed and how.</summary>
    public static string Diff(IReadOnlyList<string> expected, IReadOnlyList<string> actual)
    {
        var common = new int[expected.Count + 1, actual.Count + 1];
        for (var i = expected.Count - 1; i >= 0; i--)
        {
            for (var j = actual.Count - 1; j >= 0; j--)
            {
                common[i, j] = expected[i] == actual[j] ? common[i + 1, j + 1] + 1 : Math.Max(common[i + 1, j], common[i, j + 1]);
            }
        }

        var lines = new List<string>();
        int a = 0, b = 0;
        while (a < expected.Count || b < actual.Count)
        {
            if (a < expected.Count && b < actual.Count && expected[a] == actual[b])
            {
                lines.Add("  " + expected[a]);
                a++;
                b++;
            }
            else if (b < actual.Count && (a == expected.Count || common[a, b + 1] >= common[a + 1, b]))
            {
                lines.Add("+ " + actual[b++]);
            }
            else
            {
                lines.Add("- " + expected[a++]);
            }
        }

        return string.Join('\n', lines);
    }

    [GeneratedRegex(@"Compose (v[12]) [0-9][^\s;,)']*")]
    private static partial Regex ComposeVersion();

    [GeneratedRegex(@"\b[0-9a-f]{64}\b")]
    private static partial Regex Sha256();

    [GeneratedRegex(@"\b[0-9a-f]{40}\b")]
    private static partial Regex CommitId();

    [GeneratedRegex(@"\b\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2}| UTC)?")]
    private static partial Regex Timestamp();
}
