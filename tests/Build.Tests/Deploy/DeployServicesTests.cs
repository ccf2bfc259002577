using System.Text.Json.Nodes;
using Build.Tests.Deploy.Support;
using Build.Tests.Support;

namespace Build.Tests.Deploy;

/// <summary>
/// Issue 12, item 11: an app of several Cloud Run services and jobs (config/deploy.json environments/&lt;env&gt;/services),
/// deployed in order, each with its strategy; a migration job runs to its end before the API's traffic moves; --service
/// deploys one; Promote, Rollback and DeployStatus act on each. Through the recording stand-in, with golden plans.
/// </summary>
[NonParallelizable]
public sealed class DeployServicesTests
{
    private const string WebImage = "europe-west1-docker.pkg.dev/acme-sample-staging/sample/sample-web@sha256:3333333333333333333333333333333333333333333333333333333333333333";

    /// <summary>A migration job, the API (the environment's service), a front end with its own image and strategy, a worker job that is only updated.</summary>
    private static DeployScenario App(Action<JsonObject>? staging = null)
    {
        var scenario = new DeployScenario();
        scenario.EditDeployConfig(config =>
        {
            foreach (var environment in new[] { "staging", "production" })
            {
                config["environments"]![environment]!["services"] = JsonNode.Parse("""
                    [
                      { "name": "sample-migrate", "kind": "job", "command": ["dotnet"], "args": ["SampleApi.dll", "--migrate"], "maxRetries": 0, "taskTimeoutSeconds": 600 },
                      { "name": "sample-api" },
                      { "name": "sample-web", "image": "sample-web", "strategy": "blue-green", "port": 80, "memory": "256Mi",
                        "environmentVariables": { "API_URL": "https://api.example.invalid" }, "secrets": {} },
                      { "name": "sample-worker", "kind": "job", "execute": false, "args": ["--worker"], "tasks": 2 }
                    ]
                    """);
            }

            staging?.Invoke(config["environments"]!["staging"]!.AsObject());
        });
        // The build pushes the front end's image too.
        var cloudbuild = Path.Combine(scenario.Root, "config", "cloudbuild.yaml");
        File.WriteAllText(cloudbuild, File.ReadAllText(cloudbuild).Replace(
            "images:\n",
            "images:\n  - ${_REGION}-docker.pkg.dev/$PROJECT_ID/${_REPOSITORY}/sample-web:$COMMIT_SHA\n",
            StringComparison.Ordinal));
        scenario.WithService().WithService("sample-web-00001-abc", service: "sample-web");
        return scenario;
    }

    [Test]
    public void Every_service_and_job_deploys_in_order_and_the_migration_runs_before_the_api_takes_traffic()
    {
        using var scenario = App();
        using var healthy = HealthServer.Healthy();
        scenario.WithUrls(healthy, healthy);

        var result = scenario.Run("--target=Deploy", "--env=staging");

        Assert.That(result.ExitCode, Is.Zero, result.All);
        var commands = scenario.Commands;
        int First(string prefix) => commands.ToList().FindIndex(c => c.StartsWith(prefix, StringComparison.Ordinal));
        Assert.That(First("gcloud run jobs deploy sample-migrate "), Is.GreaterThan(First("gcloud beta builds submit ")));
        Assert.That(First("gcloud run jobs execute sample-migrate "), Is.GreaterThan(First("gcloud run jobs deploy sample-migrate ")));
        Assert.That(First("gcloud run deploy sample-api "), Is.GreaterThan(First("gcloud run jobs execute sample-migrate ")), "the migration finished before the API's revision");
        Assert.That(First("gcloud run deploy sample-web "), Is.GreaterThan(First("gcloud run services update-traffic sample-api ")), "the front end follows the API");
        Assert.That(First("gcloud run jobs deploy sample-worker "), Is.GreaterThan(First("gcloud run deploy sample-web ")));
        Assert.That(commands, Has.None.StartWith("gcloud run jobs execute sample-worker"), "execute: false only updates the worker");
        Assert.That(commands.Count(c => c.StartsWith("gcloud auth list", StringComparison.Ordinal)), Is.EqualTo(2), "one account check for the build, one for the deploy");

        var built = (string?)scenario.Record()!["builtImages"]!["sample-web"];
        Assert.That(built, Does.StartWith("europe-west1-docker.pkg.dev/acme-sample-staging/sample/sample-web@sha256:"));
        Assert.That(commands.Single(c => c.StartsWith("gcloud run deploy sample-web ", StringComparison.Ordinal)),
            Does.Contain($"--image={built} ").And.Contain("--port=80").And.Contain("--memory=256Mi").And.Contain("--set-env-vars=API_URL=https://api.example.invalid")
                .And.Not.Contain("--set-secrets").And.Contain("--no-traffic --tag=candidate"), "the front end's own image, settings and strategy (blue-green)");
        Assert.That(commands.Single(c => c.StartsWith("gcloud run jobs deploy sample-migrate ", StringComparison.Ordinal)),
            Does.Contain("--image=europe-west1-docker.pkg.dev/acme-sample-staging/sample/sample-api@sha256:").And.Contain("--command=dotnet --args=SampleApi.dll,--migrate")
                .And.Contain("--set-secrets=ConnectionStrings__Default=sample-db-connection:latest"), "the job runs the API's image with the environment's secrets");
        Assert.That(scenario.Traffic(), Has.Count.EqualTo(1).And.One.StartsWith("sample-api-2222222222-"));
        Assert.That(scenario.Traffic("sample-web"), Has.Count.EqualTo(1).And.One.StartsWith("sample-web-2222222222-"));
        Assert.That(scenario.State["jobs"]!["sample-migrate"]!["executions"]!.AsArray(), Has.Count.EqualTo(1));
        Assert.That((string?)scenario.Record("staging")!["status"], Is.EqualTo("serving"));
        Assert.That((string?)scenario.Record("staging.sample-web")!["status"], Is.EqualTo("serving"));
        Assert.That((string?)scenario.Record("staging.sample-migrate")!["status"], Is.EqualTo("executed"));
        Assert.That((string?)scenario.Record("staging.sample-worker")!["status"], Is.EqualTo("deployed"));
        Golden.Match("services-deploy", commands);

        // Build once, for every service: production's plan deploys what passed staging, the front end's image included.
        File.Delete(scenario.LogPath);
        var production = scenario.Run("--target=Deploy", "--env=production", "--confirm=production", "--dryrun");
        Assert.That(production.ExitCode, Is.Zero, production.All);
        Assert.That(production.Output, Does.Not.Contain("builds submit").And.Contain($"gcloud run deploy sample-web --project=acme-sample-prod --region=europe-west1 --image={built}"));
        Golden.Match("services-production-dryrun", PlanLines(production.Output));
    }

    [Test]
    public void A_failed_migration_stops_the_deploy_before_any_traffic_moves()
    {
        using var scenario = App();
        using var healthy = HealthServer.Healthy();
        scenario.WithUrls(healthy, healthy);
        scenario.State["jobs"] = JsonNode.Parse("""{ "sample-migrate": { "image": "old", "executions": [], "failExecution": true } }""");
        WriteBuild(scenario);

        var result = scenario.Run("--target=Deploy", "--env=staging", "--skip-build");

        Assert.That(result.ExitCode, Is.Not.Zero, result.All);
        Assert.That(result.Error, Does.Contain("The execution failed"));
        Assert.That(scenario.Commands, Has.Some.StartWith("gcloud run jobs execute sample-migrate").And.None.StartWith("gcloud run deploy "));
        Assert.That(scenario.Traffic(), Is.EqualTo(new[] { "sample-api-00001-abc (latest)=100" }));
        Assert.That((string?)scenario.Record("staging.sample-migrate")!["status"], Is.EqualTo("failed"));
        Assert.That(scenario.Record("staging")!["deployedRevision"], Is.Null, "the API was never touched");
    }

    [Test]
    public void Service_deploys_only_the_one_named()
    {
        using var scenario = App();
        using var healthy = HealthServer.Healthy();
        scenario.WithUrls(healthy, healthy);

        var result = scenario.Run("--target=Deploy", "--env=staging", "--service=sample-web", $"--image={WebImage}");
        var unknown = scenario.Run("--target=Deploy", "--env=staging", "--service=sample-wbe", "--dryrun");

        Assert.That(result.ExitCode, Is.Zero, result.All);
        Assert.That(scenario.Commands.Where(c => !DeployScenario.IsReadOnlyQuery(c)), Has.All.Contains(" sample-web ").Or.Contains("--service=sample-web"));
        Assert.That(scenario.Traffic("sample-web"), Has.Count.EqualTo(1).And.One.StartsWith("sample-web-3333333333-"));
        Assert.That(scenario.Traffic(), Is.EqualTo(new[] { "sample-api-00001-abc (latest)=100" }));
        Assert.That(unknown.ExitCode, Is.EqualTo(2));
        Assert.That(unknown.Error, Does.Contain("--service=sample-wbe is not a service or job of staging: pass one of sample-migrate, sample-api, sample-web, sample-worker").And.Contain("sample-web"));
    }

    [Test]
    public void Promote_finishes_the_waiting_canary_and_rollback_returns_every_service_last_first()
    {
        using var scenario = App(staging => staging["canarySteps"] = new JsonArray(10, 50));
        using var healthy = HealthServer.Healthy();
        scenario.WithUrls(healthy, healthy);
        WriteBuild(scenario);
        Assert.That(scenario.Run("--target=Deploy", "--env=staging", "--skip-build").ExitCode, Is.Zero);
        Assert.That((string?)scenario.Record("staging")!["status"], Is.EqualTo("canary"));
        File.Delete(scenario.LogPath);

        var promote = scenario.Run("--target=Promote", "--env=staging");

        Assert.That(promote.ExitCode, Is.Zero, promote.All);
        Assert.That(scenario.Commands.Where(c => c.Contains("update-traffic", StringComparison.Ordinal)), Has.All.Contains("update-traffic sample-api "), "only the API's canary waited");
        Assert.That(scenario.Traffic(), Has.Count.EqualTo(1).And.One.StartsWith("sample-api-1111111111-"));
        var promoted = scenario.Commands;

        File.Delete(scenario.LogPath);
        var rollback = scenario.Run("--target=Rollback", "--env=staging");
        var revision = scenario.Run("--target=Rollback", "--env=staging", "--revision=sample-api-00001-abc", "--dryrun");

        Assert.That(rollback.ExitCode, Is.Zero, rollback.All);
        var moves = scenario.Commands.Where(c => c.Contains("update-traffic", StringComparison.Ordinal)).ToArray();
        Assert.That(moves, Has.Length.EqualTo(2));
        Assert.That(moves[0], Does.Contain("update-traffic sample-web ").And.Contain("--to-revisions=sample-web-00001-abc=100"), "the last deployed goes back first");
        Assert.That(moves[1], Does.Contain("update-traffic sample-api ").And.Contain("--to-revisions=sample-api-00001-abc=100"));
        Assert.That(scenario.Traffic("sample-web"), Is.EqualTo(new[] { "sample-web-00001-abc=100" }));
        Assert.That(revision.ExitCode, Is.EqualTo(2));
        Assert.That(revision.Error, Does.Contain("--revision=sample-api-00001-abc is one service's revision, and staging has 2 services: add --service=<name>"));
        Golden.Match("services-promote-rollback", [.. promoted, .. scenario.Commands]);
    }

    [Test]
    public void Deploy_status_shows_every_service_and_job()
    {
        using var scenario = App();
        scenario.State["jobs"] = JsonNode.Parse($$"""{ "sample-migrate": { "image": "{{DeployScenario.Image}}", "executions": ["sample-migrate-00001"] } }""");

        var result = scenario.Run("--target=DeployStatus", "--env=staging");

        Assert.That(result.ExitCode, Is.Zero, result.All);
        Assert.That(result.Output, Does.Contain("job sample-migrate in staging").And.Contain("executions: 1; last sample-migrate-00001 (2025-01-01 00:01)")
            .And.Contain("sample-api in staging").And.Contain("sample-web in staging")
            .And.Contain("job sample-worker does not exist in staging"));
        Assert.That(scenario.Commands.Count(c => c.StartsWith("gcloud auth list", StringComparison.Ordinal)), Is.EqualTo(1));
        Golden.Match("services-status", scenario.Commands);
    }

    [Test]
    public void A_services_list_without_the_environments_service_is_refused_with_its_line()
    {
        using var scenario = new DeployScenario();
        scenario.EditDeployConfig(config => config["environments"]!["staging"]!["services"] = JsonNode.Parse("""[{ "name": "sample-web" }]"""));

        var result = scenario.Run("--target=Deploy", "--env=staging", "--dryrun");

        Assert.That(result.ExitCode, Is.EqualTo(2), result.All);
        Assert.That(result.Error, Does.Contain("config/deploy.json").And.Contain("/environments/staging/services: does not list 'sample-api' (the environment's service)"));
    }

    /// <summary>What an earlier CloudBuildDeploy recorded: both images, for --skip-build.</summary>
    private static void WriteBuild(DeployScenario scenario) =>
        scenario.WriteRecord("staging", new { environment = "staging", builtImage = DeployScenario.Image, builtImages = new Dictionary<string, string> { ["sample-api"] = DeployScenario.Image, ["sample-web"] = WebImage } });

    /// <summary>The plan a dry run printed: its indented lines (titles start at column 0 and are kept too).</summary>
    public static IReadOnlyList<string> PlanLines(string output) =>
        output.Split('\n').Select(l => l.TrimEnd('\r'))
            .Where(l => (l.StartsWith("   ", StringComparison.Ordinal) && l.Trim().Length > 0 && !l.Trim().StartsWith('(')) || l.StartsWith("Deploy ", StringComparison.Ordinal) || l.StartsWith("Preview", StringComparison.Ordinal))
            .ToArray();
}
