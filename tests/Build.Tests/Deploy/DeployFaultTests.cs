using Build.Tests.Deploy.Support;
using Build.Tests.Support;

namespace Build.Tests.Deploy;

/// <summary>
/// Issue 12, faults 1-7: what the kit did against the real Cloud Run's rules, each as a scenario through the recording
/// stand-in that failed before the fix, with its golden plan.
/// </summary>
[NonParallelizable]
public sealed class DeployFaultTests
{
    private const string Candidate = "sample-api-1111111111-";
    private static readonly Dictionary<string, string?> Approved = new() { ["CI"] = "true", ["KIT_DEPLOY_APPROVED"] = "production" };

    // Fault 1: the candidate tag survived a Rollback, and Promote took the rejected canary from it.
    [Test]
    public void Promote_after_a_rollback_refuses_the_rejected_canary()
    {
        using var scenario = new DeployScenario();
        using var service = HealthServer.Healthy();
        using var candidate = HealthServer.Healthy();
        scenario.WithService().WithUrls(service, candidate);
        scenario.State["configProject"] = "acme-sample-prod";
        Assert.That(scenario.Run(["--target=Deploy", "--env=production", $"--image={DeployScenario.Image}"], Approved).ExitCode, Is.Zero);
        Assert.That(scenario.Run(["--target=Rollback", "--env=production"], Approved).ExitCode, Is.Zero);
        var dryRun = scenario.Run(["--target=Promote", "--env=production", "--dryrun"], Approved);

        var promote = scenario.Run(["--target=Promote", "--env=production"], Approved);

        Assert.That(promote.ExitCode, Is.EqualTo(2), promote.All);
        Assert.That(promote.Error, Does.Contain("The last release of production was rolled back").And.Contain("there is nothing to promote"));
        Assert.That(dryRun.ExitCode, Is.EqualTo(2), "the plan refuses it too: " + dryRun.All);
        Assert.That(scenario.Traffic(), Is.EqualTo(new[] { "sample-api-00001-abc=100" }));
        Assert.That(scenario.State["services"]!["sample-api"]!["traffic"]!.AsArray().Where(t => t!["tag"] is not null), Is.Empty, "Rollback removed the candidate tag");
        Assert.That((string?)scenario.Record("production")!["rolledBackRevision"], Does.StartWith(Candidate));
        Golden.Match("rollback-then-promote", scenario.Commands);
    }

    // Fault 2: --to-latest gave all traffic to whichever revision was newest when it ran.
    [Test]
    public void Traffic_goes_by_name_to_the_revision_that_passed_the_gates()
    {
        using var scenario = new DeployScenario();
        using var service = HealthServer.Healthy();
        using var candidate = HealthServer.Healthy();
        scenario.WithService().WithUrls(service, candidate);
        scenario.State["revisionCreatedDuringGates"] = "sample-api-00009-pre";

        var result = scenario.Run("--target=Deploy", "--env=staging", $"--image={DeployScenario.Image}");

        Assert.That(result.ExitCode, Is.Zero, result.All);
        Assert.That(scenario.Traffic(), Has.Count.EqualTo(1).And.One.StartsWith(Candidate).And.None.Contains("(latest)"));
        Assert.That(scenario.Commands, Has.None.Contains("--to-latest"));
        Golden.Match("traffic-by-name", scenario.Commands);
    }

    // Fault 3: a revision of the predicted name existed (its spec changed since): Cloud Run answered 409.
    [Test]
    public void A_revision_name_that_is_taken_gets_a_fresh_suffix()
    {
        using var scenario = new DeployScenario();
        using var service = HealthServer.Healthy();
        using var candidate = HealthServer.Healthy();
        var taken = Build.Deploy.DeployTarget.Resolve("staging", new Build.Configuration.KitConfiguration(new Build.Configuration.ConfigLoader(scenario.Root)), null).CandidateRevision(DeployScenario.Image);
        // An earlier revision of this name, without traffic, whose spec was changed since (a console edit).
        scenario.WithService(followsLatest: false).WithUrls(service, candidate).WithRevision(taken);
        scenario.State["services"]!["sample-api"]!["revisions"]![1]!["spec"] = "edited in the console";

        var result = scenario.Run("--target=Deploy", "--env=staging", "--strategy=blue-green", $"--image={DeployScenario.Image}");

        Assert.That(taken, Does.StartWith(Candidate));
        Assert.That(result.ExitCode, Is.Zero, result.All);
        Assert.That(result.Output, Does.Contain($"revision {taken} exists already").And.Contain($"this deploy creates {taken}-2"));
        Assert.That(scenario.Traffic(), Is.EqualTo(new[] { taken + "-2=100" }));
        Golden.Match("revision-name-taken", scenario.Commands);
    }

    // Fault 4: gcloud only warns when the allUsers grant is refused; the kit waited out the health gate against 403.
    [Test]
    public void A_refused_public_access_grant_is_reported_as_what_it_is()
    {
        using var scenario = new DeployScenario();
        using var service = new HealthServer(_ => 403);
        scenario.WithUrls(service, null);
        scenario.State["publicGrantRefused"] = true;

        var result = scenario.Run("--target=Deploy", "--env=staging", $"--image={DeployScenario.Image}");

        Assert.That(result.ExitCode, Is.Not.Zero);
        Assert.That(result.Error, Does.Contain("the public-access grant failed: sample-api does not give roles/run.invoker to allUsers")
            .And.Contain("constraints/iam.allowedPolicyMemberDomains").And.Not.Contain("fix the image"));
        Assert.That(service.Requests, Is.Empty, "no health gate against a service nobody may call");
        Assert.That((string?)scenario.Record()!["status"], Is.EqualTo("failed"));
        Golden.Match("public-grant-refused", scenario.Commands);
    }

    // Fault 5: every canary step re-polled the candidate's tag URL; real traffic through the service was never judged.
    [Test]
    public void A_canary_that_fails_real_traffic_is_rolled_back_at_its_first_step()
    {
        using var scenario = new DeployScenario();
        using var candidate = HealthServer.Healthy();
        using var service = scenario.RoutedService(candidateStatus: 500);
        scenario.WithService().WithUrls(service, candidate);

        var result = scenario.Run("--target=Deploy", "--env=staging", $"--image={DeployScenario.Image}");

        Assert.That(result.ExitCode, Is.Not.Zero, result.All);
        Assert.That(result.Error, Does.Contain("at 10% failed its soak gate (20 requests").And.Contain("2 failed (10%, at most 5%)").And.Contain("all traffic was returned to sample-api-00001-abc"));
        Assert.That(service.Requests, Has.Count.EqualTo(20), "the soak went through the service URL");
        Assert.That(scenario.Traffic(), Is.EqualTo(new[] { "sample-api-00001-abc=100" }));
        Golden.Match("canary-soak-fails", scenario.Commands);
    }

    // Fault 6: --min-instances kept a billed idle instance on every tagged revision, failed and rolled back ones too.
    [Test]
    public void The_minimum_is_the_services_and_a_failed_candidate_loses_its_tag()
    {
        using var scenario = new DeployScenario();
        using var service = HealthServer.Healthy();
        using var candidate = HealthServer.Unhealthy();
        scenario.WithService().WithUrls(service, candidate);

        var result = scenario.Run("--target=Deploy", "--env=staging", "--strategy=blue-green", $"--image={DeployScenario.Image}");

        Assert.That(result.ExitCode, Is.Not.Zero);
        Assert.That(scenario.Commands.Where(c => c.StartsWith("gcloud run deploy", StringComparison.Ordinal)), Has.All.Contain(" --min=0 ").And.All.Not.Contain("--min-instances"));
        Assert.That(scenario.State["services"]!["sample-api"]!["traffic"]!.AsArray().Where(t => t!["tag"] is not null), Is.Empty);
        Assert.That(result.Error, Does.Contain("stays listed without traffic or tag for inspection"));
        Golden.Match("failing-candidate-untagged", scenario.Commands);
    }

    // Fault 7: production ran a Cloud Build of its own, so it never ran the digest that passed staging.
    [Test]
    public void Production_deploys_the_digest_that_passed_staging_and_builds_nothing()
    {
        using var scenario = new DeployScenario();
        using var service = HealthServer.Healthy();
        using var candidate = HealthServer.Healthy();
        scenario.WithService().WithUrls(service, candidate);
        Assert.That(scenario.Run("--target=Deploy", "--env=staging").ExitCode, Is.Zero);
        var passed = (string?)scenario.Record()!["deployedImage"];
        File.Delete(scenario.LogPath);
        scenario.State["configProject"] = "acme-sample-prod";

        var dryRun = scenario.Run("--target=Deploy", "--env=production", "--confirm=production", "--dryrun");
        var result = scenario.Run("--target=Deploy", "--env=production", "--confirm=production");

        Assert.That(dryRun.ExitCode, Is.Zero, dryRun.All);
        Assert.That(dryRun.Output, Does.Not.Contain("builds submit").And.Contain($"--image={passed}").And.Contain("promotes the digest that passed staging"));
        Assert.That(result.ExitCode, Is.Zero, result.All);
        Assert.That(scenario.Commands, Has.None.Contains("builds submit").And.Some.Contains($"--image={passed}"));
        Assert.That((string?)scenario.Record("production")!["deployedImage"], Is.EqualTo(passed));
        Golden.Match("production-promotes-staging", scenario.Commands);
    }

    [Test]
    public void Production_with_nothing_passed_in_staging_says_so()
    {
        using var scenario = new DeployScenario();

        var result = scenario.Run("--target=Deploy", "--env=production", "--confirm=production", "--dryrun");

        Assert.That(result.ExitCode, Is.EqualTo(2), result.All);
        Assert.That(result.Error, Does.Contain("production deploys the image that passed staging (promoteFrom), and nothing is recorded").And.Contain("deploy to staging first, or pass --image="));
    }

    // Item 10: a refused "gcloud run deploy" left the release record at "deploying".
    [Test]
    public void A_refused_deploy_leaves_the_record_failed()
    {
        using var scenario = new DeployScenario();
        scenario.WithService();
        scenario.Failing("run deploy", "ERROR: (gcloud.run.deploy) INVALID_ARGUMENT: memory must be at least 512Mi when CPU is 2.");

        var result = scenario.Run("--target=Deploy", "--env=staging", $"--image={DeployScenario.Image}");

        Assert.That(result.ExitCode, Is.Not.Zero);
        Assert.That((string?)scenario.Record()!["status"], Is.EqualTo("failed"));
    }

    // Item 10: a service account's (or workload identity's) ID token needs --audiences; a private service's gates use it.
    [Test]
    public void A_private_service_is_gated_with_an_identity_token_for_its_url()
    {
        using var scenario = new DeployScenario();
        using var service = HealthServer.Healthy();
        scenario.WithService().WithUrls(service, null);
        scenario.State["account"] = "deployer@acme-sample-staging.iam.gserviceaccount.com";
        scenario.EditDeployConfig(c => c["environments"]!["staging"]!["allowUnauthenticated"] = false);

        var result = scenario.Run("--target=Deploy", "--env=staging", "--strategy=direct", $"--image={DeployScenario.Image}");

        Assert.That(result.ExitCode, Is.Zero, result.All);
        Assert.That(scenario.Commands, Has.One.EqualTo($"gcloud auth print-identity-token --audiences={service.Url}").And.None.Contains("get-iam-policy"));
        Assert.That(service.Requests, Has.Count.GreaterThan(0).And.All.EqualTo("GET /health auth=Bearer standin-identity-token-0123456789"));
    }

    // Item 10: credentials from CLOUDSDK_AUTH_ACCESS_TOKEN_FILE do not show in "gcloud auth list"; the preflight accepts them.
    [Test]
    public void An_access_token_file_is_accepted_without_a_listed_account()
    {
        using var scenario = new DeployScenario();
        using var service = HealthServer.Healthy();
        scenario.WithService().WithUrls(service, null);
        scenario.State["account"] = string.Empty;
        var token = Path.Combine(scenario.Folder, "token");
        File.WriteAllText(token, "ya29.standin");

        var result = scenario.Run(["--target=Deploy", "--env=staging", "--strategy=direct", $"--image={DeployScenario.Image}"], new Dictionary<string, string?> { ["CLOUDSDK_AUTH_ACCESS_TOKEN_FILE"] = token });

        Assert.That(result.ExitCode, Is.Zero, result.All);
        Assert.That(result.Output, Does.Contain("gcloud account (none listed: credentials from CLOUDSDK_AUTH_ACCESS_TOKEN_FILE)"));
    }

    // Items 13-14: revisions carry their commit as a label; DeployStatus shows it and the release history with each gate.
    [Test]
    public void Deploy_status_shows_each_revisions_commit_and_the_release_history()
    {
        using var scenario = new DeployScenario();
        using var service = HealthServer.Healthy();
        using var candidate = HealthServer.Healthy();
        scenario.WithService().WithUrls(service, candidate);
        Assert.That(scenario.Run("--target=Deploy", "--env=staging", "--strategy=blue-green").ExitCode, Is.Zero);
        File.Delete(scenario.LogPath);

        var result = scenario.Run("--target=DeployStatus", "--env=staging");

        Assert.That(result.ExitCode, Is.Zero, result.All);
        var commit = (string?)scenario.Record()!["builtCommit"];
        Assert.That(commit, Has.Length.EqualTo(40));
        Assert.That(result.Output, Does.Contain($"commit {commit![..12]}").And.Contain("commit ?"), "the kit's revision has its commit, the old one none");
        Assert.That(result.Output, Does.Contain("release history (newest first):")
            .And.Contain("Deploy   by deployer@example.com: sample-api-2222222222-")
            .And.Contain("→ serving; gates: public access: passed; health candidate: passed (2 tries, last 200); health service: passed (2 tries, last 200)"));
        Golden.Match("status-history", scenario.Commands);
    }

    // Fault 3, second half: gcloud cuts the service name so that the revision name fits 63 characters.
    [TestCase("sample-api", "sample-api-1111111111-00fe6")]
    [TestCase("a-very-long-service-name-that-goes-on-and-on-and-on-x", "a-very-long-service-name-that-goes-on-and-on-and-on-1111111111-00fe6")]
    public void Revision_names_are_predicted_as_gcloud_makes_them(string service, string unbounded)
    {
        var name = Build.Deploy.DeployTarget.RevisionName(service, "1111111111-00fe6");

        Assert.That(name, Has.Length.LessThanOrEqualTo(63));
        Assert.That(name, Is.EqualTo(unbounded.Length <= 63 ? unbounded : service[..(63 - 17)] + "-1111111111-00fe6"));
    }
}
