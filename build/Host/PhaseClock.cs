using System.Diagnostics;
using System.Globalization;
using System.Runtime;
using System.Text;

namespace Build.Host;

/// <summary>
/// Where a run's time goes: marks taken as the run passes its phases (the command line parsed, the services built, the
/// configuration read, each question of DevUp's fast path answered), printed after the run with
/// <c>--verbosity=diagnostic</c>, with the process's CPU time, the methods the JIT compiled and the assemblies loaded
/// (what ReadyToRun code did not cover). One per run, made by the host and handed down by constructor; taking a mark
/// costs a timestamp, so the marks stay in at every verbosity.
/// </summary>
public sealed class PhaseClock
{
    private readonly long started = Stopwatch.GetTimestamp();
    private readonly TimeSpan startedCpu = Environment.CpuUsage.TotalTime;
    private readonly List<(string Phase, long At, TimeSpan Cpu, int Thread)> marks = [];

    /// <summary>The phase that just ended, at the time it ended.</summary>
    public void Mark(string phase)
    {
        var at = Stopwatch.GetTimestamp();
        var cpu = Environment.CpuUsage.TotalTime;
        lock (marks)
        {
            marks.Add((phase, at, cpu, Environment.CurrentManagedThreadId));
        }
    }

    /// <summary>
    /// The report: a line per mark (milliseconds since the host started, since the mark before it, and the process's CPU
    /// time since the mark before it, all threads), then the totals.
    /// </summary>
    public string Report()
    {
        (string Phase, long At, TimeSpan Cpu, int Thread)[] taken;
        lock (marks)
        {
            taken = [.. marks.OrderBy(m => m.At)];
        }

        var text = new StringBuilder();
        var culture = CultureInfo.InvariantCulture;
        var process = Process.GetCurrentProcess();
        var sinceStart = (DateTime.Now - process.StartTime).TotalMilliseconds;
        var hostRan = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        text.AppendLine(culture, $"Phase times (ms since the host started, +wall and cpu since the mark before; the runtime took {sinceStart - hostRan:0} ms before it):");
        var previous = started;
        var previousCpu = startedCpu;
        foreach (var (phase, at, cpu, thread) in taken)
        {
            var since = Stopwatch.GetElapsedTime(started, at).TotalMilliseconds;
            var step = Stopwatch.GetElapsedTime(previous, at).TotalMilliseconds;
            var spent = (cpu - previousCpu).TotalMilliseconds;
            text.AppendLine(culture, $"  {since,7:0.0} {"+" + step.ToString("0.0", culture),8} {"cpu " + spent.ToString("0", culture),8}  {phase}{(thread == taken[0].Thread ? string.Empty : $" (thread {thread})")}");
            previous = at;
            previousCpu = cpu;
        }

        text.AppendLine(culture, $"  {hostRan,7:0.0}           the report (total since the process started: {sinceStart:0} ms)");
        text.AppendLine(culture, $"CPU time: {process.UserProcessorTime.TotalMilliseconds:0} ms user, {process.PrivilegedProcessorTime.TotalMilliseconds:0} ms system ({startedCpu.TotalMilliseconds:0} ms before the host started)");
        text.AppendLine(culture, $"JIT: {System.Runtime.JitInfo.GetCompiledMethodCount()} method(s) compiled in {System.Runtime.JitInfo.GetCompilationTime().TotalMilliseconds:0} ms (ReadyToRun code is not counted); "
            + $"{AppDomain.CurrentDomain.GetAssemblies().Length} assemblies loaded; GC: {GC.CollectionCount(0)} collection(s), {GCSettings.IsServerGC switch { true => "server", false => "workstation" }}");
        return text.ToString();
    }
}
