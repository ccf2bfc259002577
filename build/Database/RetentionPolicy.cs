namespace Build.Database;

/// <summary>
/// Which complete backups to delete: keep the newest <c>keepLast</c>, plus the newest of each of the last
/// <c>keepDailyForDays</c> days (today included); the newest backup is always kept. Only complete backups are ever
/// considered, and retention runs only after a backup succeeded.
/// </summary>
public static class RetentionPolicy
{
    public static IReadOnlyList<string> SelectForDeletion(IReadOnlyList<(string Name, DateTime TakenAtUtc)> backups, int keepLast, int keepDailyForDays, DateTime nowUtc)
    {
        ArgumentNullException.ThrowIfNull(backups);
        var ordered = BackupStore.NewestFirst(backups, b => b.TakenAtUtc, b => b.Name).ToArray();
        var keep = new HashSet<string>(StringComparer.Ordinal);
        foreach (var backup in ordered.Take(Math.Max(1, keepLast)))
        {
            keep.Add(backup.Name);
        }

        if (keepDailyForDays > 0)
        {
            var firstDay = nowUtc.Date.AddDays(-(keepDailyForDays - 1));
            foreach (var day in ordered.Where(b => b.TakenAtUtc.Date >= firstDay).GroupBy(b => b.TakenAtUtc.Date))
            {
                keep.Add(day.First().Name);
            }
        }

        return ordered.Where(b => !keep.Contains(b.Name)).Select(b => b.Name).ToArray();
    }
}
