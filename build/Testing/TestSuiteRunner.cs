using Build.Tools;
using Build.Tools.Docker;
using Build.Tools.DotNet;
using Build.Tools.TestCommand;
using Cake.Core.Diagnostics;

namespace Build.Testing;

/// <summary>The outcome of the suites of one run: the summed counters and each suite that failed to run or report.</summary>
public sealed record TestRunResult(TestSummary Summary, IReadOnlyList<string> Failures);

/// <summary>
/// Runs planned suites through their tool wrappers and reads each report. A suite whose tool fails still counts its
/// report (a failing test fails the tool); one that leaves no report counts as one failed test, so a suite that did not
/// build can never pass silently. In a dry run the runner prints each command and nothing is read.
/// </summary>
public sealed class TestSuiteRunner(ICommandRunner runner, ICakeLog log, bool dryRun)
{
    public async Task<TestRunResult> RunAsync(IReadOnlyList<TestSuitePlan> suites, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(suites);
        var failures = new List<string>();
        var summary = TestSummary.Empty;
        foreach (var suite in suites)
        {
            if (suite.SkipReason is not null)
            {
                log.Information(suite.SkipReason);
                continue;
            }

            if (!dryRun && suite.Format == TestReportFormat.JUnit && File.Exists(suite.ResultsFile))
            {
                // A report of an earlier run must never be counted again (a command's report lives in the app).
                File.Delete(suite.ResultsFile);
            }

            var toolFailed = false;
            try
            {
                await RunOneAsync(suite, cancellationToken).ConfigureAwait(false);
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

                summary += report;
            }
            else if (!dryRun)
            {
                failures.Add($"{suite.Name} wrote no results (it did not build or crashed)");
                summary += new TestSummary(0, 1, 0);
            }
        }

        return new TestRunResult(summary, failures);
    }

    private Task<CommandResult> RunOneAsync(TestSuitePlan suite, CancellationToken cancellationToken) => suite switch
    {
        { DotNet: { } settings } => new DotNetTool(runner).TestAsync(settings, cancellationToken),
        { Image: { } settings } => new DockerTool(runner).BuildAsync(settings, cancellationToken),
        { Command: { } settings } => new TestCommandTool(runner).RunAsync(settings, cancellationToken),
        _ => throw new InvalidOperationException($"suite '{suite.Name}' has nothing to run."),
    };
}
