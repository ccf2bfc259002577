using Cake.Core;
using Cake.Core.Diagnostics;

namespace Build.Host;

public static class ShouldRunExtensions
{
    /// <summary>
    /// A task's <c>ShouldRun</c> in one line: <c>=> context.ShouldRun(inputsChanged, "inputs unchanged")</c>.
    /// A skip is never silent: the reason is logged.
    /// </summary>
    public static bool ShouldRun(this ICakeContext context, bool criteria, string skipReason)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (!criteria)
        {
            context.Log.Information($"Skipped: {skipReason}");
        }

        return criteria;
    }
}
