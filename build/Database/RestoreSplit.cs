using System.Text;
using System.Text.RegularExpressions;

namespace Build.Database;

/// <summary>
/// Which tables a Restore loads through all its connections at once (<see cref="ParallelTableLoad"/>) instead of one:
/// those of at least <c>backup.restoreSplitRows</c> rows by the manifest, whose data is exactly one entry of the
/// archive's table of contents. pg_restore then restores the rest in three runs: the schema and the other tables' data,
/// (the large tables' data, split), the indexes and constraints, so each index is built once, over all the rows.
/// </summary>
public static partial class RestoreSplit
{
    /// <summary>The manifest's tables of at least <paramref name="minimumRows"/> rows, largest first; none when it is 0.</summary>
    public static IReadOnlyList<string> LargeTables(BackupManifest manifest, int minimumRows)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        return minimumRows <= 0
            ? []
            : manifest.Tables.Where(t => t.Value >= minimumRows).OrderByDescending(t => t.Value).ThenBy(t => t.Key, StringComparer.Ordinal).Select(t => t.Key).ToArray();
    }

    /// <summary>
    /// The table-of-contents line of each table's data (a table whose data is not exactly one such line is loaded by
    /// pg_restore), and the listing with those lines commented out: each entry is in exactly one of the lists.
    /// </summary>
    public static (IReadOnlyList<(string Table, string Entry)> Tables, string Others) Entries(string listing, IReadOnlyList<string> tables)
    {
        ArgumentNullException.ThrowIfNull(listing);
        ArgumentNullException.ThrowIfNull(tables);
        var lines = listing.Split('\n').Select(l => l.TrimEnd('\r')).ToArray();
        // "<id>; <oid> <oid> TABLE DATA <schema> <name> <owner>": names are printed as they are, so a name with a space
        // does not match (its table is left to pg_restore), and one that matches is the table it names.
        var data = lines
            .Select(line => (Line: line, Match: TableData().Match(line)))
            .Where(l => l.Match.Success)
            .GroupBy(l => $"{l.Match.Groups["schema"].Value}.{l.Match.Groups["name"].Value}", StringComparer.Ordinal)
            .Where(g => g.Count() == 1)
            .ToDictionary(g => g.Key, g => g.Single().Line, StringComparer.Ordinal);
        var chosen = tables.Where(data.ContainsKey).Select(t => (Table: t, Entry: data[t])).ToArray();
        var entries = chosen.Select(c => c.Entry).ToHashSet(StringComparer.Ordinal);
        var others = new StringBuilder();
        foreach (var line in lines)
        {
            others.Append(entries.Contains(line) ? ";" : string.Empty).Append(line).Append('\n');
        }

        return (chosen, others.ToString());
    }

    [GeneratedRegex(@"^\d+; \d+ \d+ TABLE DATA (?<schema>\S+) (?<name>\S+) \S*$", RegexOptions.CultureInvariant)]
    private static partial Regex TableData();
}
