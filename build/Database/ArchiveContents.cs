namespace Build.Database;

/// <summary>
/// What <c>pg_restore --list</c> says about an archive, held against its manifest before a restore: the archive must
/// be a dump of the database the manifest names. (Table by table is left to the row counts checked inside the
/// restore's transaction: pg_dump leaves out the data of extension-owned tables, which the manifest still counts.)
/// </summary>
public static class ArchiveContents
{
    private const string DatabaseHeader = ";     dbname: ";

    /// <summary>Null when the listing fits the manifest; else why not.</summary>
    public static string? Problem(string listing, BackupManifest manifest)
    {
        ArgumentNullException.ThrowIfNull(listing);
        ArgumentNullException.ThrowIfNull(manifest);
        var header = listing.Split('\n').Select(l => l.TrimEnd('\r')).FirstOrDefault(l => l.StartsWith(DatabaseHeader, StringComparison.Ordinal));
        if (header is null)
        {
            return "pg_restore --list names no database";
        }

        var dumped = header[DatabaseHeader.Length..];
        return string.Equals(dumped, manifest.Database, StringComparison.Ordinal)
            ? null
            : $"the archive is a dump of database '{dumped}', the manifest says '{manifest.Database}'";
    }
}
