using System.Globalization;
using Cake.Core;
using Cake.Core.Diagnostics;

namespace Build.Host;

/// <summary>
/// The run's banners and its table of durations, in plain lines through the host's console (its colour rules apply):
/// the shape Cake's own printer draws, without a layout engine. Every run prints these, and laying them out with
/// Spectre.Console's tables cost tens of milliseconds of first-run code per run (the banner before the first task's
/// output, the table before the exit). Quiet for the task listing: `./build.sh` with no target shows the tasks, not
/// banners and a table of durations around them.
/// </summary>
internal sealed class HostReportPrinter(IConsole console, bool listing) : ICakeReportPrinter
{
    private const int Width = 80;
    private const int DurationWidth = 33;

    public void WriteLifeCycleStep(string name, Verbosity verbosity)
    {
        if (!listing && verbosity >= Verbosity.Normal)
        {
            console.WriteLine("{0}", string.Empty);
            Banner(name, '-');
        }
    }

    public void WriteStep(string name, Verbosity verbosity)
    {
        if (!listing && verbosity >= Verbosity.Normal)
        {
            console.WriteLine("{0}", string.Empty);
            Banner(name, '=');
        }
    }

    public void WriteSkippedStep(string name, Verbosity verbosity)
    {
        if (!listing && verbosity >= Verbosity.Verbose)
        {
            console.WriteLine("{0}", string.Empty);
            Banner(name, '=');
        }
    }

    public void Write(CakeReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        if (listing)
        {
            return;
        }

        var entries = report.ToArray();
        var nameWidth = Math.Max(25, entries.Select(e => e.TaskName.Length).DefaultIfEmpty(0).Max()) + 2;
        var reasons = entries.Any(e => !string.IsNullOrEmpty(e.SkippedMessage));
        console.WriteLine("{0}", string.Empty);
        Row(ConsoleColor.Green, "Task", "Duration", "Status", reasons ? "Skip Reason" : null, nameWidth);
        console.WriteLine("{0}", new string('─', Width));
        foreach (var entry in entries)
        {
            var color = entry.Category is CakeReportEntryCategory.Setup or CakeReportEntryCategory.Teardown ? ConsoleColor.Cyan
                : entry.ExecutionStatus switch
                {
                    CakeTaskExecutionStatus.Failed => ConsoleColor.Red,
                    CakeTaskExecutionStatus.Executed => ConsoleColor.Green,
                    _ => ConsoleColor.Gray,
                };
            var duration = entry.ExecutionStatus == CakeTaskExecutionStatus.Skipped ? "-" : Time(entry.Duration);
            Row(color, entry.TaskName, duration, entry.ExecutionStatus.ToReportStatus(), reasons ? entry.SkippedMessage : null, nameWidth);
        }

        console.WriteLine("{0}", new string('─', Width));
        Row(ConsoleColor.Green, "Total:", Time(entries.Aggregate(TimeSpan.Zero, (total, entry) => total + entry.Duration)), string.Empty, null, nameWidth);
        console.WriteLine("{0}", string.Empty);
    }

    private void Banner(string name, char rule)
    {
        console.WriteLine("{0}", new string(rule, Width));
        console.WriteLine("{0}", " " + name);
        console.WriteLine("{0}", new string(rule, Width));
    }

    private void Row(ConsoleColor color, string name, string duration, string status, string? reason, int nameWidth)
    {
        var line = ("  " + name.PadRight(nameWidth) + duration.PadRight(DurationWidth) + status + (reason is null ? string.Empty : "   " + reason)).TrimEnd();
        console.ForegroundColor = color;
        console.Write("{0}", line);
        console.ResetColor();
        console.WriteLine("{0}", string.Empty);
    }

    private static string Time(TimeSpan time) => time.ToString("c", CultureInfo.InvariantCulture);
}
