using System.Globalization;

namespace Build.Deploy;

/// <summary>The text of DeployStatus: URL, traffic split, revisions and what the kit recorded.</summary>
public static class DeployStatusReport
{
    public static IEnumerable<string> Lines(DeployTarget target, CloudRunService service, IReadOnlyList<CloudRunRevision> revisions, ReleaseRecord? record)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(service);
        ArgumentNullException.ThrowIfNull(revisions);
        yield return $"{service.Name} in {target.Environment} (project {target.Settings.Project}, {target.Settings.Region})";
        yield return $"  URL: {service.Url}";
        yield return $"  latest ready revision: {service.LatestReadyRevision}";
        yield return "  traffic:";
        foreach (var entry in service.Traffic)
        {
            var latest = entry.LatestRevision ? " (follows latest)" : string.Empty;
            var tag = entry.Tag is null ? string.Empty : $"  tag {entry.Tag}: {entry.Url}";
            yield return $"    {entry.Percent,3}%  {entry.RevisionName}{latest}{tag}";
        }

        if (service.IsPinned)
        {
            yield return $"  note: traffic goes to {service.ServingRevision} by name; the newer {service.LatestReadyRevision} has none (a --no-traffic deploy, a preview, a failed or rolled-back candidate). Deploy and Promote move traffic by name, so a revision made outside the kit never takes it by accident.";
        }

        yield return "  revisions (newest first):";
        foreach (var revision in revisions.OrderByDescending(r => r.Created ?? DateTimeOffset.MinValue))
        {
            var created = revision.Created?.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture) ?? "?";
            var commit = revision.Labels.TryGetValue(DeployPlanner.CommitLabel, out var sha) ? $"commit {sha[..Math.Min(12, sha.Length)]}" : "commit ?";
            yield return $"    {revision.Name,-40} {(revision.Ready ? "ready" : "NOT READY"),-9} {created}  {commit,-19} {revision.Image}";
        }

        if (record is not null)
        {
            foreach (var line in HistoryLines(record))
            {
                yield return line;
            }

            yield return $"  recorded: status {record.Status ?? "-"}, deployed {record.DeployedRevision ?? "-"}, previous {record.PreviousRevision ?? "-"} (Rollback's default), rolled back {record.RolledBackRevision ?? "-"}, last built {record.BuiltImage ?? "-"}";
        }
    }

    /// <summary>A job's part of DeployStatus: image, last execution, and what the kit recorded.</summary>
    public static IEnumerable<string> JobLines(DeployTarget target, CloudRunJob? job, ReleaseRecord? record)
    {
        ArgumentNullException.ThrowIfNull(target);
        if (job is null)
        {
            yield return $"job {target.Settings.Service} does not exist in {target.Environment} (project {target.Settings.Project}, {target.Settings.Region}): the next Deploy creates it.";
            yield break;
        }

        yield return $"job {job.Name} in {target.Environment} (project {target.Settings.Project}, {target.Settings.Region})";
        yield return $"  image: {job.Image}";
        var completed = job.LastCompleted?.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture) ?? "not finished";
        yield return $"  executions: {job.ExecutionCount}; last {job.LastExecution ?? "-"} ({completed})";
        if (record is not null)
        {
            foreach (var line in HistoryLines(record))
            {
                yield return line;
            }
        }
    }

    private static IEnumerable<string> HistoryLines(ReleaseRecord record)
    {
        if (record.History.Count == 0)
        {
            yield break;
        }

        yield return "  release history (newest first):";
        foreach (var entry in record.History.Reverse())
        {
            var gates = entry.Gates.Count == 0 ? string.Empty : "; gates: " + string.Join("; ", entry.Gates);
            yield return $"    {entry.At.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture)}  {entry.Action,-8} by {entry.Account ?? "?"}: {entry.Revision ?? "-"} ({entry.Image ?? "-"}) → {entry.Outcome}{gates}";
        }
    }
}
