using System.Text.RegularExpressions;
using Build.Tests.Support;

namespace Build.Tests;

/// <summary>
/// The app folder apart from the kit (<c>--app</c>, <c>KIT_APP</c>): the kit's program, templates and schemas stay
/// where they are; config/, compose files, .env and the image's source come from the app folder.
/// </summary>
[TestFixture]
public sealed class AppFolderTests
{
    private static readonly Dictionary<string, string> NoEngine = new()
    {
        ["DOCKER_HOST"] = "unix:///nonexistent.sock",
        ["POSTGRES_PASSWORD"] = "fixture-password",
    };

    private FixtureApp app = null!;

    [SetUp]
    public void CreateApp()
    {
        app = FixtureApp.Create();
        // The image's source (its build context); the Dockerfile is the kit's template, the app ships none.
        Directory.CreateDirectory(Path.Combine(app.Root, "samples", "api"));
        File.WriteAllText(Path.Combine(app.Root, "samples", "api", "Program.cs"), "// the app's source\n");
    }

    [TearDown]
    public void RemoveApp() => app.Dispose();

    [Test]
    public void A_dry_run_of_an_app_folder_plans_its_stack_with_the_kits_Dockerfile()
    {
        var result = ProgramRun.Run(RepositoryRoot.Path, NoEngine, "--target=DevStart", "--dryrun", $"--app={app.Root}");

        Assert.That(result.ExitCode, Is.Zero, result.ToString());
        Assert.That(result.Output, Does.Contain("-p fixture-dev -f compose/compose.yaml -f compose/compose.dev.yaml up --detach"));
        Assert.That(result.Output, Does.Contain($"--file {Path.Combine(RepositoryRoot.Path, "docker", "dotnet", "Dockerfile")}"));
        Assert.That(result.Output, Does.Contain("--tag fixture/api-dev:dev"));
        Assert.That(result.Output, Does.Contain(Path.Combine(app.Root, "samples", "api")));
    }

    [Test]
    public void KIT_APP_names_the_app_folder_too()
    {
        var environment = new Dictionary<string, string>(NoEngine) { ["KIT_APP"] = app.Root };

        var result = ProgramRun.Run(RepositoryRoot.Path, environment, "--target=DevStart", "--dryrun");

        Assert.That(result.ExitCode, Is.Zero, result.ToString());
        Assert.That(result.Output, Does.Contain("stack 'fixture-dev'"));
    }

    [Test]
    public void A_dry_run_of_Test_prints_each_suites_command_and_runs_nothing()
    {
        var project = Path.Combine(app.Root, "config", "project.json");
        File.WriteAllText(project, File.ReadAllText(project).Replace(
            "\"testProjects\"",
            "\"tests\": [{ \"name\": \"image-tests\", \"image\": \"api\", \"target\": \"test-results\", \"results\": \"/junit.xml\" }, { \"name\": \"host\", \"command\": [\"pytest\", \"-q\"], \"results\": \"junit.xml\" }], \"testProjects\"",
            StringComparison.Ordinal));

        var result = ProgramRun.Run(RepositoryRoot.Path, NoEngine, "--target=Test", "--dryrun", $"--app={app.Root}");

        Assert.That(result.ExitCode, Is.Zero, result.ToString());
        Assert.That(result.Output, Does.Contain(
            $"run: DOCKER_BUILDKIT=1 docker build --file {Path.Combine(RepositoryRoot.Path, "docker", "dotnet", "Dockerfile")} --target test-results "));
        Assert.That(result.Output, Does.Contain($"--output type=local,dest={Path.Combine(app.Root, ".build", "test-results", "image-tests")} {Path.Combine(app.Root, "samples", "api")}"));
        Assert.That(result.Output, Does.Contain("run: pytest -q"));
        Assert.That(result.Lines, Has.None.StartsWith("tests: "), "a dry run counts nothing");
        Assert.That(Directory.Exists(Path.Combine(app.Root, ".build", "test-results")), Is.False);
    }

    [Test]
    public void Test_names_each_failed_test_with_its_message_just_above_the_counts()
    {
        // One suite, a command that writes a JUnit report with a failed test among passed ones and fails.
        var project = Path.Combine(app.Root, "config", "project.json");
        var json = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(project))!;
        json["testProjects"] = new System.Text.Json.Nodes.JsonArray();
        json["testParallelism"] = 1;
        json["tests"] = System.Text.Json.Nodes.JsonNode.Parse("""
            [{ "name": "unit", "command": ["sh", "-c", "printf '<testsuite tests=\"3\" failures=\"1\"><testcase classname=\"orders\" name=\"a\"/><testcase classname=\"orders\" name=\"rounds\"><failure message=\"expected 2,\ngot 3\">trace</failure></testcase><testcase classname=\"orders\" name=\"b\"/></testsuite>' > r.xml; exit 1"], "results": "r.xml" }]
            """);
        File.WriteAllText(project, json.ToJsonString());

        var result = ProgramRun.Run(RepositoryRoot.Path, NoEngine, "--target=Test", $"--app={app.Root}");

        Assert.That(result.ExitCode, Is.EqualTo(1), result.ToString());
        var counts = result.Lines.ToList().IndexOf("tests: 2 passed, 1 failed");
        Assert.That(counts, Is.GreaterThan(0), result.ToString());
        Assert.That(result.Lines[counts - 1], Is.EqualTo("failed: unit: orders.rounds: expected 2, got 3"), result.ToString());
    }

    [Test]
    public void An_app_folder_that_is_not_one_is_one_line()
    {
        var missing = ProgramRun.Run(RepositoryRoot.Path, "--target=Status", $"--app={Path.Combine(app.Root, "nope")}");
        var notAnApp = ProgramRun.Run(RepositoryRoot.Path, "--target=Status", $"--app={Path.Combine(app.Root, "compose")}");

        Assert.That(missing.ExitCode, Is.EqualTo(2));
        Assert.That(missing.Lines, Is.EqualTo(new[] { $"--app='{Path.Combine(app.Root, "nope")}': no such folder. Name the app folder (the one holding config/project.json), relative to the current folder." }));
        Assert.That(notAnApp.ExitCode, Is.EqualTo(2));
        Assert.That(notAnApp.Lines, Has.Count.EqualTo(1));
        Assert.That(notAnApp.All, Does.Contain("has no config/project.json"));
    }

    [Test]
    public void An_environment_a_file_configures_must_be_one_of_the_projects()
    {
        var docker = Path.Combine(app.Root, "config", "docker.json");
        File.WriteAllText(docker, File.ReadAllText(docker).Replace("\"local-prod\": {", "\"local-prd\": {", StringComparison.Ordinal));

        var result = ProgramRun.Run(RepositoryRoot.Path, NoEngine, "--target=Status", $"--app={app.Root}");

        Assert.That(result.ExitCode, Is.EqualTo(2), result.ToString());
        Assert.That(result.Lines, Has.Count.EqualTo(1));
        Assert.That(result.All, Does.Match(@"config/docker\.json:\d+:\d+: environment 'local-prd' is not one of config/project\.json's \(dev, local-prod, staging, production\)\. Did you mean 'local-prod'\?"));
    }

    [Test]
    public void A_section_the_run_needs_is_checked_before_any_task()
    {
        var result = ProgramRun.Run(RepositoryRoot.Path, NoEngine, "--target=DevUp", "--env=staging", "--dryrun", $"--app={app.Root}");

        Assert.That(result.ExitCode, Is.EqualTo(2), result.ToString());
        Assert.That(result.Lines, Has.Count.EqualTo(1), "nothing ran before the error: no banner, no task header");
        Assert.That(result.All, Does.Match(@"config/docker\.json:\d+:\d+: environment 'staging' has no entry here, and this run needs a compose stack for it"));
    }

    [Test]
    public void An_app_without_a_database_comes_up_with_Migrate_and_Seed_skipped()
    {
        File.Delete(Path.Combine(app.Root, "config", "database.json"));

        var result = ProgramRun.Run(RepositoryRoot.Path, NoEngine, "--target=DevUp", "--dryrun", $"--app={app.Root}");

        Assert.That(result.ExitCode, Is.Zero, result.ToString());
        Assert.That(Regex.Matches(result.Output, Regex.Escape("Skipped: this app has no database (no config/database.json)")), Has.Count.EqualTo(2), result.ToString());
        Assert.That(result.Output, Does.Contain("up --detach"), result.ToString());
        Assert.That(result.Lines, Has.Some.Match(@"^  Migrate +- +Skipped$").And.Some.Match(@"^  Seed +- +Skipped$"), "the table of tasks says they were skipped");
    }

    [Test]
    public void A_database_target_in_an_app_without_a_database_is_one_line()
    {
        File.Delete(Path.Combine(app.Root, "config", "database.json"));

        var result = ProgramRun.Run(RepositoryRoot.Path, NoEngine, "--target=DbReset", $"--app={app.Root}");

        Assert.That(result.ExitCode, Is.EqualTo(2), result.ToString());
        Assert.That(result.Lines, Has.Count.EqualTo(1), result.ToString());
        Assert.That(result.All, Does.Contain("DbReset works on a database, and this app has none:").And.Contain("config/database.json is missing"));
    }

    /// <summary>
    /// A shape the kit cannot start here (Qdrant is in no Debian release) and the Django sample (started by
    /// DjangoSampleTests): app folders whose compose files both Compose versions accept, with no engine and no .env.
    /// </summary>
    [TestCase("samples/shapes/rag")]
    [TestCase("samples/django")]
    public void An_app_folder_is_checked_by_ComposeValidate_with_no_engine(string app)
    {
        var result = ProgramRun.Run(RepositoryRoot.Path, NoEngine, "--target=ComposeValidate", $"--app={Path.Combine(RepositoryRoot.Path, app)}");

        Assert.That(result.ExitCode, Is.Zero, result.All);
        Assert.That(result.Output, Does.Contain("valid with Compose v2"));
        Assert.That(result.Output, Does.Not.Contain("invalid"));
    }

    /// <summary>
    /// Every file watcher of every sample's dev stack, and of the root app's, is handed KIT_WATCH_POLLING, which DevUp
    /// sets when the host's inotify limits are too low; only `node --watch` (no polling mode) is named as one that
    /// cannot poll.
    /// </summary>
    [TestCase(".", "api", "")]
    [TestCase("samples/python", "api", "")]
    [TestCase("samples/go", "api", "")]
    [TestCase("samples/django", "backend, beat, frontend, worker", "")]
    [TestCase("samples/web", "web", "api")]
    public void Each_dev_stack_tells_its_file_watchers_to_poll_when_the_host_is_short_of_inotify_instances(string folder, string polling, string cannot)
    {
        var result = ProgramRun.Run(RepositoryRoot.Path, NoEngine, "--target=DevStart", "--dryrun", $"--app={Path.GetFullPath(Path.Combine(RepositoryRoot.Path, folder))}");

        Assert.That(result.ExitCode, Is.Zero, result.All);
        Assert.That(result.Output, Does.Contain($"{polling} poll for changes (KIT_WATCH_POLLING=1) when the host's inotify limits are too low"));
        if (cannot.Length == 0)
        {
            Assert.That(result.Output, Does.Not.Contain("cannot be told to poll"));
        }
        else
        {
            Assert.That(result.Output, Does.Contain($"; {cannot} cannot be told to poll: the dev overlay gives it no KIT_WATCH_POLLING"));
        }
    }

    [Test]
    public void Djangos_own_migrations_and_fixtures_make_the_reset_plan_of_the_django_sample()
    {
        var result = ProgramRun.Run(RepositoryRoot.Path, NoEngine, "--target=DbReset", "--dryrun", "--seed=base", $"--app={Path.Combine(RepositoryRoot.Path, "samples", "django")}");

        Assert.That(result.ExitCode, Is.Zero, result.All);
        const string Run = "run --rm --no-deps -T backend ";
        Assert.That(result.Output, Does.Contain(Run + "python manage.py migrate --noinput"));
        Assert.That(result.Output, Does.Contain("seed app with profile 'base': run: ").And.Contain(Run + "python manage.py loaddata base"));
    }
}
