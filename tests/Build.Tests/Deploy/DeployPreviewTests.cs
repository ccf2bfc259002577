using System.Diagnostics;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Build.Deploy;
using Build.Tests.Deploy.Support;
using Build.Tests.Support;

namespace Build.Tests.Deploy;

/// <summary>
/// Issue 12, item 12: previews per branch or pull request (<c>Deploy --preview</c>: a tagged revision without traffic,
/// its URL printed) and PreviewCleanup (the tags of branches that are gone). Through the recording stand-in, which
/// holds Cloud Run's tag rules, with golden plans.
/// </summary>
[NonParallelizable]
public sealed partial class DeployPreviewTests
{
    private static readonly Dictionary<string, string?> PullRequest = new() { ["CI"] = "true", ["GITHUB_REF"] = "refs/pull/123/merge" };

    [Test]
    public void A_pull_request_preview_gets_its_tag_and_url_and_moves_no_traffic()
    {
        using var scenario = new DeployScenario();
        using var service = HealthServer.Healthy();
        using var preview = HealthServer.Healthy();
        scenario.WithService().WithUrls(service, null);
        scenario.State["tagUrls"] = new JsonObject { ["pr-123"] = preview.Url };

        var dryRun = scenario.Run(["--target=Deploy", "--env=staging", "--preview", $"--image={DeployScenario.Image}", "--dryrun"], PullRequest);
        var result = scenario.Run(["--target=Deploy", "--env=staging", "--preview", $"--image={DeployScenario.Image}"], PullRequest);

        Assert.That(dryRun.ExitCode, Is.Zero, dryRun.All);
        Assert.That(result.ExitCode, Is.Zero, result.All);
        var deploy = scenario.Commands.Single(c => c.StartsWith("gcloud run deploy ", StringComparison.Ordinal));
        Assert.That(deploy, Does.Contain("--no-traffic --tag=pr-123").And.Contain("--min-instances=default").And.Contain("kit-preview=pr-123").And.Contain("--revision-suffix=1111111111-"));
        Assert.That(scenario.Commands, Has.None.Contains("update-traffic"), "a preview moves no traffic");
        Assert.That(scenario.Traffic(), Is.EqualTo(new[] { "sample-api-00001-abc=100" }), "what served keeps serving, pinned by name");
        Assert.That(preview.Requests, Is.Not.Empty, "the health gate checked the preview's own URL");
        Assert.That(service.Requests, Is.Empty);
        Assert.That(result.Output, Does.Contain($"Preview pr-123 of sample-api: {preview.Url}"));
        var record = scenario.Record();
        Assert.That(record!["deployedRevision"], Is.Null, "Rollback's and Promote's record is untouched");
        Assert.That((string?)record["history"]![0]!["outcome"], Is.EqualTo("preview pr-123"));
        Golden.Match("preview-pull-request", [.. DeployServicesTests.PlanLines(dryRun.Output), .. scenario.Commands]);
    }

    [Test]
    public void A_previews_build_is_recorded_apart_from_the_environments()
    {
        using var scenario = new DeployScenario();
        using var healthy = HealthServer.Healthy();
        scenario.WithService().WithUrls(healthy, null);
        scenario.State["tagUrls"] = new JsonObject { ["pr-123"] = healthy.Url };
        scenario.WriteRecord("staging", new { environment = "staging", builtImage = DeployScenario.Image });

        var result = scenario.Run(["--target=Deploy", "--env=staging", "--preview"], PullRequest);

        Assert.That(result.ExitCode, Is.Zero, result.All);
        var built = (string?)scenario.Record("staging.preview")!["builtImage"];
        Assert.That(built, Does.EndWith("@" + DeployScenario.BuildDigest));
        Assert.That(scenario.Commands, Has.Some.StartWith("gcloud beta builds submit ").And.Some.Contains($"--image={built} "));
        Assert.That((string?)scenario.Record()!["builtImage"], Is.EqualTo(DeployScenario.Image), "a later --skip-build deploys staging's own build, not the branch's");
    }

    [Test]
    public void A_branch_preview_is_tagged_with_the_branch_made_a_valid_tag()
    {
        using var scenario = new DeployScenario();
        using var healthy = HealthServer.Healthy();
        scenario.WithService().WithUrls(healthy, null);
        scenario.State["tagUrls"] = new JsonObject { ["feature-login-form-2"] = healthy.Url };
        Git(scenario.Root, "checkout", "-q", "-b", "Feature/Login_Form#2");

        var result = scenario.Run("--target=Deploy", "--env=staging", "--preview", $"--image={DeployScenario.Image}");

        Assert.That(result.ExitCode, Is.Zero, result.All);
        Assert.That(scenario.Commands, Has.One.Contains("--tag=feature-login-form-2 "));
        Assert.That(result.Output, Does.Contain($"Preview feature-login-form-2 of sample-api: {healthy.Url}"));
    }

    [Test]
    public void A_long_branch_name_is_cut_to_what_cloud_run_accepts()
    {
        using var scenario = new DeployScenario();
        using var healthy = HealthServer.Healthy();
        scenario.WithService().WithUrls(healthy, null);
        const string Branch = "renovate/microsoft-extensions-dependencyinjection-10.x";
        scenario.State["tagUrls"] = new JsonObject { [PreviewTag.FromBranch(Branch, 46 - "sample-api".Length)] = healthy.Url };
        Git(scenario.Root, "checkout", "-q", "-b", Branch);

        var result = scenario.Run("--target=Deploy", "--env=staging", "--preview", $"--image={DeployScenario.Image}");

        Assert.That(result.ExitCode, Is.Zero, "the stand-in refuses a tag that Cloud Run would: " + result.All);
        var tag = TagFlag().Match(scenario.Commands.Single(c => c.StartsWith("gcloud run deploy ", StringComparison.Ordinal))).Groups[1].Value;
        Assert.That(tag.Length + "sample-api".Length, Is.EqualTo(46));
        Assert.That(tag, Does.StartWith("renovate-microsoft-extensions-"));
    }

    [Test]
    public void Every_service_of_the_app_gets_the_preview_and_no_job_runs()
    {
        using var scenario = new DeployScenario();
        using var healthy = HealthServer.Healthy();
        scenario.EditDeployConfig(c => c["environments"]!["staging"]!["services"] = JsonNode.Parse("""[{ "name": "sample-migrate", "kind": "job" }, { "name": "sample-api" }, { "name": "sample-web", "strategy": "direct" }]"""));
        scenario.WithService().WithService("sample-web-00001-abc", service: "sample-web").WithUrls(healthy, null);
        scenario.State["tagUrls"] = new JsonObject { ["pr-123"] = healthy.Url };

        var result = scenario.Run(["--target=Deploy", "--env=staging", "--preview", $"--image={DeployScenario.Image}"], PullRequest);

        Assert.That(result.ExitCode, Is.Zero, result.All);
        Assert.That(scenario.Commands.Where(c => c.StartsWith("gcloud run deploy ", StringComparison.Ordinal)), Has.Exactly(2).Contains("--no-traffic --tag=pr-123"));
        Assert.That(scenario.Commands, Has.None.Contains("run jobs"));
        Assert.That(result.Output, Does.Contain("jobs are not part of a preview").And.Contain("Preview pr-123 of sample-web:"));
    }

    [Test]
    public void A_preview_of_a_service_that_does_not_exist_is_refused()
    {
        using var scenario = new DeployScenario();

        var result = scenario.Run(["--target=Deploy", "--env=staging", "--preview", $"--image={DeployScenario.Image}"], PullRequest);

        Assert.That(result.ExitCode, Is.EqualTo(2), result.All);
        Assert.That(result.Error, Does.Contain("sample-api does not exist yet in staging: a preview is a revision beside what serves"));
        Assert.That(scenario.Commands, Has.None.StartWith("gcloud run deploy"));
    }

    [Test]
    public void Preview_cleanup_removes_the_tags_of_branches_that_are_gone()
    {
        using var scenario = WithPreviews();

        var dryRun = scenario.Run("--target=PreviewCleanup", "--env=staging", "--branches=main, pr-8", "--dryrun");
        var result = scenario.Run("--target=PreviewCleanup", "--env=staging", "--branches=main, pr-8");

        Assert.That(dryRun.ExitCode, Is.Zero, dryRun.All);
        Assert.That(result.ExitCode, Is.Zero, result.All);
        Assert.That(scenario.Commands.Where(c => c.Contains("update-traffic", StringComparison.Ordinal)),
            Is.EqualTo(new[] { "gcloud run services update-traffic sample-api --project=acme-sample-staging --region=europe-west1 --remove-tags=old-branch,pr-7 --quiet" }));
        Assert.That(Tags(scenario), Is.EqualTo(new[] { "candidate", "main", "manual" }), "only previews' tags, and only those of gone branches");
        Golden.Match("preview-cleanup", [.. DeployServicesTests.PlanLines(dryRun.Output), .. scenario.Commands]);
    }

    [Test]
    public void Preview_cleanup_reads_the_remotes_branches_and_leaves_pull_requests_alone()
    {
        using var scenario = WithPreviews();
        var remote = Path.Combine(scenario.Folder, "origin.git");
        Git(scenario.Folder, "init", "-q", "--bare", remote);
        Git(scenario.Root, "remote", "add", "origin", remote);
        Git(scenario.Root, "push", "-q", "origin", "HEAD:refs/heads/main");

        var result = scenario.Run("--target=PreviewCleanup", "--env=staging");

        Assert.That(result.ExitCode, Is.Zero, result.All);
        Assert.That(Tags(scenario), Is.EqualTo(new[] { "candidate", "main", "manual", "pr-7" }));
        Assert.That(result.Output, Does.Contain("pr-<n> tags are kept: pass --branches with the open pull requests"));
    }

    [Test]
    public void Preview_cleanup_of_production_needs_the_confirmation()
    {
        using var scenario = WithPreviews();

        var result = scenario.Run("--target=PreviewCleanup", "--env=production", "--branches=main");

        Assert.That(result.ExitCode, Is.EqualTo(2), result.All);
        Assert.That(result.Error, Does.Contain("production is protected and this run changes it"));
        Assert.That(scenario.Commands.Where(c => !DeployScenario.IsReadOnlyQuery(c)), Is.Empty);
    }

    [TestCase("main", "main")]
    [TestCase("x", "br-x")]
    [TestCase("123-fix", "br-123-fix")]
    [TestCase("pr-5", "br-pr-5")]
    [TestCase("candidate", "br-candidate")]
    [TestCase("Feature/ÄÖ--Umlaut__", "feature-umlaut")]
    [TestCase("release/2025.01", "release-2025-01")]
    public void Branch_names_become_valid_tags(string branch, string tag)
    {
        Assert.That(PreviewTag.FromBranch(branch, 36), Is.EqualTo(tag));
    }

    [Test]
    public void Every_tag_satisfies_cloud_runs_rules()
    {
        var service = "sample-api-gateway";
        var max = PreviewTag.MaxLength([service, "web"]);
        var branches = new[] { "a", "_", "9", "feature/" + new string('x', 80), "feature/" + new string('x', 79) + "y", "Ü-ber", "dependabot/npm_and_yarn/react-dom-19.0.0" };

        var tags = branches.Select(b => PreviewTag.FromBranch(b == "_" ? "z_" : b, max)).ToArray();

        Assert.That(tags, Has.All.Matches<string>(t => t is not null && CloudRunTag().IsMatch(t) && t.Length >= 3 && t.Length + service.Length <= 46));
        Assert.That(tags[3], Is.Not.EqualTo(tags[4]), "two long branches with the same beginning keep two tags");
        Assert.That(() => PreviewTag.FromBranch("__", max), Throws.TypeOf<DeployException>().With.Message.Contains("no letter or digit"));
    }

    [TestCase("GITHUB_REF", "refs/pull/42/merge", 42)]
    [TestCase("CI_MERGE_REQUEST_IID", "7", 7)]
    [TestCase("BUILDKITE_PULL_REQUEST", "false", null)]
    [TestCase("BUILDKITE_PULL_REQUEST", "19", 19)]
    [TestCase("CIRCLE_PULL_REQUEST", "https://github.com/acme/sample/pull/88", 88)]
    [TestCase("GITHUB_REF", "refs/heads/main", null)]
    public void The_pull_request_comes_from_the_ci_variables(string variable, string value, int? number)
    {
        Assert.That(PreviewTag.PullRequest(new Dictionary<string, string?> { [variable] = value }), Is.EqualTo(number));
    }

    /// <summary>sample-api with previews of main, old-branch and pr-7 (labelled kit-preview), a candidate and a hand-made tag.</summary>
    private static DeployScenario WithPreviews()
    {
        var scenario = new DeployScenario();
        scenario.WithService().WithRevision("sample-api-main").WithRevision("sample-api-old").WithRevision("sample-api-pr7").WithRevision("sample-api-cand").WithRevision("sample-api-hand");
        var revisions = scenario.State["services"]!["sample-api"]!["revisions"]!.AsArray();
        revisions[1]!["labels"] = new JsonObject { ["kit-preview"] = "main" };
        revisions[2]!["labels"] = new JsonObject { ["kit-preview"] = "old-branch" };
        revisions[3]!["labels"] = new JsonObject { ["kit-preview"] = "pr-7" };
        scenario.State["services"]!["sample-api"]!["traffic"] = JsonNode.Parse("""
            [
              { "revisionName": "sample-api-00001-abc", "percent": 100 },
              { "revisionName": "sample-api-main", "percent": 0, "tag": "main" },
              { "revisionName": "sample-api-old", "percent": 0, "tag": "old-branch" },
              { "revisionName": "sample-api-pr7", "percent": 0, "tag": "pr-7" },
              { "revisionName": "sample-api-cand", "percent": 0, "tag": "candidate" },
              { "revisionName": "sample-api-hand", "percent": 0, "tag": "manual" }
            ]
            """);
        scenario.State["configProject"] = "acme-sample-staging";
        return scenario;
    }

    private static string[] Tags(DeployScenario scenario) =>
        scenario.State["services"]!["sample-api"]!["traffic"]!.AsArray().Select(t => (string?)t!["tag"]).OfType<string>().Order(StringComparer.Ordinal).ToArray();

    private static void Git(string directory, params string[] args)
    {
        var start = new ProcessStartInfo("git") { WorkingDirectory = directory, RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        Assert.That(process.ExitCode, Is.Zero, $"git {string.Join(' ', args)}: {error}");
    }

    [GeneratedRegex("--tag=([^ ]+)")]
    private static partial Regex TagFlag();

    [GeneratedRegex("^[a-z][a-z0-9-]*[a-z0-9]$")]
    private static partial Regex CloudRunTag();
}
