using Build.Docker;
using Build.Host;
using Build.Testing;
using Build.Tools;
using Build.Tools.Docker;
using Build.Tools.Git;
using Cake.Core.Diagnostics;

namespace Build.Tasks.Core;

[TaskName(nameof(Test))]
[TaskDescription("Runs every test suite of config/project.json (.NET projects, image test stages, commands) and prints 'tests: N passed, N failed'")]
public sealed class TestTask : PlannedTask<BuildContext, TestRunPlan>
{
    private const string Test = "Test";

    public override async Task<TestRunPlan> PlanAsync(BuildContext context)
    {
        var project = context.Config.Project;
        var source = project.Tests.Any(t => t.Image is not null) ? await context.Run.Images.ReadSourceAsync().ConfigureAwait(false) : SourceInfo.Unknown;
        var suites = TestPlanner.Plan(
            project, context.Paths.App, context.Paths.TestResults, context.Parameters.Filter, (image, target, output) => ImageTestBuild(context, source, image, target, output));
        return new TestSuiteRunner(context.Runner, context.Log).Plan(suites, project.TestParallelism);
    }

    public override async Task RunAsync(BuildContext context, TestRunPlan plan)
    {
        if (Directory.Exists(context.Paths.TestResults))
        {
            // Results of an earlier run must never be counted again.
            Directory.Delete(context.Paths.TestResults, recursive: true);
        }

        // Side by side, every line a suite prints starts with its name, so interleaved output stays readable.
        Func<string, ICommandRunner>? runnerFor = plan.Parallelism > 1
            ? name => new ProcessCommandRunner(new PrefixedLog(context.Log, $"[{name}] "), context.Secrets)
            : null;
        var result = await new TestSuiteRunner(context.Runner, context.Log, runnerFor).RunAsync(plan).ConfigureAwait(false);
        var suites = plan.Suites;
        // Named again at the end, where a CI log's tail shows them: a suite's own lines may be far above.
        foreach (var test in result.FailedTests)
        {
            context.Log.Information($"failed: {test}");
        }

        context.Log.Information(result.Summary.Line);
        if (result.Failures.Count > 0 || result.Summary.Failed > 0)
        {
            // .NET projects alone: the line CI has always shown; any other suite: "tests".
            var dotnetOnly = suites.Where(s => s.SkipReason is null).All(s => s.DotNet is not null);
            throw new ToolFailedException(
                dotnetOnly ? "dotnet test" : "tests",
                1,
                $"{result.Summary.Failed} test(s) failed; failing {(dotnetOnly ? "projects" : "suites")}: {string.Join(", ", result.Failures)}",
                []);
        }
    }

    // The image's own build (context, Dockerfile, build arguments as BuildImages resolves them) at the test target,
    // its files exported to a folder instead of tagged: a test build never replaces an image the stack runs.
    private static DockerBuildSettings ImageTestBuild(BuildContext context, SourceInfo source, string image, string target, string output)
    {
        var config = context.Config.Docker.Images.TryGetValue(image, out var found)
            ? found
            : throw new Configuration.ConfigurationException(
                "config/project.json", 0, $"tests: image '{image}' is not under images of config/docker.json (known: {string.Join(", ", context.Config.Docker.Images.Keys)}).");
        var plan = ImagePlanner.Plan(
            image, config with { Dockerfile = context.Paths.AppOrKit(config.Dockerfile), Target = target }, context.Paths.App, context.Variable, source,
            new Dictionary<string, string>(), context.Config.Project.Name);
        return new DockerBuildSettings
        {
            Context = plan.ContextDirectory,
            File = plan.Dockerfile,
            Target = plan.Target,
            BuildArguments = plan.BuildArguments,
            OutputDirectory = output,
            WorkingDirectory = context.Paths.App,
        };
    }
}
