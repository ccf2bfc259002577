namespace Build.Ops.Prune;

/// <summary>The plan as lines: what goes (with sizes), what of this project stays and why, the total.</summary>
public static class PruneRenderer
{
    public static IReadOnlyList<string> Render(PrunePlan plan, bool apply)
    {
        ArgumentNullException.ThrowIfNull(plan);
        var lines = new List<string>();
        if (plan.Items.Count == 0)
        {
            lines.Add("Nothing of this project to remove.");
        }
        else
        {
            lines.Add(apply ? "Removing:" : "Would remove:");
            foreach (var item in plan.Items)
            {
                lines.Add($"  {Kind(item.Kind),-10} {ByteSize.Format(item.Bytes),10}  {item.Name}{(item.Note is null ? string.Empty : $"  ({item.Note})")}");
            }
        }

        if (plan.Kept.Count > 0)
        {
            lines.Add("Kept:");
            foreach (var item in plan.Kept)
            {
                lines.Add($"  {Kind(item.Kind),-10} {item.Name}: {item.Reason}");
            }
        }

        if (plan.Items.Count > 0)
        {
            lines.Add($"{(apply ? "Reclaiming" : "Would reclaim")} about {ByteSize.Format(plan.Bytes)} ({plan.Items.Count} item(s)).");
            if (!apply)
            {
                lines.Add("This was a preview: run again with --yes to remove them.");
            }
        }

        return lines;
    }

    private static string Kind(PruneKind kind) => kind switch
    {
        PruneKind.BuildCache => "cache",
        _ => kind.ToString().ToLowerInvariant(),
    };
}
