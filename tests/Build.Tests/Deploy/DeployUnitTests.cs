using Build.Configuration;
using Build.Deploy;
using Build.Tests.Support;
using Build.Tools;
using Build.Tools.Gcloud;

namespace Build.Tests.Deploy;

/// <summary>The deploy domain without the host: argument lists, Cloud Run JSON, error lines, substitutions.</summary>
public sealed class DeployUnitTests
{
    private static readonly CloudRunLocation Location = new("acme-sample-staging", "europe-west1", "sample-api");

    [Test]
    public void Run_deploy_arguments_are_exact_and_keep_commas_inside_values()
    {
        var arguments = GcloudTool.RunDeployArguments(new RunDeploySettings
        {
            Location = Location,
            Image = "r/i@sha256:" + new string('a', 64),
            RevisionSuffix = "s1",
            NoTraffic = true,
            Tag = "candidate",
            AllowUnauthenticated = false,
            ContainerEnvironment = new Dictionary<string, string> { ["B"] = "x,y", ["A"] = "1" },
            ContainerSecrets = new Dictionary<string, string> { ["DB"] = "db-conn:3" },
        });

        Assert.That(arguments.Values, Is.EqualTo(new[]
        {
            "run", "deploy", "sample-api", "--project=acme-sample-staging", "--region=europe-west1", "--image=r/i@sha256:" + new string('a', 64),
            "--revision-suffix=s1", "--no-traffic", "--tag=candidate", "--no-allow-unauthenticated", "--set-env-vars=^@^A=1@B=x,y", "--set-secrets=DB=db-conn:3", "--quiet",
        }));
    }

    [Test]
    public void Service_settings_and_labels_become_their_gcloud_flags()
    {
        var arguments = GcloudTool.RunDeployArguments(new RunDeploySettings
        {
            Location = Location,
            Image = "r/i@sha256:" + new string('a', 64),
            ServiceMinInstances = 1,
            Concurrency = 80,
            TimeoutSeconds = 300,
            Ingress = "internal",
            CpuBoost = false,
            VpcConnector = "c",
            VpcEgress = "all-traffic",
            CloudSqlInstances = ["p:europe-west1:db"],
            StartupProbe = "httpGet.path=/health,periodSeconds=5",
            MergeEnvironment = true,
            ContainerEnvironment = new Dictionary<string, string> { ["A"] = "1" },
            ContainerSecrets = new Dictionary<string, string> { ["DB"] = "db-conn:3" },
            Labels = new Dictionary<string, string> { ["kit-commit"] = "abc" },
        });

        Assert.That(arguments.Values.Skip(6), Is.EqualTo(new[]
        {
            "--min=1", "--concurrency=80", "--timeout=300", "--ingress=internal", "--no-cpu-boost", "--vpc-connector=c", "--vpc-egress=all-traffic",
            "--set-cloudsql-instances=p:europe-west1:db", "--startup-probe=httpGet.path=/health,periodSeconds=5", "--update-env-vars=A=1",
            "--update-secrets=DB=db-conn:3", "--labels=kit-commit=abc", "--quiet",
        }));
    }

    [Test]
    public void Traffic_query_and_build_arguments_are_exact()
    {
        Assert.That(GcloudTool.UpdateTrafficArguments(new TrafficSettings { Location = Location, Revisions = [new("a", 10), new("b", 90)] }).Values,
            Is.EqualTo(new[] { "run", "services", "update-traffic", "sample-api", "--project=acme-sample-staging", "--region=europe-west1", "--to-revisions=a=10,b=90", "--quiet" }));
        Assert.That(GcloudTool.DescribeServiceArguments(Location).Values,
            Is.EqualTo(new[] { "run", "services", "describe", "sample-api", "--project=acme-sample-staging", "--region=europe-west1", "--format=json" }));
        Assert.That(GcloudTool.ListRevisionsArguments(Location).Values,
            Is.EqualTo(new[] { "run", "revisions", "list", "--project=acme-sample-staging", "--region=europe-west1", "--service=sample-api", "--format=json" }));
        Assert.That(GcloudTool.AuthListArguments().Values, Is.EqualTo(new[] { "auth", "list", "--filter=status:ACTIVE", "--format=value(account)" }));
        Assert.That(GcloudTool.ConfigGetProjectArguments().Values, Is.EqualTo(new[] { "config", "get-value", "project" }));
        Assert.That(() => GcloudTool.UpdateTrafficArguments(new TrafficSettings { Location = Location }), Throws.ArgumentException);
        Assert.That(() => GcloudTool.UpdateTrafficArguments(new TrafficSettings { Location = Location, Revisions = [new("a", 10), new("b", 80)] }), Throws.ArgumentException, "gcloud would rescale it");
    }

    [Test]
    public async Task Gcloud_queries_are_marked_as_queries_and_changes_are_not()
    {
        var runner = new RecordingCommandRunner();
        var gcloud = new GcloudTool(runner);

        await gcloud.ExecuteAsync(GcloudTool.DescribeServiceArguments(Location), query: true);
        await gcloud.ExecuteAsync(GcloudTool.UpdateTrafficArguments(new TrafficSettings { Location = Location, Revisions = [new("a", 100)], RemoveTags = ["candidate"] }), query: false);

        Assert.That(runner.Commands.Select(c => c.IsQuery), Is.EqualTo(new[] { true, false }));
        Assert.That(runner.Lines.Last(), Is.EqualTo("gcloud run services update-traffic sample-api --project=acme-sample-staging --region=europe-west1 --to-revisions=a=100 --remove-tags=candidate --quiet"));
    }

    [Test]
    public void A_described_service_gives_its_traffic_and_pinned_state()
    {
        const string json = """
            {"metadata": {"name": "api"}, "spec": {"traffic": [{"revisionName": "api-1", "percent": 100}]},
             "status": {"url": "https://api-x.a.run.app", "latestReadyRevisionName": "api-2", "latestCreatedRevisionName": "api-2",
                        "traffic": [{"revisionName": "api-1", "percent": 100}, {"revisionName": "api-2", "percent": 0, "tag": "candidate", "url": "https://candidate---api-x.a.run.app"}]}}
            """;

        var service = CloudRunService.Parse(json);

        Assert.That(service.ServingRevision, Is.EqualTo("api-1"));
        Assert.That(service.IsPinned, Is.True);
        Assert.That(service.IsSplit, Is.False);
        Assert.That(service.TagUrl("candidate"), Is.EqualTo("https://candidate---api-x.a.run.app"));
        Assert.That(CloudRunService.Parse(json.Replace("\"revisionName\": \"api-1\", \"percent\": 100}, {", "\"revisionName\": \"api-2\", \"latestRevision\": true, \"percent\": 100}, {", StringComparison.Ordinal)).IsPinned, Is.False);
    }

    [Test]
    public void Build_output_gives_the_pushed_image_by_digest()
    {
        var output = "Step #0: done\nDONE\n{\n \"results\": {\"images\": [{\"name\": \"r/p/s/api:staging\", \"digest\": \"sha256:" + new string('b', 64) + "\"},"
            + " {\"name\": \"r/p/s/api:abc123\", \"digest\": \"sha256:" + new string('b', 64) + "\"}]}\n}\n";

        Assert.That(CloudBuildResult.PushedImage(output, "abc123"), Is.EqualTo("r/p/s/api@sha256:" + new string('b', 64)));
        Assert.That(() => CloudBuildResult.PushedImage("{\"results\": {}}", "abc"), Throws.TypeOf<DeployException>().With.Message.Contains("'images:' list"));
    }

    [TestCase("ERROR: (gcloud.run.deploy) You do not currently have an active account selected.", "No active Google Cloud account: run 'gcloud auth login'")]
    [TestCase("ERROR: (gcloud.builds.submit) Cloud Build API has not been used in project 1 before or it is disabled. Enable it by visiting https://console.developers.google.com/apis/api/cloudbuild.googleapis.com/overview?project=1 then retry.",
        "The cloudbuild.googleapis.com API is not enabled in project p1-abcdef: run 'gcloud services enable cloudbuild.googleapis.com --project=p1-abcdef'")]
    [TestCase("ERROR: (gcloud.run.deploy) PERMISSION_DENIED: Permission 'iam.serviceaccounts.actAs' denied on service account x", "Permission denied in project p1-abcdef (missing iam.serviceaccounts.actAs)")]
    [TestCase("ERROR: (gcloud.run.services.describe) NOT_FOUND: Project 'p1-abcdef' not found or deleted.", "Project p1-abcdef was not found")]
    [TestCase("ERROR: (gcloud.run.deploy) Reauthentication required.", "The gcloud credentials have expired: run 'gcloud auth login'")]
    public void Gcloud_failures_become_one_line_naming_the_fix(string stderr, string expected)
    {
        Assert.That(GcloudErrors.Explain(stderr, "p1-abcdef"), Does.StartWith(expected).And.Not.Contain("\n"));
    }

    [Test]
    public void An_unknown_failure_is_left_to_the_runner()
    {
        Assert.That(GcloudErrors.Explain("ERROR: (gcloud.run.deploy) something new", "p"), Is.Null);
    }

    [Test]
    public void Substitutions_in_comments_and_escaped_dollars_do_not_count()
    {
        const string yaml = "# uses ${_IN_COMMENT}\nsteps:\n  - args: ['echo $$HOME ${_A}', \"# not a comment ${_B}\"]  # ${_C}\nsubstitutions:\n  _B: 'x'\n";

        var result = SubstitutionValidator.Validate(yaml, new Dictionary<string, string> { ["_A"] = "1", ["COMMIT_SHA"] = "c" });

        Assert.That(result.Problems, Is.Empty, string.Join("\n", result.Problems));
        Assert.That(result.Usages.Select(u => u.Name), Is.EqualTo(new[] { "_A", "_B" }));
    }

    [Test]
    public void A_passed_key_that_is_not_upper_case_is_refused()
    {
        var result = SubstitutionValidator.Validate("steps: []\n", new Dictionary<string, string> { ["_region"] = "x", ["REGION"] = "y" });

        Assert.That(result.Problems, Has.Some.Contains("key '_region' is not a valid substitution").And.Some.Contains("key 'REGION' is not a valid substitution"));
    }

    // Issue 9, item 18: an empty or garbage file gave one "never used" line per passed key; now one line says what the file is.
    [TestCase("", "config/cloudbuild.yaml is empty: a Cloud Build config is a mapping with a top-level 'steps:' list")]
    [TestCase("# steps to come\n\n", "config/cloudbuild.yaml is empty: ")]
    [TestCase("hello world\n", "config/cloudbuild.yaml:1: holds plain text, not a Cloud Build config: ")]
    [TestCase("- name: gcr.io/cloud-builders/docker\n", "config/cloudbuild.yaml:1: holds a list, not a Cloud Build config: ")]
    [TestCase("steps:\n  - name: x\n    args: [build\n", "config/cloudbuild.yaml:4:1: not valid YAML (While parsing a flow sequence, did not find expected ',' or ']'): ")]
    [TestCase("images:\n  - ${_REGION}\n", "config/cloudbuild.yaml has no top-level 'steps:' list: ")]
    [TestCase("steps: build\n", "config/cloudbuild.yaml:1: 'steps:' is not a list: ")]
    [TestCase("\u0000\u0001PK\u0003", "config/cloudbuild.yaml is not a text file: ")]
    public void A_file_that_is_not_a_cloud_build_config_is_one_problem_naming_the_file(string text, string expected)
    {
        var result = SubstitutionValidator.Validate(text, KitSubstitutions());

        Assert.That(result.Problems, Has.Count.EqualTo(1), string.Join("\n", result.Problems));
        Assert.That(result.Problems[0], Does.StartWith(expected).And.EndWith("(https://cloud.google.com/build/docs/build-config-file-schema)."));
    }

    [Test]
    public void A_json_config_is_a_cloud_build_config_too()
    {
        const string json = """{"steps": [{"name": "gcr.io/cloud-builders/docker", "args": ["build", "${_A}"]}], "substitutions": {"_B": "x"}, "images": ["${_B}"]}""";

        var result = SubstitutionValidator.Validate(json, new Dictionary<string, string> { ["_A"] = "1" }, "config/cloudbuild.json");

        Assert.That(result.Problems, Is.Empty, string.Join("\n", result.Problems));
    }

    // Issue 9, item 18: "_bad-key" under substitutions: was not recognised as a key at all, so it was accepted.
    [TestCase("steps:\n  - args: ['${_A}']\nsubstitutions:\n  _bad-key: 'x'\n",
        "config/cloudbuild.yaml:4: default key '_bad-key' is not a valid substitution: user keys are _UPPER_CASE (an underscore, then capital letters, digits and underscores), e.g. '_BAD_KEY'.")]
    [TestCase("steps:\n  - args: ['${_A}']\nsubstitutions:\n  '_Bad.Key': 'x'\n",
        "config/cloudbuild.yaml:4: default key '_Bad.Key' is not a valid substitution: user keys are _UPPER_CASE (an underscore, then capital letters, digits and underscores), e.g. '_BAD_KEY'.")]
    [TestCase("steps:\n  - args: ['${_A}', '${_bad-key}']\n",
        "config/cloudbuild.yaml:2: ${_bad-key} is not a valid substitution: keys are an underscore then capital letters, digits and underscores (write $${...} for a shell expansion).")]
    public void A_malformed_substitution_key_is_refused(string yaml, string expected)
    {
        var result = SubstitutionValidator.Validate(yaml, new Dictionary<string, string> { ["_A"] = "1" });

        Assert.That(result.Problems, Is.EqualTo(new[] { expected }));
    }

    [Test]
    public void A_malformed_passed_key_is_refused()
    {
        var result = SubstitutionValidator.Validate("steps:\n  - args: ['${_A}']\n", new Dictionary<string, string> { ["_A"] = "1", ["_bad-key"] = "x" });

        Assert.That(result.Problems, Is.EqualTo(new[] { "--substitutions key '_bad-key' is not a valid substitution: user keys are _UPPER_CASE (an underscore, then capital letters, digits and underscores), e.g. '_BAD_KEY'." }));
    }

    [Test]
    public void Loose_substitutions_allow_unused_and_missing_keys()
    {
        var result = SubstitutionValidator.Validate("steps:\n  - args: ['${_X}']\noptions:\n  substitution_option: 'ALLOW_LOOSE'\n", new Dictionary<string, string> { ["_Y"] = "1" });

        Assert.That(result.Problems, Is.Empty);
    }

    [Test]
    public void The_checked_in_cloudbuild_file_accepts_exactly_what_the_kit_passes()
    {
        var yaml = File.ReadAllText(Path.Combine(RepositoryRoot.Path, "config", "cloudbuild.yaml"));
        var target = new DeployTarget("staging", new DeployEnvironmentConfig { Project = "acme-sample-staging", Region = "europe-west1", Repository = "sample", Service = "sample-api" }, false, DeployStrategyKind.Direct);

        var result = SubstitutionValidator.Validate(yaml, CloudBuildSubmission.Substitutions(target, new string('c', 40), "1.2.3", "2025-01-01T00:00:00+00:00"));

        Assert.That(result.Problems, Is.Empty, string.Join("\n", result.Problems));
        Assert.That(yaml, Does.Contain("--file=docker/dotnet/Dockerfile").And.Contain("--target=final").And.Contain("PROJECT=src/SampleApi/SampleApi.csproj")
            .And.Contain("${_REGION}-docker.pkg.dev/$PROJECT_ID/${_REPOSITORY}/${_SERVICE}:$COMMIT_SHA").And.Contain(":${_ENVIRONMENT}").And.Contain("images:")
            .And.Contain("--build-arg=GIT_COMMIT=$COMMIT_SHA").And.Contain("--build-arg=VERSION=${_VERSION}").And.Contain("--build-arg=BUILD_TIME=${_BUILD_TIME}")
            .And.Not.Contain("--to-latest"));
    }

    [TestCase("SHORT_SHA")]
    [TestCase("BRANCH_NAME")]
    public void A_trigger_only_substitution_is_refused_for_a_build_the_kit_submits(string key)
    {
        var result = SubstitutionValidator.Validate($"steps:\n  - name: x\n    args: ['${key}', '${{_SERVICE}}', '${{_ENVIRONMENT}}', '${{_REGION}}', '${{_REPOSITORY}}', '${{_DEPLOY}}', '${{_VERSION}}', '${{_BUILD_TIME}}']\n", KitSubstitutions());

        Assert.That(result.Problems, Is.EqualTo(new[] { $"config/cloudbuild.yaml:3: ${key} is set by build triggers only: a build the kit submits gets it empty. Use $COMMIT_SHA (the kit passes it), or a _KEY with a default." }));
    }

    [TestCase("r/p/api:staging")]
    [TestCase("r/p/api@sha256:abc")]
    public void An_image_without_a_full_digest_is_refused(string image)
    {
        Assert.That(() => ImageReference.RequireDigest(image, "--image"), Throws.TypeOf<DeployException>().With.Message.Contains("has no digest"));
    }

    [Test]
    public void The_checked_in_deploy_config_is_valid_and_production_is_guarded()
    {
        var config = new KitConfiguration(new ConfigLoader(RepositoryRoot.Path));

        var production = DeployTarget.Resolve("production", config, null);

        Assert.That(production.Protected, Is.True);
        Assert.That(config.Deploy.AllowedProjects, Does.Contain(production.Settings.Project));
        Assert.That(production.Settings.Secrets.Values.Select(s => s.Version), Has.None.EqualTo("latest"), "production pins secret versions");
        Assert.That(() => DeployTarget.Resolve("dev", config, null), Throws.TypeOf<DeployException>().With.Message.Contains("local compose stack"));
        Assert.That(config.Deploy.Environments.Keys, Is.SubsetOf(config.Project.Environments.Keys));
    }

    [Test]
    public void A_project_outside_the_allow_list_is_refused()
    {
        var config = new DeployConfig { AllowedProjects = ["acme-sample-staging"] };
        var target = new DeployTarget("staging", new DeployEnvironmentConfig { Project = "someone-elses-prod", Region = "europe-west1", Repository = "r", Service = "s" }, false, DeployStrategyKind.Direct);

        Assert.That(() => DeployGuard.CheckProject(target, config), Throws.TypeOf<ConfigurationException>().With.Message.Contains("'someone-elses-prod' is not in allowedProjects"));
    }

    [Test]
    public void Golden_diff_shows_the_changed_command()
    {
        var diff = Golden.Diff(["a", "gcloud run deploy --memory=512Mi", "c"], ["a", "gcloud run deploy --memory=1Gi", "c"]);

        Assert.That(diff, Is.EqualTo("  a\n+ gcloud run deploy --memory=1Gi\n- gcloud run deploy --memory=512Mi\n  c"));
    }

    private static IReadOnlyDictionary<string, string> KitSubstitutions() => CloudBuildSubmission.Substitutions(
        new DeployTarget("staging", new DeployEnvironmentConfig { Project = "p", Region = "r", Repository = "repo", Service = "s" }, false, DeployStrategyKind.Direct),
        new string('c', 40),
        "1.2.3",
        "2025-01-01T00:00:00+00:00");
}
