using System.Diagnostics;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Build.Tests.Deploy.Support;
using Build.Tests.Support;

namespace Build.Tests.Deploy;

/// <summary>
/// The real gcloud CLI's argument parser is the contract: every command line of every golden deploy plan runs through
/// it with no network (<c>unshare -n</c>: no packet can leave), an empty configuration folder and prompts disabled. A
/// parse error fails (exit 2, unrecognized arguments, an invalid choice or value); an auth or network error after
/// parsing passes, because by then every flag and value was accepted. gcloud's CLI is loaded once and runs every line
/// in turn (<c>Support/gcloud_parse.py</c>), as its own script would run each: a process per line cost two minutes of
/// CPU. Without gcloud the test is skipped, and fails in CI (<c>CI=true</c>).
/// </summary>
[NonParallelizable]
public sealed partial class GcloudContractTests
{
    private static readonly string[] ParseErrors =
    [
        "unrecognized arguments", "Invalid choice", "invalid choice", "argument --", "expected one argument", "Invalid value for",
        "is not a valid", "must be specified", "At most one of",
    ];

    [Test]
    public void Every_golden_plan_command_parses_with_the_real_gcloud()
    {
        var gcloud = RealGcloud();
        var lines = GoldenCommandLines();
        Assert.That(lines, Has.Count.GreaterThan(20), "the golden plans hold the deploy scenarios' gcloud commands");
        Assert.That(lines, Has.Some.StartWith("gcloud run deploy ").And.Some.StartWith("gcloud run services update-traffic ")
            .And.Some.StartWith("gcloud beta builds submit ").And.Some.StartWith("gcloud run services get-iam-policy "));

        var refused = new List<string>();
        using var parser = new RealGcloudProcess(gcloud);
        foreach (var line in lines)
        {
            var (exitCode, error) = parser.Run(Arguments(line));
            if (IsParseError(exitCode, error))
            {
                refused.Add($"{line}\n    exit {exitCode}: {error.Trim().Split('\n').FirstOrDefault(l => l.Contains("ERROR", StringComparison.Ordinal)) ?? error.Trim()}");
            }
        }

        Assert.That(refused, Is.Empty, $"the real gcloud refused {refused.Count} of {lines.Count} command lines:\n" + string.Join('\n', refused));
    }

    [Test]
    public void A_flag_gcloud_does_not_know_is_caught()
    {
        using var parser = new RealGcloudProcess(RealGcloud());

        var (exitCode, error) = parser.Run(["run", "deploy", "sample-api", "--project=acme-sample-staging", "--region=europe-west1", "--to-latest-please", "--quiet"]);
        var (valueExit, valueError) = parser.Run(["run", "deploy", "sample-api", "--project=acme-sample-staging", "--region=europe-west1", "--image=r/i@sha256:00", "--ingress=everywhere", "--quiet"]);

        Assert.That(IsParseError(exitCode, error), Is.True, $"exit {exitCode}: {error}");
        Assert.That(IsParseError(valueExit, valueError), Is.True, $"exit {valueExit}: {valueError}");
    }

    [Test]
    public void No_golden_plan_moves_traffic_to_whatever_revision_is_latest()
    {
        Assert.That(GoldenCommandLines().Where(l => l.Contains("update-traffic", StringComparison.Ordinal)), Has.Some.Contains("--to-revisions=").And.None.Contains("--to-latest"));
    }

    [Test]
    public void The_shell_lines_of_the_golden_plans_split_back_into_arguments()
    {
        Assert.That(Arguments("gcloud auth list --filter=status:ACTIVE '--format=value(account)'"), Is.EqualTo(new[] { "auth", "list", "--filter=status:ACTIVE", "--format=value(account)" }));
        Assert.That(Arguments("gcloud x '--to-revisions=a-<revision serving now, read at run time>=10' 'it'\\''s'"), Is.EqualTo(new[] { "x", "--to-revisions=a-placeholder=10", "it's" }));
    }

    /// <summary>Every distinct gcloud command line of the golden plans: recorded commands and the steps of printed plans.</summary>
    public static IReadOnlyList<string> GoldenCommandLines() =>
        Directory.EnumerateFiles(Golden.DeployFolder, "*.txt")
            .Order(StringComparer.Ordinal)
            .SelectMany(File.ReadLines)
            .Select(l => PlanLine().Match(l))
            .Where(m => m.Success)
            .Select(m => m.Groups["command"].Value.TrimEnd())
            .Distinct(StringComparer.Ordinal)
            .ToArray();

    private static bool IsParseError(int exitCode, string error) =>
        exitCode == 2 || ParseErrors.Any(e => error.Contains(e, StringComparison.Ordinal));

    /// <summary>The argument list of a golden shell line (single quotes as ToolCommand.Quote writes them), placeholders made plain values.</summary>
    private static string[] Arguments(string line)
    {
        var words = new List<string>();
        var word = new StringBuilder();
        var inWord = false;
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            if (c == '\'')
            {
                var end = line.IndexOf('\'', i + 1);
                word.Append(line, i + 1, end - i - 1);
                i = end;
                inWord = true;
            }
            else if (c == '\\' && i + 1 < line.Length)
            {
                word.Append(line[++i]);
                inWord = true;
            }
            else if (c == ' ')
            {
                if (inWord)
                {
                    words.Add(word.ToString());
                    word.Clear();
                    inWord = false;
                }
            }
            else
            {
                word.Append(c);
                inWord = true;
            }
        }

        if (inWord)
        {
            words.Add(word.ToString());
        }

        Assert.That(words[0], Is.EqualTo("gcloud"), line);
        return words.Skip(1).Select(w => Placeholder().Replace(w, "placeholder")).ToArray();
    }

    /// <summary>
    /// The real gcloud, loaded once in a network namespace of its own (<c>unshare -n</c>) with an empty configuration
    /// folder and prompts disabled, and run for each command line in turn (<c>Support/gcloud_parse.py</c>): the CLI
    /// gcloud's own script builds, with the interpreter it would choose.
    /// </summary>
    private sealed class RealGcloudProcess : IDisposable
    {
        private readonly DirectoryInfo config = Directory.CreateTempSubdirectory("kit-gcloud-contract-");
        private readonly Process process;
        private readonly StringBuilder errors = new();

        public RealGcloudProcess(string gcloud)
        {
            var sdk = Path.GetDirectoryName(Path.GetDirectoryName(File.ResolveLinkTarget(gcloud, returnFinalTarget: true)?.FullName ?? gcloud))!;
            Assert.That(Path.Combine(sdk, "lib", "googlecloudsdk", "gcloud_main.py"), Does.Exist, $"{gcloud} is not a Cloud SDK install's bin/gcloud");
            // As bin/gcloud chooses: CLOUDSDK_PYTHON, else the SDK's bundled Python, else python3.
            var bundled = Path.Combine(sdk, "platform", "bundledpythonunix", "bin", "python3");
            var python = Environment.GetEnvironmentVariable("CLOUDSDK_PYTHON") is { Length: > 0 } chosen ? chosen : File.Exists(bundled) ? bundled : "python3";

            // From the fixture app: builds submit reads its --config file before it asks for credentials.
            var start = new ProcessStartInfo("unshare")
            {
                WorkingDirectory = DeployScenario.FixtureDirectory,
                RedirectStandardInput = true,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            foreach (var argument in new[] { "-n", python, "-S", Path.Combine(RepositoryRoot.Path, "tests", "Build.Tests", "Deploy", "Support", "gcloud_parse.py"), sdk })
            {
                start.ArgumentList.Add(argument);
            }

            start.Environment["CLOUDSDK_CONFIG"] = config.FullName;
            start.Environment["CLOUDSDK_CORE_DISABLE_PROMPTS"] = "1";
            start.Environment["CLOUDSDK_CORE_DISABLE_USAGE_REPORTING"] = "1";
            start.Environment["CLOUDSDK_COMPONENT_MANAGER_DISABLE_UPDATE_CHECK"] = "1";
            foreach (var variable in new[] { "CLOUDSDK_AUTH_ACCESS_TOKEN_FILE", "CLOUDSDK_AUTH_CREDENTIAL_FILE_OVERRIDE", "GOOGLE_APPLICATION_CREDENTIALS", "CLOUDSDK_CORE_PROJECT", "CLOUDSDK_CORE_ACCOUNT" })
            {
                start.Environment.Remove(variable);
            }

            process = Process.Start(start)!;
            // What the interpreter itself prints (an import failure); each command's own output comes with its answer.
            process.ErrorDataReceived += (_, line) =>
            {
                lock (errors)
                {
                    errors.AppendLine(line.Data);
                }
            };
            process.BeginErrorReadLine();
        }

        /// <summary>What gcloud answers to <paramref name="arguments"/>: its exit code and everything it printed.</summary>
        public (int ExitCode, string Output) Run(IReadOnlyList<string> arguments)
        {
            process.StandardInput.WriteLine(JsonSerializer.Serialize(arguments));
            process.StandardInput.Flush();
            var answer = process.StandardOutput.ReadLineAsync();
            if (!answer.Wait(TimeSpan.FromSeconds(90)) || answer.Result is null)
            {
                process.Kill(entireProcessTree: true);
                Assert.Fail($"gcloud {string.Join(' ', arguments)} gave no answer within 90 s (a prompt?) or stopped: {Errors()}");
            }

            using var json = JsonDocument.Parse(answer.Result!);
            return (json.RootElement.GetProperty("exit").GetInt32(), json.RootElement.GetProperty("output").GetString()!);
        }

        private string Errors()
        {
            lock (errors)
            {
                return errors.ToString();
            }
        }

        public void Dispose()
        {
            process.StandardInput.Close();
            if (!process.WaitForExit(TimeSpan.FromSeconds(30)))
            {
                process.Kill(entireProcessTree: true);
            }

            process.Dispose();
            config.Delete(recursive: true);
        }
    }

    /// <summary>The real gcloud (never the stand-in) and unshare, or a skip; in CI their absence fails.</summary>
    private static string RealGcloud()
    {
        var path = (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(Path.PathSeparator)
            .Where(d => d.Length > 0 && !string.Equals(Path.GetFullPath(d).TrimEnd('/'), Path.GetFullPath(DeployScenario.StandInDirectory).TrimEnd('/'), StringComparison.Ordinal))
            .ToArray();
        var gcloud = path.Select(d => Path.Combine(d, "gcloud")).FirstOrDefault(File.Exists);
        var unshare = path.Select(d => Path.Combine(d, "unshare")).FirstOrDefault(File.Exists);
        var missing = gcloud is null ? "the Google Cloud CLI (gcloud)" : unshare is null ? "unshare (util-linux)" : null;
        if (missing is null && !UnshareWorks())
        {
            missing = "a network namespace ('unshare -n true' failed: run as root or allow user namespaces)";
        }

        if (missing is not null)
        {
            if (string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase))
            {
                Assert.Fail($"The gcloud contract test needs {missing}; CI must provide it.");
            }

            Assert.Ignore($"The gcloud contract test needs {missing}.");
        }

        return gcloud!;
    }

    private static bool UnshareWorks()
    {
        var start = new ProcessStartInfo("unshare") { RedirectStandardError = true, RedirectStandardOutput = true };
        start.ArgumentList.Add("-n");
        start.ArgumentList.Add("true");
        using var process = Process.Start(start)!;
        process.WaitForExit();
        return process.ExitCode == 0;
    }

    // "gcloud ..." alone (a recorded command), or after a plan's "read:", "N.", "N. check ...:" or "on a failed gate ...:".
    [GeneratedRegex(@"^\s*(?:read:\s+|\d+\.\s+(?:check [^:]*:\s+)?|on a failed gate[^:]*:\s+)?(?<command>gcloud .*)$")]
    private static partial Regex PlanLine();

    [GeneratedRegex("<[^<>]*>")]
    private static partial Regex Placeholder();
}
