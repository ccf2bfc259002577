using Build.Host;
using Build.Testing;
using Build.Tools;
using Build.Tools.DotNet;
using Cake.Core.Diagnostics;

namespace Build.Tasks.Core;

[TaskName(nameof(Test))]
[TaskDescription("Runs every test project (unit, integration, end-to-end, sample) and prints 'tests: N passed, N failed'")]
[SupportsDryRun]
public sealed class TestTask : AsyncFrostingTask<BuildContext>
{
    private const string Test = "Test";

    public override async Task RunAsync(BuildContext context)
    {
        var resultsDirectory = context.Paths.TestResults;
        if (!context.IsDryRun && Directory.Exists(resultsDirectory))
        {
            // Results of an earlier run must never be counted again.
            Directory.Delete(resultsDirectory, recursive: true);
        }

        var dotnet = new DotNetTool(context.Runner);
        var failures = new List<string>();
        var summary = TrxSummary.Empty;
        foreach (var project in context.Config.Project.TestProjects)
        {
            var path = Path.Combine(context.Paths.App, project);
            if (!File.Exists(path))
            {
                context.Log.Information($"Not found, skipped: {project}");
                continue;
            }

            var name = Path.GetFileNameWithoutExtension(path);
            var trx = Path.Combine(resultsDirectory, name + ".trx");
            try
            {
                await dotnet.TestAsync(new DotNetTestSettings
                {
                    Project = path,
                    Loggers = [$"trx;LogFileName={trx}", "console;verbosity=normal"],
                    Filter = context.Parameters.Filter,
                    WorkingDirectory = context.Paths.App,
                }).ConfigureAwait(false);
            }
            catch (ToolFailedException failure)
            {
                failures.Add($"{name} (exit code {failure.ToolExitCode})");
            }

            if (File.Exists(trx))
            {
                summary += TrxSummary.Read(trx);
            }
            else if (!context.IsDryRun)
            {
                failures.Add($"{name} wrote no results (it did not build or crashed)");
                summary += new TrxSummary(0, 1, 0);
            }
        }

        if (context.IsDryRun)
        {
            return;
        }

        context.Log.Information(summary.Line);
        if (failures.Count > 0 || summary.Failed > 0)
        {
            throw new ToolFailedException("dotnet test", 1, $"{summary.Failed} test(s) failed; failing projects: {string.Join(", ", failures)}", []);
        }
    }
}
