using Build.Tests.Support;

namespace Build.Tests.Deploy.Support;

/// <summary>
/// Golden plans: the exact gcloud command lines of a scenario, checked in under tests/Build.Tests/Deploy/golden/, one
/// command per line. Any difference fails with a diff; UPDATE_GOLDEN=1 rewrites the files (review the git diff).
/// </summary>
public static class Golden
{
    public static string Folder => Path.Combine(RepositoryRoot.Path, "tests", "Build.Tests", "Deploy", "golden");

    public static void Match(string name, IEnumerable<string> lines)
    {
        var actual = lines.ToArray();
        var path = Path.Combine(Folder, name + ".txt");
        if (Environment.GetEnvironmentVariable("UPDATE_GOLDEN") == "1")
        {
            Directory.CreateDirectory(Folder);
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
}
