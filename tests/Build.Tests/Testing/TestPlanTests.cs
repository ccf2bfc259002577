using Build.Configuration;
using Build.Testing;
using Build.Tools;
using Build.Tests.Support;
using Build.Tools.Docker;
using Build.Tools.TestCommand;

namespace Build.Tests.Testing;

/// <summary>
/// The Test target's suites as data (TestPlanner) and run through the tool wrappers (TestSuiteRunner): .NET projects
/// report TRX, image targets and commands JUnit, all summed into one line.
/// </summary>
public sealed class TestPlanTests
{
    private string app = null!;
    private string results = null!;

    [SetUp]
    public void CreateApp()
    {
        app = Directory.CreateTempSubdirectory("kit-tests-app-").FullName;
        results = Path.Combine(app, ".build", "test-results");
        Directory.CreateDirectory(Path.Combine(app, "tests", "Unit"));
        File.WriteAllText(Path.Combine(app, "tests", "Unit", "Unit.csproj"), "<Project />");
    }

    [TearDown]
    public void RemoveApp() => Directory.Delete(app, recursive: true);

    private static ProjectConfig Project(params TestSuiteConfig[] tests) => new()
    {
        Name = "fixture",
        TestProjects = ["tests/Unit/Unit.csproj", "tests/Gone/Gone.csproj"],
        Tests = tests,
    };

    private static DockerBuildSettings ImageBuild(string image, string target, string output) => new()
    {
        Context = "/context/" + image,
        File = "/kit/docker/python/Dockerfile",
        Target = target,
        BuildArguments = new Dictionary<string, string> { ["PYTHON_IMAGE"] = "python:3.12-slim" },
        OutputDirectory = output,
    };

    private IReadOnlyList<TestSuitePlan> Plan(params TestSuiteConfig[] tests) => TestPlanner.Plan(Project(tests), app, results, "Category!=Slow", ImageBuild);

    [Test]
    public void Test_projects_come_first_then_tests_in_order_each_with_its_report()
    {
        var suites = Plan(
            new TestSuiteConfig { Name = "python", Image = "api-dev", Target = "test-results", Results = "/junit.xml" },
            new TestSuiteConfig { Name = "lint", Command = ["pytest", "-q", "--junitxml=out/junit.xml"], Results = "out/junit.xml", WorkingDirectory = "service" });

        Assert.That(suites.Select(s => s.Name), Is.EqualTo(new[] { "Unit", "Gone", "python", "lint" }));
        Assert.That(suites[0].ResultsFile, Is.EqualTo(Path.Combine(results, "Unit.trx")));
        Assert.That(suites[0].DotNet!.Filter, Is.EqualTo("Category!=Slow"));
        Assert.That(suites[1].SkipReason, Is.EqualTo("Not found, skipped: tests/Gone/Gone.csproj"));
        Assert.That(suites[2].Image!.OutputDirectory, Is.EqualTo(Path.Combine(results, "python")));
        Assert.That(suites[2].ResultsFile, Is.EqualTo(Path.Combine(results, "python", "junit.xml")));
        Assert.That(suites[3].Command!.WorkingDirectory, Is.EqualTo(Path.Combine(app, "service")));
        Assert.That(suites[3].ResultsFile, Is.EqualTo(Path.Combine(app, "out", "junit.xml")));
    }

    [Test]
    public void An_image_suite_is_one_buildkit_build_exporting_the_target_stage_to_a_folder()
    {
        var command = DockerTool.BuildArguments(Plan(new TestSuiteConfig { Name = "python", Image = "api-dev", Target = "test-results", Results = "/junit.xml" })[2].Image!);

        Assert.That(string.Join(' ', command.Select(a => a.Value)), Is.EqualTo(
            $"build --file /kit/docker/python/Dockerfile --target test-results --build-arg PYTHON_IMAGE=python:3.12-slim --output type=local,dest={Path.Combine(results, "python")} /context/api-dev"));
    }

    [Test]
    public void A_command_suite_runs_its_executable_with_its_arguments()
    {
        var command = TestCommandTool.Command(Plan(new TestSuiteConfig { Name = "lint", Command = ["pytest", "-q"], Results = "junit.xml" })[2].Command!);

        Assert.That(command.Render(), Is.EqualTo("pytest -q"));
        Assert.That(command.Tool, Is.EqualTo("tests 'lint'"));
        Assert.That(command.WorkingDirectory, Is.EqualTo(app));
    }

    [Test]
    public async Task Reports_of_every_kind_sum_into_one_summary_and_failing_suites_are_named()
    {
        var reports = Path.Combine(RepositoryRoot.Path, "tests", "Build.Tests", "Testing", "Reports");
        var runner = new RecordingCommandRunner()
            .Answer(c => c.Executable == "dotnet" && Copy(Path.Combine(reports, "dotnet-trx.xml"), Path.Combine(results, "Unit.trx")), string.Empty, exitCode: 1)
            .Answer(c => c.Executable == "docker" && Copy(Path.Combine(reports, "pytest-failed.xml"), Path.Combine(results, "python", "junit.xml")), string.Empty)
            .Answer(c => c.Executable == "go", string.Empty, exitCode: 2);
        var suites = Plan(
            new TestSuiteConfig { Name = "python", Image = "api-dev", Target = "test-results", Results = "/junit.xml" },
            new TestSuiteConfig { Name = "go", Command = ["go", "test", "./..."], Results = "report.xml" });

        var testRunner = new TestSuiteRunner(runner, new ListLog());
        var result = await testRunner.RunAsync(testRunner.Plan(suites));

        // TRX 9/2/1, pytest 6/1/1, and the go command that left no report: one failed test.
        Assert.That(result.Summary, Is.EqualTo(new TestSummary(15, 4, 2)));
        Assert.That(result.Failures, Is.EqualTo(new[] { "Unit (exit code 1)", "python (1 failed)", "go (exit code 2)", "go wrote no results (it did not build or crashed)" }));
        Assert.That(result.FailedTests, Is.EqualTo(new[]
        {
            "Unit: Orders_total(\"EUR\"): Expected: 2 But was: 3", "Unit: Orders_store", "python: tests.test_tmp_fail.test_fails: assert 1 == 2",
        }));
        Assert.That(runner.Commands.Select(c => c.Executable), Is.EqualTo(new[] { "dotnet", "docker", "go" }));
        Assert.That(runner.Commands[1].Environment["DOCKER_BUILDKIT"], Is.EqualTo("1"));
    }

    [Test]
    public async Task An_image_suite_whose_test_command_failed_without_a_failed_test_fails()
    {
        // pytest exits 5 when it collects no test: the report is empty, the exported exit code says what happened.
        var runner = new RecordingCommandRunner().Answer(
            c => c.Executable == "docker" && Write(Path.Combine(results, "python", "junit.xml"), """<testsuites><testsuite name="pytest" tests="0" failures="0" errors="0" skipped="0"/></testsuites>""")
                && Write(Path.Combine(results, "python", "exit-code"), "5\n"),
            string.Empty);
        var suites = Plan(new TestSuiteConfig { Name = "python", Image = "api-dev", Target = "test-results", Results = "/junit.xml" });
        var testRunner = new TestSuiteRunner(runner, new ListLog());

        var result = await testRunner.RunAsync(testRunner.Plan(suites));

        // The project's .NET suite (answered with nothing here) wrote no report: one failed test; the empty python one another.
        Assert.That(result.Summary, Is.EqualTo(new TestSummary(0, 2, 0)));
        Assert.That(result.Failures, Does.Contain("python (its test command exited with 5; the report shows no failed test)"));
    }

    [Test]
    public void Side_by_side_the_dotnet_suites_are_built_first_and_tested_without_building()
    {
        var suites = TestPlanner.Plan(Project() with { TestProjects = ["tests/Unit/Unit.csproj"], TestParallelism = 2 }, app, results, null, ImageBuild);
        var plan = new TestSuiteRunner(new RecordingCommandRunner(), new ListLog()).Plan(suites, 2);
        var lines = plan.Render().ToArray();

        Assert.That(plan.Parallelism, Is.EqualTo(2));
        Assert.That(plan.Builds[0]!.Render(), Is.EqualTo($"dotnet build {Path.Combine(app, "tests", "Unit", "Unit.csproj")} --configuration Release --nologo"));
        Assert.That(plan.Commands[0]!.Render(), Does.Contain(" --nologo --no-build --logger"));
        Assert.That(lines[0], Does.Contain("2 at a time"));
        Assert.That(lines, Has.Some.EndsWith("Unit: build: " + plan.Builds[0]!.Render()));

        var oneAtATime = TestPlanner.Plan(Project() with { TestProjects = ["tests/Unit/Unit.csproj"] }, app, results, null, ImageBuild);
        Assert.That(new TestSuiteRunner(new RecordingCommandRunner(), new ListLog()).Plan(oneAtATime).Builds.OfType<ToolCommand>(), Is.Empty);
        Assert.That(oneAtATime[0].DotNet!.NoBuild, Is.False);
    }

    [Test]
    public void One_project_split_by_filters_is_two_suites_with_their_own_reports_and_one_build()
    {
        var suites = TestPlanner.Plan(
            Project(
                new TestSuiteConfig { Name = "unit-fast", Project = "tests/Unit/Unit.csproj", Filter = "Category!=Slow" },
                new TestSuiteConfig { Name = "unit-slow", Project = "tests/Unit/Unit.csproj", Filter = "Category=Slow" }) with { TestParallelism = 2 },
            app, results, "Name~Backup", ImageBuild);
        var plan = new TestSuiteRunner(new RecordingCommandRunner(), new ListLog()).Plan(suites, 2);

        Assert.That(suites.Select(s => s.Name), Is.EqualTo(new[] { "Unit", "Gone", "unit-fast", "unit-slow" }));
        Assert.That(suites[2].ResultsFile, Is.EqualTo(Path.Combine(results, "unit-fast.trx")));
        Assert.That(suites[3].DotNet!.Filter, Is.EqualTo("(Category=Slow)&(Name~Backup)"));
        Assert.That(suites[0].DotNet!.Filter, Is.EqualTo("Name~Backup"));
        // Unit.csproj is built once, for the first suite that runs it.
        Assert.That(plan.Builds.Select(b => b is not null), Is.EqualTo(new[] { true, false, false, false }));
    }

    [Test]
    public async Task Side_by_side_suites_overlap_and_their_counts_sum_in_the_plans_order()
    {
        var reports = Path.Combine(RepositoryRoot.Path, "tests", "Build.Tests", "Testing", "Reports");
        var bothStarted = new CountdownEvent(2);
        var suiteRunners = new Dictionary<string, RecordingCommandRunner>
        {
            // Each suite waits until the other one has started too: run one after another, neither would finish.
            ["python"] = new RecordingCommandRunner().Answer(
                c => Overlap(bothStarted) && Copy(Path.Combine(reports, "pytest-failed.xml"), Path.Combine(results, "python", "junit.xml")), string.Empty),
            ["go"] = new RecordingCommandRunner().Answer(
                c => Overlap(bothStarted) && Copy(Path.Combine(reports, "pytest-passed.xml"), Path.Combine(app, "report.xml")), string.Empty),
        };
        var builds = new RecordingCommandRunner().Answer("build", string.Empty, exitCode: 1);
        var suites = TestPlanner.Plan(
            Project(
                new TestSuiteConfig { Name = "python", Image = "api-dev", Target = "test-results", Results = "/junit.xml" },
                new TestSuiteConfig { Name = "go", Command = ["go", "test", "./..."], Results = "report.xml" }) with { TestParallelism = 2 },
            app, results, null, ImageBuild);
        var testRunner = new TestSuiteRunner(builds, new ListLog(), name => suiteRunners[name]);

        var result = await testRunner.RunAsync(testRunner.Plan(suites, 2));

        // Unit did not build: it never ran, one failed test; python's report 6/1/1 and go's, in the plan's order.
        var go = TestSummary.ReadJUnit(Path.Combine(reports, "pytest-passed.xml"));
        Assert.That(result.Summary, Is.EqualTo(new TestSummary(6 + go.Passed, 2 + go.Failed, 1 + go.Skipped)));
        Assert.That(result.Failures, Is.EqualTo(new[] { "Unit did not build (exit code 1)", "python (1 failed)" }));
        Assert.That(builds.Lines, Is.EqualTo(new[] { $"dotnet build {Path.Combine(app, "tests", "Unit", "Unit.csproj")} --configuration Release --nologo" }));
        Assert.That(suiteRunners.Values.Select(r => r.Commands.Count), Is.EqualTo(new[] { 1, 1 }));
    }

    private static bool Overlap(CountdownEvent started)
    {
        started.Signal();
        Assert.That(started.Wait(TimeSpan.FromSeconds(20)), Is.True, "the other suite never started while this one ran");
        return true;
    }

    private static bool Write(string path, string text)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
        return true;
    }

    [Test]
    public void The_plan_prints_each_suite_with_the_command_that_runs_it_and_runs_nothing()
    {
        var runner = new RecordingCommandRunner();
        var suites = Plan(new TestSuiteConfig { Name = "python", Image = "api-dev", Target = "test-results", Results = "/junit.xml" });

        var plan = new TestSuiteRunner(runner, new ListLog()).Plan(suites);
        var lines = plan.Render().ToArray();

        Assert.That(runner.Commands, Is.Empty);
        Assert.That(plan.Commands.Count(c => c is not null), Is.EqualTo(2));
        Assert.That(lines, Has.Some.Contains("python: run: DOCKER_BUILDKIT=1 docker build").And.Some.Contains("--target test-results"));
        Assert.That(plan.Commands.OfType<ToolCommand>().All(c => lines.Any(l => l.EndsWith("run: " + c.Render(), StringComparison.Ordinal))), Is.True);
    }

    [Test]
    public void An_entry_of_each_kind_passes_the_schema_and_a_mixed_one_is_refused()
    {
        using var fixture = FixtureApp.Create();
        var path = Path.Combine(fixture.Root, "config", "project.json");
        var original = File.ReadAllText(path);
        const string Valid = """
            "tests": [
              { "name": "unit", "project": "tests/Unit/Unit.csproj", "filter": "Category!=Slow" },
              { "name": "python", "image": "api", "target": "test-results", "results": "/junit.xml" },
              { "name": "go", "command": ["go", "test", "./..."], "results": "report.xml", "workingDirectory": "service" }
            ],
            "testProjects"
            """;
        File.WriteAllText(path, original.Replace("\"testProjects\"", "\"testParallelism\": 2, " + Valid, StringComparison.Ordinal));
        var loaded = new ConfigLoader(fixture.Root).Load<ProjectConfig>("project");
        Assert.That(loaded.Tests, Has.Count.EqualTo(3));
        Assert.That(loaded.TestParallelism, Is.EqualTo(2));
        Assert.That(loaded.Tests[0].Filter, Is.EqualTo("Category!=Slow"));

        // A filter selects tests of a .NET project: a command has none.
        File.WriteAllText(path, original.Replace("\"testProjects\"", "\"tests\": [{ \"name\": \"go\", \"command\": [\"go\"], \"results\": \"r.xml\", \"filter\": \"x\" }], \"testProjects\"", StringComparison.Ordinal));
        Assert.That(() => new ConfigLoader(fixture.Root).Load<ProjectConfig>("project"), Throws.TypeOf<ConfigurationException>());

        File.WriteAllText(path, original.Replace("\"testProjects\"", "\"testParallelism\": 0, \"testProjects\"", StringComparison.Ordinal));
        Assert.That(() => new ConfigLoader(fixture.Root).Load<ProjectConfig>("project"), Throws.TypeOf<ConfigurationException>().With.Message.Contains("testParallelism"));

        const string Mixed = """
            "tests": [{ "name": "mixed", "project": "a.csproj", "command": ["go"], "results": "r.xml" }],
            "testProjects"
            """;
        File.WriteAllText(path, original.Replace("\"testProjects\"", Mixed, StringComparison.Ordinal));
        var error = Assert.Throws<ConfigurationException>(() => new ConfigLoader(fixture.Root).Load<ProjectConfig>("project"));
        Assert.That(error!.Message, Does.StartWith("config/project.json:"));
    }

    private static bool Copy(string from, string to)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(to)!);
        File.Copy(from, to, overwrite: true);
        return true;
    }
}
