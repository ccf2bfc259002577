using Build.Configuration;
using Build.Tools.Docker;
using Build.Tools.DotNet;
using Build.Tools.TestCommand;

namespace Build.Testing;

public enum TestReportFormat
{
    Trx,
    JUnit,
}

/// <summary>
/// One suite of the Test target, fully decided: exactly one of the three ways to run it, and the report it leaves.
/// <see cref="SkipReason"/> set: it does not run, and the reason is printed.
/// </summary>
public sealed record TestSuitePlan
{
    public required string Name { get; init; }

    public required TestReportFormat Format { get; init; }

    /// <summary>Where the report is read after the run.</summary>
    public required string ResultsFile { get; init; }

    public DotNetTestSettings? DotNet { get; init; }

    public DockerBuildSettings? Image { get; init; }

    public TestCommandSettings? Command { get; init; }

    public string? SkipReason { get; init; }
}

/// <summary>
/// Turns config/project.json's <c>testProjects</c> and <c>tests</c> into the suites of one run, in that order
/// (<c>testParallelism</c> above 1: .NET suites test what was built before, <c>--no-build</c>). Pure:
/// how an image becomes build settings is the caller's (<c>imageBuild</c>: name, target, output folder).
/// </summary>
public static class TestPlanner
{
    public static IReadOnlyList<TestSuitePlan> Plan(
        ProjectConfig project, string appRoot, string resultsDirectory, string? filter, Func<string, string, string, DockerBuildSettings> imageBuild)
    {
        ArgumentNullException.ThrowIfNull(project);
        ArgumentNullException.ThrowIfNull(imageBuild);
        var suites = project.TestProjects.Select(p => new TestSuiteConfig { Name = Path.GetFileNameWithoutExtension(p), Project = p })
            .Concat(project.Tests);
        var plans = suites.Select(s => PlanOne(s, appRoot, resultsDirectory, filter, imageBuild));
        // Side by side, two `dotnet test` runs would build a project both reference (build/Build.csproj) at once, into
        // one obj folder: the runner builds each .NET suite first, one after another, and the tests run what it built.
        return project.TestParallelism > 1
            ? plans.Select(p => p.DotNet is { } dotnet ? p with { DotNet = dotnet with { NoBuild = true } } : p).ToList()
            : plans.ToList();
    }

    private static TestSuitePlan PlanOne(
        TestSuiteConfig suite, string appRoot, string resultsDirectory, string? filter, Func<string, string, string, DockerBuildSettings> imageBuild)
    {
        if (suite.Project is { } project)
        {
            var path = Path.Combine(appRoot, project);
            // The suite's name (for testProjects its project's own name): the TRX file and any failure are named
            // after it, so two suites of one project (each with its filter) keep their reports apart.
            var name = suite.Name;
            var trx = Path.Combine(resultsDirectory, name + ".trx");
            return new TestSuitePlan
            {
                Name = name,
                Format = TestReportFormat.Trx,
                ResultsFile = trx,
                DotNet = new DotNetTestSettings
                {
                    Project = path,
                    Loggers = [$"trx;LogFileName={trx}", "console;verbosity=normal"],
                    Filter = (suite.Filter, filter) switch
                    {
                        ({ } own, { } given) => $"({own})&({given})",
                        (var own, var given) => own ?? given,
                    },
                    WorkingDirectory = appRoot,
                },
                SkipReason = File.Exists(path) ? null : $"Not found, skipped: {project}",
            };
        }

        if (suite.Image is { } image)
        {
            // Each image suite exports into a folder of its own, so two suites' reports never overwrite each other.
            var output = Path.Combine(resultsDirectory, suite.Name);
            return new TestSuitePlan
            {
                Name = suite.Name,
                Format = TestReportFormat.JUnit,
                ResultsFile = Path.Combine(output, Required(suite, suite.Results, "results").TrimStart('/')),
                Image = imageBuild(image, Required(suite, suite.Target, "target"), output),
            };
        }

        if (suite.Command.Count > 0)
        {
            return new TestSuitePlan
            {
                Name = suite.Name,
                Format = TestReportFormat.JUnit,
                ResultsFile = Path.GetFullPath(Required(suite, suite.Results, "results"), appRoot),
                Command = new TestCommandSettings
                {
                    Name = $"tests '{suite.Name}'",
                    Command = suite.Command,
                    WorkingDirectory = suite.WorkingDirectory is { } folder ? Path.GetFullPath(folder, appRoot) : appRoot,
                },
            };
        }

        throw new ConfigurationException("config/project.json", 0, $"tests entry '{suite.Name}' has none of project, image or command.");
    }

    private static string Required(TestSuiteConfig suite, string? value, string key) =>
        value ?? throw new ConfigurationException("config/project.json", 0, $"tests entry '{suite.Name}' needs '{key}'.");
}
