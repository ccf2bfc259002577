using Build.Tools;
using Build.Tools.Docker;
using Build.Tools.DotNet;
using Build.Tools.TestCommand;
using Cake.Core.Diagnostics;

namespace Build.Testing;

/// <summary>The outcome of the suites of one run: the summed counters and each suite that failed to run or report.</summary>
public sealed record TestRunResult(TestSummary Summary, IReadOnlyList<string> Failures);

/// <summary>Test's plan: the suites in order, each with the command that runs it (null: skipped, with its reason).</summary>
public sealed record TestRunPlan(IReadOnlyList<TestSuitePlan> Suites, IReadOnlyList<ToolCommand?> Commands) : Host.ITaskPlan
{
    public IEnumerable<string> Render() => Host.PlanText.Render(
        $"Run {Suites.Count(s => s.SkipReason is null)} test suite(s) and count their reports into 'tests: N passed, N failed':",
        Suites.Select((suite, i) => (IReadOnlyList<string>)(Commands[i] is { } command
            ? [$"{suite.Name}: run: {command.Render()}", $"counts {suite.ResultsFile} ({suite.Format})"]
            : [$"{suite.Name}: {suite.SkipReason}"])),
        []);
}

/// <summary>
/// Runs planned suites through their tool wrappers and reads each report. A suite whose tool fails still counts its
/// report (a failing test fails the tool); one that leaves no report counts as one failed test, so a suite that did not
/// build can never pass silently.
/// </summary>
public sealed class TestSuiteRunner(ICommandRunner runner, ICakeLog log)
{
    /// <summary>The plan of <paramref name="suites"/>: each suite's command, as its wrapper makes it.</summary>
    public TestRunPlan Plan(IReadOnlyList<TestSuitePlan> suites)
    {
        ArgumentNullException.ThrowIfNull(suites);
        return new TestRunPlan(suites, suites.Select(s => s.SkipReason is null ? CommandOf(s) : null).ToArray());
    }

    public async Task<TestRunResult> RunAsync(TestRunPlan plan, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(plan);
        var failures = new List<string>();
        var summary = TestSummary.Empty;
        foreach (var (suite, command) in plan.Suites.Zip(plan.Commands))
        {
            if (command is null)
            {
                log.Information(suite.SkipReason ?? $"{suite.Name}: skipped");
                continue;
            }

            if (suite.Format == TestReportFormat.JUnit && File.Exists(suite.ResultsFile))
            {
                // A report of an earlier run must never be counted again (a command's report lives in the app).
                File.Delete(suite.ResultsFile);
            }

            var toolFailed = false;
            try
            {
                await runner.RunAsync(command, cancellationToken).ConfigureAwait(false);
            }
            catch (ToolFailedException failure)
            {
                toolFailed = true;
                failures.Add($"{suite.Name} (exit code {failure.ToolExitCode})");
            }

            if (File.Exists(suite.ResultsFile))
            {
                var report = suite.Format == TestReportFormat.Trx ? TestSummary.ReadTrx(suite.ResultsFile) : TestSummary.ReadJUnit(suite.ResultsFile);
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
        }

        return new TestRunResult(summary, failures);
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
