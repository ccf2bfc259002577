using Build.Host;

namespace Build.Ops.Doctor;

/// <summary>Doctor found something DevUp cannot run without: exit code 1, the blockers named.</summary>
public sealed class DoctorFailedException(string message) : ExitCodeException(1, message);

/// <summary>The checks as a table a newcomer can act on: status, name, what was seen, and a fix line under each problem.</summary>
public static class DoctorReport
{
    public static IReadOnlyList<string> Render(IReadOnlyList<DoctorCheck> checks)
    {
        ArgumentNullException.ThrowIfNull(checks);
        var width = checks.Count == 0 ? 0 : checks.Max(c => c.Name.Length);
        var lines = new List<string>();
        foreach (var check in checks)
        {
            lines.Add($"  {Mark(check),-5} {check.Name.PadRight(width)}  {check.Detail}");
            if (check.Fix is { Length: > 0 } fix && check.Status is CheckStatus.Warn or CheckStatus.Fail)
            {
                lines.Add($"  {string.Empty,-5} {string.Empty.PadRight(width)}  fix: {fix}");
            }
        }

        lines.Add(string.Empty);
        lines.Add(Summary(checks));
        return lines;
    }

    public static string Summary(IReadOnlyList<DoctorCheck> checks)
    {
        ArgumentNullException.ThrowIfNull(checks);
        var blockers = checks.Where(c => c.BlocksDevUp).ToArray();
        var counts = $"{checks.Count(c => c.Status == CheckStatus.Ok)} ok, {checks.Count(c => c.Status == CheckStatus.Warn)} warning(s), "
            + $"{checks.Count(c => c.Status == CheckStatus.Fail)} failed, {checks.Count(c => c.Status == CheckStatus.Skipped)} skipped";
        return blockers.Length == 0
            ? $"Doctor: {counts}. Nothing blocks DevUp."
            : $"Doctor: {counts}. Blocking DevUp: {string.Join(", ", blockers.Select(b => b.Name))}.";
    }

    /// <summary>Throws when a blocking check failed (exit code 1); the report has already been printed.</summary>
    public static void ThrowIfBlocked(IReadOnlyList<DoctorCheck> checks)
    {
        ArgumentNullException.ThrowIfNull(checks);
        var blockers = checks.Where(c => c.BlocksDevUp).ToArray();
        if (blockers.Length > 0)
        {
            throw new DoctorFailedException(
                $"{blockers.Length} problem(s) block DevUp: " + string.Join("; ", blockers.Select(b => $"{b.Name}: {b.Detail} (fix: {b.Fix})")));
        }
    }

    private static string Mark(DoctorCheck check) => check.Status switch
    {
        CheckStatus.Ok => "ok",
        CheckStatus.Warn => "WARN",
        CheckStatus.Fail => "FAIL",
        _ => "skip",
    };
}
