using Cake.Core;
using Cake.Core.Diagnostics;

namespace Build.Host;

/// <summary>
/// The report printer, quiet for the task listing: `./build.sh` with no target shows the tasks, not step banners and
/// a table of durations around them. Every other run reports as Cake does.
/// </summary>
internal sealed class ListingReportPrinter(ICakeReportPrinter inner, bool listing) : ICakeReportPrinter
{
    public void Write(CakeReport report)
    {
        if (!listing)
        {
            inner.Write(report);
        }
    }

    public void WriteLifeCycleStep(string name, Verbosity verbosity)
    {
        if (!listing)
        {
            inner.WriteLifeCycleStep(name, verbosity);
        }
    }

    public void WriteStep(string name, Verbosity verbosity)
    {
        if (!listing)
        {
            inner.WriteStep(name, verbosity);
        }
    }

    public void WriteSkippedStep(string name, Verbosity verbosity)
    {
        if (!listing)
        {
            inner.WriteSkippedStep(name, verbosity);
        }
    }
}
