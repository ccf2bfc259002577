using Build.Tests.Deploy.Support;
using Build.Tests.Support;

namespace Build.Tests.Deploy;

/// <summary>
/// The real tasks through the real host against the recording gcloud stand-in (the only fake): each scenario checks
/// the outcome, the stand-in's resulting state, and the exact commands against a checked-in golden plan.
/// </summary>
[NonParallelizable]
public sealed class DeployScenarioTests
{
    private const string Candidate = "sample-api-1111111111-";

    [Test]
    public void First_deploy_creates_the_service_without_no_traffic_and_checks_its_health()
    {
        using var scenario = new DeployScenario();
        using var service = HealthServer.Healthy();
        scenario.WithUrls(service, null);

        var result = scenario.Run("--target=Deploy", "--env=staging", $"--image={DeployScenario.Image}");

        Assert.That(result.ExitCode, Is.Zero, result.All);
        Assert.That(result.Output, Does.Contain("first deploy of sample-api"));
        Assert.That(scenario.Commands.Where(c => c.StartsWith("gcloud run deploy", StringComparison.Ordinal)), Has.All.Not.Contain("--no-traffic"));
        Assert.That(scenario.Traffic(), Has.Count.EqualTo(1).And.One.StartsWith(Candidate).And.One.EndsWith("(latest)=100"));
        Assert.That(service.Requests, Has.Count.EqualTo(2).And.All.EqualTo("GET /health"));
        Assert.That((string?)scenario.Record()!["status"], Is.EqualTo("serving"));
        Golden.Match("first-deploy", scenario.Commands);
    }

    [Test]
    public void Canary_to_an_existing_service_moves_traffic_in_steps_after_health_gates()
    {
        using var scenario = new DeployScenario();
        using var service = HealthServer.Healthy();
        using var candidate = HealthServer.Healthy();
        scenario.WithService().WithUrls(service, candidate);

        var result = scenario.Run("--target=Deploy", "--env=staging", $"--image={DeployScenario.Image}");

        Assert.That(result.ExitCode, Is.Zero, result.All);
        Assert.That(scenario.Traffic(), Has.Count.EqualTo(1).And.One.StartsWith(Candidate).And.None.Contains("(latest)"), "all traffic to the candidate by name");
        Assert.That(candidate.Requests, Has.Count.EqualTo(2), "one gate on the candidate's tag URL before traffic moves");
        Assert.That(service.Requests, Has.Count.EqualTo(42), "two soaks of twenty requests through the service URL, then its health gate");
        var record = scenario.Record()!;
        Assert.That((string?)record["previousRevision"], Is.EqualTo("sample-api-00001-abc"));
        Assert.That((string?)record["deployedRevision"], Does.StartWith(Candidate));
        Assert.That((string?)record["status"], Is.EqualTo("serving"));
        Golden.Match("existing-service-canary", scenario.Commands);
    }

    [Test]
    public void Blue_green_to_an_existing_service_switches_all_traffic_once_the_candidate_is_healthy()
    {
        using var scenario = new DeployScenario();
        using var service = HealthServer.Healthy();
        using var candidate = HealthServer.Healthy();
        scenario.WithService().WithUrls(service, candidate);

        var result = scenario.Run("--target=Deploy", "--env=staging", "--strategy=blue-green", $"--image={DeployScenario.Image}");

        Assert.That(result.ExitCode, Is.Zero, result.All);
        Assert.That(scenario.Traffic(), Has.One.StartsWith(Candidate));
        Golden.Match("existing-service-blue-green", scenario.Commands);
    }

    [Test]
    public void Direct_deploy_to_an_existing_service()
    {
        using var scenario = new DeployScenario();
        using var service = HealthServer.Healthy();
        scenario.WithService().WithUrls(service, null);

        var result = scenario.Run("--target=Deploy", "--env=staging", "--strategy=direct", $"--image={DeployScenario.Image}");

        Assert.That(result.ExitCode, Is.Zero, result.All);
        Assert.That(scenario.Traffic(), Has.One.StartsWith(Candidate));
        Golden.Match("existing-service-direct", scenario.Commands);
    }

    [Test]
    public void A_failing_candidate_moves_no_traffic()
    {
        using var scenario = new DeployScenario();
        using var service = HealthServer.Healthy();
        using var candidate = HealthServer.Unhealthy();
        scenario.WithService().WithUrls(service, candidate);

        var result = scenario.Run("--target=Deploy", "--env=staging", "--strategy=blue-green", $"--image={DeployScenario.Image}");

        Assert.That(result.ExitCode, Is.Not.Zero);
        Assert.That(result.Error, Does.Contain("failed its health gate (last answer 503").And.Contain("no traffic was moved; sample-api-00001-abc still serves everything"));
        Assert.That(scenario.Commands, Has.None.Contains("--to-revisions"));
        Assert.That(scenario.Traffic(), Is.EqualTo(new[] { "sample-api-00001-abc=100" }));
        Assert.That(service.Requests, Is.Empty, "users' URL was never part of the test: only the candidate's tag URL");
        Assert.That((string?)scenario.Record()!["status"], Is.EqualTo("failed"));
        Golden.Match("failing-candidate", scenario.Commands);
    }

    [Test]
    public void A_canary_that_fails_halfway_returns_all_traffic_to_the_previous_revision()
    {
        using var scenario = new DeployScenario();
        using var service = HealthServer.Healthy();
        using var candidate = HealthServer.Healthy();
        // The service URL answers the 10% soak well, then fails at 50%.
        using var routed = new HealthServer(n => n <= 20 ? 200 : 500);
        scenario.WithService().WithUrls(routed, candidate);

        var result = scenario.Run("--target=Deploy", "--env=staging", "--strategy=canary", $"--image={DeployScenario.Image}");

        Assert.That(result.ExitCode, Is.Not.Zero);
        Assert.That(result.Error, Does.Contain("all traffic was returned to sample-api-00001-abc"));
        Assert.That(result.Error, Does.Contain("at 50% failed its soak gate"));
        Assert.That(scenario.Commands[^1], Does.EndWith("--to-revisions=sample-api-00001-abc=100 --remove-tags=candidate --quiet"));
        Assert.That(scenario.Traffic(), Is.EqualTo(new[] { "sample-api-00001-abc=100" }));
        Assert.That((string?)scenario.Record()!["status"], Is.EqualTo("rolled-back"));
        Golden.Match("canary-abort", scenario.Commands);
    }

    [Test]
    public void Rollback_returns_traffic_to_the_recorded_previous_revision()
    {
        using var scenario = new DeployScenario();
        using var service = HealthServer.Healthy();
        using var candidate = HealthServer.Healthy();
        scenario.WithService().WithUrls(service, candidate);
        Assert.That(scenario.Run("--target=Deploy", "--env=staging", "--strategy=direct", $"--image={DeployScenario.Image}").ExitCode, Is.Zero);
        File.Delete(scenario.LogPath);

        var result = scenario.Run("--target=Rollback", "--env=staging");

        Assert.That(result.ExitCode, Is.Zero, result.All);
        Assert.That(scenario.Traffic(), Is.EqualTo(new[] { "sample-api-00001-abc=100" }));
        Assert.That((string?)scenario.Record()!["previousRevision"], Does.StartWith(Candidate), "a second Rollback undoes the first");
        Golden.Match("rollback", scenario.Commands);
    }

    [Test]
    public void Rollback_to_a_named_revision_and_to_an_unknown_one()
    {
        using var scenario = new DeployScenario();
        scenario.WithService("sample-api-00002-def").WithRevision("sample-api-00002-def");
        scenario.State["services"]!["sample-api"]!["revisions"]![0]!["name"] = "sample-api-00001-abc";

        var unknown = scenario.Run("--target=Rollback", "--env=staging", "--revision=sample-api-00009-zzz");
        var named = scenario.Run("--target=Rollback", "--env=staging", "--revision=sample-api-00001-abc");

        Assert.That(unknown.ExitCode, Is.EqualTo(2));
        Assert.That(unknown.Error, Does.Contain("Revision sample-api-00009-zzz does not exist in sample-api (known: sample-api-00002-def, sample-api-00001-abc)"));
        Assert.That(named.ExitCode, Is.Zero, named.All);
        Assert.That(scenario.Traffic(), Is.EqualTo(new[] { "sample-api-00001-abc=100" }));
    }

    [Test]
    public void Rollback_with_nothing_recorded_asks_for_a_revision()
    {
        using var scenario = new DeployScenario();

        var result = scenario.Run("--target=Rollback", "--env=staging");

        Assert.That(result.ExitCode, Is.EqualTo(2));
        Assert.That(ErrorLine(result), Does.StartWith("No previous revision is recorded for staging").And.Contain("--revision=<name>"));
        Assert.That(scenario.Commands, Is.Empty);
    }

    [Test]
    public void Pinned_traffic_is_explained_and_the_deploy_moves_traffic_by_name()
    {
        using var scenario = new DeployScenario();
        using var service = HealthServer.Healthy();
        // An earlier --no-traffic deploy left traffic pinned to 00001 while 00002 is the latest ready revision.
        scenario.WithService(followsLatest: false).WithRevision("sample-api-00002-new").WithUrls(service, null);

        var result = scenario.Run("--target=Deploy", "--env=staging", "--strategy=direct", $"--image={DeployScenario.Image}");

        Assert.That(result.ExitCode, Is.Zero, result.All);
        Assert.That(result.Output, Does.Contain("sample-api-00001-abc serves by name and the newer revision sample-api-00002-new has no traffic")
            .And.Contain("this deploy moves traffic to its own revision by name"));
        Assert.That(scenario.Traffic(), Has.Count.EqualTo(1).And.One.StartsWith(Candidate));
        Golden.Match("pinned-traffic", scenario.Commands);
    }

    [Test]
    public void Missing_auth_is_one_line_naming_gcloud_auth_login()
    {
        using var scenario = new DeployScenario();
        scenario.State["account"] = string.Empty;

        var result = scenario.Run("--target=Deploy", "--env=staging", $"--image={DeployScenario.Image}");

        Assert.That(result.ExitCode, Is.EqualTo(1));
        Assert.That(ErrorLine(result), Is.EqualTo("No active Google Cloud account: run 'gcloud auth login' (in CI: 'gcloud auth activate-service-account --key-file=<key.json>')."));
        Golden.Match("missing-auth", scenario.Commands);
    }

    [TestCase("PERMISSION_DENIED", "ERROR: (gcloud.run.services.describe) PERMISSION_DENIED: Permission 'run.services.get' denied on resource 'namespaces/acme-sample-staging/services/sample-api' (or resource may not exist).",
        "Permission denied in project acme-sample-staging (missing run.services.get): grant the deploying account roles/run.admin")]
    [TestCase("API disabled", "ERROR: (gcloud.run.services.describe) Cloud Run Admin API has not been used in project 123456789012 before or it is disabled. Enable it by visiting https://console.developers.google.com/apis/api/run.googleapis.com/overview?project=123456789012 then retry.",
        "The run.googleapis.com API is not enabled in project acme-sample-staging: run 'gcloud services enable run.googleapis.com --project=acme-sample-staging'")]
    [TestCase("quota", "ERROR: (gcloud.run.services.describe) RESOURCE_EXHAUSTED: Quota exceeded for quota metric 'Read requests' and limit 'Read requests per minute per region' of service 'run.googleapis.com'.",
        "A quota was exceeded in project acme-sample-staging (Read requests): wait and retry")]
    public void Cloud_errors_are_one_line_naming_the_fix(string kind, string stderr, string expected)
    {
        using var scenario = new DeployScenario();
        scenario.Failing("run services describe", stderr);

        var result = scenario.Run("--target=Deploy", "--env=staging", $"--image={DeployScenario.Image}");

        Assert.That(result.ExitCode, Is.EqualTo(1), kind);
        Assert.That(ErrorLine(result), Does.StartWith(expected).And.Not.Contain("\n"), kind);
    }

    [Test]
    public void Gcloud_not_installed_is_one_line_naming_the_install()
    {
        using var scenario = new DeployScenario();
        var empty = Directory.CreateDirectory(Path.Combine(scenario.Folder, "empty-path")).FullName;

        var result = scenario.Run([$"--target=Deploy", "--env=staging", $"--image={DeployScenario.Image}"], path: empty);

        Assert.That(result.ExitCode, Is.EqualTo(127));
        Assert.That(ErrorLine(result), Is.EqualTo("gcloud is not installed (or not on PATH): install the Google Cloud CLI (https://cloud.google.com/sdk/docs/install), then run 'gcloud auth login'."));
    }

    [Test]
    public void A_tag_without_digest_is_refused_before_any_cloud_access()
    {
        using var scenario = new DeployScenario();

        var result = scenario.Run("--target=Deploy", "--env=staging", "--image=europe-west1-docker.pkg.dev/acme-sample-staging/sample/sample-api:staging");

        Assert.That(result.ExitCode, Is.EqualTo(2));
        Assert.That(ErrorLine(result), Does.StartWith("--image 'europe-west1-docker.pkg.dev/acme-sample-staging/sample/sample-api:staging' has no digest: deploy by digest"));
        Assert.That(scenario.Commands, Is.Empty);
    }

    [Test]
    public void Cloud_build_records_the_pushed_digest_and_deploy_uses_it()
    {
        using var scenario = new DeployScenario();
        using var service = HealthServer.Healthy();
        scenario.WithUrls(service, null);

        var result = scenario.Run("--target=Deploy", "--env=staging", "--strategy=direct");

        Assert.That(result.ExitCode, Is.Zero, result.All);
        var built = "europe-west1-docker.pkg.dev/acme-sample-staging/sample/sample-api@" + DeployScenario.BuildDigest;
        Assert.That((string?)scenario.Record()!["builtImage"], Is.EqualTo(built));
        Assert.That((string?)scenario.Record()!["deployedImage"], Is.EqualTo(built));
        Assert.That(scenario.Commands, Has.One.Contains($"--image={built}"));
        Golden.Match("build-and-deploy", scenario.Commands);
    }

    [TestCase("${_ENVIRONMENT}", "staging", "--substitutions passes _ENVIRONMENT, which config/cloudbuild.yaml never uses")]
    [TestCase("substitutions:\n", "substitutions:\n  _UNUSED: 'x'\n", "config/cloudbuild.yaml:58: default _UNUSED is never used")]
    [TestCase("images:\n", "images:\n  - ${_NOT_PASSED}\n", "config/cloudbuild.yaml:54: $_NOT_PASSED is used but not passed")]
    [TestCase("images:\n", "images:\n  - ${_lower}\n", "config/cloudbuild.yaml:54: $_lower is not _UPPER_CASE")]
    [TestCase("images:\n", "images:\n  - $HOME\n", "config/cloudbuild.yaml:54: $HOME is not a Cloud Build substitution: write $$HOME")]
    public void Substitution_errors_stop_the_build_before_anything_is_uploaded(string find, string replace, string expected)
    {
        using var scenario = new DeployScenario();
        var yaml = Path.Combine(scenario.Root, "config", "cloudbuild.yaml");
        File.WriteAllText(yaml, File.ReadAllText(yaml).Replace(find, replace, StringComparison.Ordinal));

        var result = scenario.Run("--target=CloudBuildDeploy", "--env=staging");

        Assert.That(result.ExitCode, Is.EqualTo(2), result.All);
        Assert.That(result.Error, Does.Contain(expected).And.Contain("Nothing was uploaded."));
        Assert.That(scenario.Commands, Is.Empty, "nothing reached gcloud");
    }

    // Issue 9, item 18: an empty or garbage Cloud Build file, or a malformed key, is one line naming the file, exit 2.
    [TestCase("", "config/cloudbuild.yaml is empty: a Cloud Build config is a mapping with a top-level 'steps:' list")]
    [TestCase("<html><body>404 Not Found</body></html>\n", "config/cloudbuild.yaml:1: holds plain text, not a Cloud Build config")]
    [TestCase("steps:\n  - name: gcr.io/cloud-builders/docker\n    args: ['build', '${_SERVICE}', '${_ENVIRONMENT}', '${_REGION}', '${_REPOSITORY}', '${_DEPLOY}', '${_VERSION}', '${_BUILD_TIME}']\nsubstitutions:\n  _bad-key: 'x'\n",
        "config/cloudbuild.yaml:5: default key '_bad-key' is not a valid substitution")]
    public void A_broken_cloud_build_file_is_one_line_before_anything_is_uploaded(string content, string expected)
    {
        using var scenario = new DeployScenario();
        File.WriteAllText(Path.Combine(scenario.Root, "config", "cloudbuild.yaml"), content);

        var result = scenario.Run("--target=CloudBuildDeploy", "--env=staging");

        Assert.That(result.ExitCode, Is.EqualTo(2), result.All);
        Assert.That(ErrorLine(result), Does.StartWith(expected).And.EndWith("Nothing was uploaded.").And.Not.Contain("\n").And.Not.Contain("never used"));
        Assert.That(scenario.Commands, Is.Empty, "nothing reached gcloud");
    }

    // Issue 9, item 1: without --confirm, Deploy's CloudBuildDeploy dependency used to upload to the production project
    // before Deploy's guard was asked. The guard now runs once, before the first task of any run that changes a
    // protected environment: read-only queries at most, no file written, one line, exit 2.
    [TestCase("Deploy", "CloudBuildDeploy, Deploy")]
    [TestCase("Promote", "Promote")]
    [TestCase("Rollback", "Rollback")]
    public void A_protected_environment_is_refused_before_any_task_of_the_run(string target, string changes)
    {
        using var scenario = new DeployScenario();
        scenario.WithService().WithRevision("sample-api-00002-can");
        scenario.State["configProject"] = "acme-sample-prod";
        scenario.WriteRecord("production", new { environment = "production", previousRevision = "sample-api-00001-abc", deployedRevision = "sample-api-00002-can", status = "canary" });
        var before = scenario.Files();

        var result = scenario.Run($"--target={target}", "--env=production");

        Assert.That(result.ExitCode, Is.EqualTo(2), result.All);
        Assert.That(scenario.Commands.Where(c => !DeployScenario.IsReadOnlyQuery(c)), Is.Empty, "only read-only queries before consent");
        Assert.That(result.Output, Is.Empty, "nothing before the refusal: not even the engine's banners");
        Assert.That(result.Error.TrimEnd().Split('\n'), Has.Length.EqualTo(1), result.Error);
        Assert.That(ErrorLine(result), Is.EqualTo(
            $"production is protected and this run changes it ({changes}): nothing was done. See the plan with --dryrun, then run again with --confirm=production (in CI: CI=true and KIT_DEPLOY_APPROVED=production)."));
        Assert.That(scenario.Files(), Is.EqualTo(before), "no file written before consent");
    }

    [Test]
    public void The_guard_sees_the_plan_the_engine_runs_an_exclusive_target_alone()
    {
        using var scenario = new DeployScenario();

        var result = scenario.Run("--target=Deploy", "--env=production", "--exclusive", $"--image={DeployScenario.Image}");

        Assert.That(result.ExitCode, Is.EqualTo(2), result.All);
        Assert.That(ErrorLine(result), Does.StartWith("production is protected and this run changes it (Deploy): nothing was done."));
        Assert.That(scenario.Commands, Is.Empty);
    }

    [Test]
    public void A_confirmation_that_names_another_environment_is_refused_before_any_task()
    {
        using var scenario = new DeployScenario();
        scenario.State["configProject"] = "acme-sample-prod";

        var result = scenario.Run("--target=Deploy", "--env=production", "--confirm=staging");

        Assert.That(result.ExitCode, Is.EqualTo(2), result.All);
        Assert.That(result.Error.TrimEnd().Split('\n'), Has.Length.EqualTo(1), result.Error);
        Assert.That(ErrorLine(result), Is.EqualTo("--confirm=staging does not name this environment: production is protected, confirm it with --confirm=production."));
        Assert.That(scenario.Commands, Is.Empty);
    }

    [Test]
    public void A_confirmed_production_run_is_approved_first_then_deploys_what_passed_staging()
    {
        using var scenario = new DeployScenario();
        using var service = HealthServer.Healthy();
        using var candidate = HealthServer.Healthy();
        scenario.WithService().WithUrls(service, candidate);
        scenario.State["configProject"] = "acme-sample-prod";
        scenario.WriteRecord("staging", new { environment = "staging", deployedImage = DeployScenario.Image, status = "serving" });

        var result = scenario.Run("--target=Deploy", "--env=production", "--confirm=production");

        Assert.That(result.ExitCode, Is.Zero, result.All);
        var approved = result.Output.IndexOf("production is protected: confirmed with --confirm=production.", StringComparison.Ordinal);
        Assert.That(approved, Is.GreaterThanOrEqualTo(0).And.LessThan(result.Output.IndexOf("Deploy sample-api to production", StringComparison.Ordinal)), result.Output);
        Assert.That(scenario.Commands, Has.None.Contains("builds submit"), "production deploys what passed staging");
        Assert.That(result.Output.Split("is protected").Length - 1, Is.EqualTo(1), "asked once per run, not once per task");
        Assert.That((string?)scenario.Record("production")!["status"], Is.EqualTo("canary"));
        Golden.Match("production-deploy", scenario.Commands);
    }

    [Test]
    public void A_dry_run_on_a_protected_environment_prints_the_plan_and_says_what_a_real_run_needs()
    {
        using var scenario = new DeployScenario();
        scenario.WriteRecord("staging", new { environment = "staging", deployedImage = DeployScenario.Image, status = "serving" });
        var before = scenario.Files();

        var result = scenario.Run("--target=Deploy", "--env=production", "--dryrun");

        Assert.That(result.ExitCode, Is.Zero, result.All);
        Assert.That(result.Output, Does.Contain("production is protected: this dry run changes nothing; a real run needs --confirm=production (in CI: CI=true and KIT_DEPLOY_APPROVED=production).")
            .And.Contain($"gcloud run deploy sample-api --project=acme-sample-prod --region=europe-west1 --image={DeployScenario.Image}")
            .And.Not.Contain("builds submit"));
        Assert.That(scenario.Commands, Is.Empty);
        Assert.That(scenario.Files(), Is.EqualTo(before));
    }

    [Test]
    public void Production_canary_stops_at_its_last_step_and_promote_finishes_it()
    {
        using var scenario = new DeployScenario();
        using var service = HealthServer.Healthy();
        using var candidate = HealthServer.Healthy();
        scenario.WithService().WithUrls(service, candidate);
        scenario.State["configProject"] = "acme-sample-prod";

        var deploy = scenario.Run("--target=Deploy", "--env=production", "--confirm=production", $"--image={DeployScenario.Image}");
        Assert.That(deploy.ExitCode, Is.Zero, deploy.All);
        Assert.That(scenario.Traffic(), Has.Count.EqualTo(2).And.Contains("sample-api-00001-abc=50"));
        Assert.That((string?)scenario.Record("production")!["status"], Is.EqualTo("canary"));

        var promote = scenario.Run(["--target=Promote", "--env=production"], new Dictionary<string, string?> { ["CI"] = "true", ["KIT_DEPLOY_APPROVED"] = "production" });

        Assert.That(promote.ExitCode, Is.Zero, promote.All);
        Assert.That(promote.Output, Does.Contain("approved in CI by KIT_DEPLOY_APPROVED=production"));
        Assert.That(scenario.Traffic(), Has.Count.EqualTo(1).And.One.StartsWith(Candidate).And.None.Contains("(latest)"));
        Assert.That((string?)scenario.Record("production")!["status"], Is.EqualTo("serving"));
        Golden.Match("production-canary-then-promote", scenario.Commands);
    }

    [Test]
    public void A_split_service_is_not_deployed_over()
    {
        using var scenario = new DeployScenario();
        scenario.WithService().WithRevision("sample-api-00002-can");
        scenario.State["services"]!["sample-api"]!["traffic"] = System.Text.Json.Nodes.JsonNode.Parse(
            """[{"revisionName": "sample-api-00001-abc", "percent": 90}, {"revisionName": "sample-api-00002-can", "percent": 10, "tag": "candidate"}]""");

        var result = scenario.Run("--target=Deploy", "--env=staging", $"--image={DeployScenario.Image}");

        Assert.That(result.ExitCode, Is.EqualTo(2));
        Assert.That(result.Error, Does.Contain("a canary is in progress. Finish it with --target=Promote --env=staging or undo it with --target=Rollback --env=staging"));
        Assert.That(scenario.Commands, Has.None.Contains("run deploy"));
    }

    [Test]
    public void Dry_run_prints_the_full_plan_without_any_cloud_access()
    {
        using var scenario = new DeployScenario();

        var result = scenario.Run("--target=Deploy", "--env=staging", "--dryrun");

        Assert.That(result.ExitCode, Is.Zero, result.All);
        Assert.That(scenario.Commands, Is.Empty, "a dry run never calls gcloud, not even to read");
        var plan = result.Output.Split('\n').Select(l => l.TrimEnd('\r')).Where(l => l.StartsWith("   ", StringComparison.Ordinal) && l.Trim().Length > 0 && !l.Trim().StartsWith('(')).ToArray();
        Assert.That(plan, Has.Some.Contains("gcloud beta builds submit").And.Some.Contains("--no-traffic --tag=candidate").And.Some.Contains("health gate"));
        Golden.Match("dryrun-staging", plan);
    }

    [Test]
    public void Deploy_status_shows_traffic_revisions_and_urls()
    {
        using var scenario = new DeployScenario();
        scenario.WithService(followsLatest: false).WithRevision("sample-api-00002-new");

        var result = scenario.Run("--target=DeployStatus", "--env=staging");

        Assert.That(result.ExitCode, Is.Zero, result.All);
        Assert.That(result.Output, Does.Contain("URL: https://sample-api-abc123-ew.a.run.app").And.Contain("100%  sample-api-00001-abc")
            .And.Contain("sample-api-00002-new").And.Contain("traffic goes to sample-api-00001-abc by name; the newer sample-api-00002-new has none"));
        Golden.Match("status", scenario.Commands);
    }

    /// <summary>The failure as the host prints it ("Error: ..."), without Cake's "An error occurred when executing task" line.</summary>
    private static string ErrorLine(Build.Tests.Support.HostRun.Result result) =>
        string.Join('\n', result.Error.Split('\n').SkipWhile(l => !l.StartsWith("Error: ", StringComparison.Ordinal))).Trim() is { Length: > 7 } error
            ? error["Error: ".Length..]
            : result.Error.Trim();
}
