using Build.Tools;
using Build.Tools.Docker;
using Build.Tools.DotNet;
using Build.Tools.TestCommand;
using Cake.Core.Diagnostics;

namespace Build.Testing;

/// <summary>
/// The outcome of the suites of one run: the summed counters, each suite that failed to run or report, and each failed
/// test its report names (<c>suite: test: message</c>).
/// </summary>
public sealed record TestRunResult(TestSummary Summary, IReadOnlyList<string> Failures)
{
    public IReadOnlyList<string> FailedTests { get; init; } = [];
}

/// <summary>
/// Test's plan: the suites in order, each with the command that runs it (null: skipped, with its reason); with
/// <see cref="Parallelism"/> above 1, the .NET suites' builds (<see cref="Builds"/>) run first, one after another.
/// </summary>
public sealed record TestRunPlan(IReadOnlyList<TestSuitePlan> Suites, IReadOnlyList<ToolCommand?> Commands) : Host.ITaskPlan
{
    /// <summary>How many suites run at once, started in the order of <see cref="Suites"/>.</summary>
    public int Parallelism { get; init; } = 1;

    /// <summary>Per suite, the build its tests run from (<c>dotnet build</c>; null for the others and when one at a time).</summary>
    public IReadOnlyList<ToolCommand?> Builds { get; init; } = [];

    public IEnumerable<string> Render() => Host.PlanText.Render(
        Parallelism > 1
            ? $"Build the .NET suites one after another, then run {Suites.Count(s => s.SkipReason is null)} test suite(s), {Parallelism} at a time, and count their reports into 'tests: N passed, N failed':"
            : $"Run {Suites.Count(s => s.SkipReason is null)} test suite(s) and count their reports into 'tests: N passed, N failed':",
        Suites.Select((suite, i) => (IReadOnlyList<string>)(Commands[i] is { } command
            ? [.. BuildLine(i), $"{suite.Name}: run: {command.Render()}", $"counts {suite.ResultsFile} ({suite.Format})"]
            : [$"{suite.Name}: {suite.SkipReason}"])),
        []);

    private IEnumerable<string> BuildLine(int suite) => Builds.ElementAtOrDefault(suite) is { } build ? [$"{Suites[suite].Name}: build: {build.Render()}"] : [];
}

/// <summary>
/// Runs planned suites through their tool wrappers and reads each report. A suite whose tool fails still counts its
/// report (a failing test fails the tool); one that leaves no report counts as one failed test, so a suite that did not
/// build can never pass silently. Suites run side by side (<see cref="TestRunPlan.Parallelism"/>) each get their own
/// runner from <paramref name="runnerFor"/> (by suite name: the Test task prefixes every line with it); the counts and
/// failures are summed in the plan's order whatever order the suites finish in.
/// </summary>
public sealed class TestSuiteRunner(ICommandRunner runner, ICakeLog log, Func<string, ICommandRunner>? runnerFor = null)
{
    /// <summary>The plan of <paramref name="suites"/>: each suite's command, as its wrapper makes it.</summary>
    public TestRunPlan Plan(IReadOnlyList<TestSuitePlan> suites, int parallelism = 1)
    {
        ArgumentNullException.ThrowIfNull(suites);
        var commands = suites.Select(s => s.SkipReason is null ? CommandOf(s) : null).ToArray();
        return new TestRunPlan(suites, commands)
        {
            Parallelism = Math.Max(1, parallelism),
            // One build per project: suites that split a project by filter share it.
            Builds = suites.Select((s, i) => s is { SkipReason: null, DotNet: { NoBuild: true } settings } && FirstOfItsProject(suites, i)
                ? new DotNetTool(runner).BuildCommand(settings)
                : null).ToArray(),
        };
    }

    private static bool FirstOfItsProject(IReadOnlyList<TestSuitePlan> suites, int index) =>
        suites.Take(index).All(s => s.SkipReason is not null || s.DotNet?.Project != suites[index].DotNet!.Project);

    public async Task<TestRunResult> RunAsync(TestRunPlan plan, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(plan);
        var outcomes = new SuiteOutcome?[plan.Suites.Count];
        var built = await BuildAsync(plan, outcomes, cancellationToken).ConfigureAwait(false);

        // A fixed number of workers take the suites in the plan's order: the first listed start first.
        var next = -1;
        async Task WorkAsync()
        {
            int index;
            while ((index = Interlocked.Increment(ref next)) < plan.Suites.Count)
            {
                var (suite, command) = (plan.Suites[index], plan.Commands[index]);
                if (command is null)
                {
                    log.Information(suite.SkipReason ?? $"{suite.Name}: skipped");
                }
                else if (built[index])
                {
                    outcomes[index] = await RunSuiteAsync(suite, command, plan.Parallelism > 1, cancellationToken).ConfigureAwait(false);
                }
            }
        }

        await Task.WhenAll(Enumerable.Range(0, plan.Parallelism).Select(_ => Task.Run(WorkAsync, cancellationToken))).ConfigureAwait(false);
        var summary = outcomes.OfType<SuiteOutcome>().Aggregate(TestSummary.Empty, (sum, outcome) => sum + outcome.Summary);
        return new TestRunResult(summary, outcomes.OfType<SuiteOutcome>().SelectMany(o => o.Failures).ToList())
        {
            FailedTests = outcomes.OfType<SuiteOutcome>().SelectMany(o => o.FailedTests).ToList(),
        };
    }

    private sealed record SuiteOutcome(TestSummary Summary, IReadOnlyList<string> Failures)
    {
        public IReadOnlyList<string> FailedTests { get; init; } = [];
    }

    // The builds of suites that run side by side, one after another before any runs: a suite whose project does not
    // build does not run and counts as one failed test.
    private async Task<bool[]> BuildAsync(TestRunPlan plan, SuiteOutcome?[] outcomes, CancellationToken cancellationToken)
    {
        var built = plan.Suites.Select(_ => true).ToArray();
        var failedProjects = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < plan.Suites.Count; i++)
        {
            if (plan.Commands[i] is null || plan.Suites[i].DotNet is not { NoBuild: true } settings)
            {
                continue;
            }

            if (plan.Builds.ElementAtOrDefault(i) is { } build)
            {
                try
                {
                    await runner.RunAsync(build, cancellationToken).ConfigureAwait(false);
                }
                catch (ToolFailedException failure)
                {
                    failedProjects[settings.Project] = failure.ToolExitCode;
                }
            }

            if (failedProjects.TryGetValue(settings.Project, out var exitCode))
            {
                built[i] = false;
                outcomes[i] = new SuiteOutcome(new TestSummary(0, 1, 0), [$"{plan.Suites[i].Name} did not build (exit code {exitCode})"]);
            }
        }

        return built;
    }

    private async Task<SuiteOutcome> RunSuiteAsync(TestSuitePlan suite, ToolCommand command, bool sideBySide, CancellationToken cancellationToken)
    {
        var failures = new List<string>();
        IReadOnlyList<string> failedTests = [];
        var summary = TestSummary.Empty;
        if (suite.Format == TestReportFormat.JUnit && File.Exists(suite.ResultsFile))
        {
            // A report of an earlier run must never be counted again (a command's report lives in the app).
            File.Delete(suite.ResultsFile);
        }

        var clock = System.Diagnostics.Stopwatch.StartNew();
        if (sideBySide)
        {
            log.Information($"{suite.Name}: started");
        }

        var toolFailed = false;
        try
        {
            await (runnerFor?.Invoke(suite.Name) ?? runner).RunAsync(command, cancellationToken).ConfigureAwait(false);
        }
        catch (ToolFailedException failure)
        {
            toolFailed = true;
            failures.Add($"{suite.Name} (exit code {failure.ToolExitCode})");
        }

        if (File.Exists(suite.ResultsFile))
        {
            var (report, failed) = TestSummary.ReadReport(suite.ResultsFile, suite.Format);
            failedTests = failed.Select(test => $"{suite.Name}: {test}").ToList();
            if (report.Failed > 0 && !toolFailed)
            {
                // An image's report stage succeeds whatever the tests did: the report alone names the suite.
                failures.Add($"{suite.Name} ({report.Failed} failed)");
            }
            else if (!toolFailed && ReportedExitCode(suite) is { } exitCode and not 0)
            {
                // The test tool failed without a failed test in its report (pytest's 5: no tests collected; a
                // collection error): the suite fails, and an empty report counts as one failed test.
                failures.Add($"{suite.Name} (its test command exited with {exitCode}; the report shows no failed test)");
                if (report.Passed + report.Failed == 0)
                {
                    report += new TestSummary(0, 1, 0);
                }
            }

            summary += report;
        }
        else
        {
            failures.Add($"{suite.Name} wrote no results (it did not build or crashed)");
            summary += new TestSummary(0, 1, 0);
        }

        if (sideBySide)
        {
            // Side by side, the suites' lines interleave: each one's end and counts on a line of its own.
            log.Information($"{suite.Name}: finished in {clock.Elapsed.TotalMinutes:0.0} min: {summary.Passed} passed, {summary.Failed} failed");
        }

        return new SuiteOutcome(summary, failures) { FailedTests = failedTests };
    }

    /// <summary>
    /// The exit code an image's test stage exports beside its report (<c>exit-code</c>, as docker/python/Dockerfile's
    /// test-results stage writes it); null when there is none.
    /// </summary>
    private static int? ReportedExitCode(TestSuitePlan suite)
    {
        var file = Path.Combine(Path.GetDirectoryName(suite.ResultsFile)!, "exit-code");
        return suite.Image is not null && File.Exists(file) && int.TryParse(File.ReadAllText(file).Trim(), out var code) ? code : null;
    }

    private ToolCommand CommandOf(TestSuitePlan suite) => suite switch
    {
        { DotNet: { } settings } => new DotNetTool(runner).TestCommand(settings),
        { Image: { } settings } => DockerTool.BuildCommand(settings),
        { Command: { } settings } => TestCommandTool.Command(settings),
        _ => throw new InvalidOperationException($"suite '{suite.Name}' has nothing to run."),
    };
}
