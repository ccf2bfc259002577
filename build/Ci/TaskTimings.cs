using System.Diagnostics;
using System.Text;

namespace Build.Ci;

/// <summary>How long each task of this run took, for the CI job summary.</summary>
public sealed class TaskTimings
{
    private readonly List<(string Task, TimeSpan Duration, string Status)> entries = [];
    private readonly Stopwatch current = new();

    public IReadOnlyList<(string Task, TimeSpan Duration, string Status)> Entries => entries;

    public void Start() => current.Restart();

    public void Stop(string task, string status) => entries.Add((task, current.Elapsed, status));

    /// <summary>A Markdown table, as GitHub renders in a job summary.</summary>
    public string ToMarkdown(string target)
    {
        var text = new StringBuilder();
        text.AppendLine($"### {Bootstrapper.Command} --target={target}").AppendLine();
        text.AppendLine("| Task | Duration | Status |").AppendLine("|---|---:|---|");
        foreach (var (task, duration, status) in entries)
        {
            text.AppendLine(System.Globalization.CultureInfo.InvariantCulture, $"| {task} | {duration.TotalSeconds:0.0} s | {status} |");
        }

        var total = TimeSpan.FromTicks(entries.Sum(e => e.Duration.Ticks));
        return text.AppendLine(System.Globalization.CultureInfo.InvariantCulture, $"| **Total** | **{total.TotalSeconds:0.0} s** | |").ToString();
    }
}
