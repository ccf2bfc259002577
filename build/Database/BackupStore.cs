using System.Globalization;
using System.Text.RegularExpressions;

namespace Build.Database;

/// <summary>One complete backup: a stamp folder holding a manifest.</summary>
public sealed record BackupEntry(string Name, string Folder, DateTime TakenAtUtc, BackupManifest Manifest)
{
    public string DumpPath => Path.Combine(Folder, Manifest.DumpFile);
}

/// <summary>
/// The backups of one environment: <c>&lt;backup folder&gt;/&lt;environment&gt;/&lt;yyyyMMdd_HHmmss&gt;/</c> (UTC). Only a folder named
/// like a stamp and holding a readable manifest is a backup; a <c>.tmp-*</c> folder (a backup still running, or one that
/// was killed) and anything else is never listed, restored or deleted by retention.
/// </summary>
public sealed partial class BackupStore(string folder)
{
    public const string StampFormat = "yyyyMMdd_HHmmss";
    public const string TemporaryPrefix = ".tmp-";

    public string Folder { get; } = folder;

    public static string Stamp(DateTime utc) => utc.ToString(StampFormat, CultureInfo.InvariantCulture);

    /// <summary>"20250102_030405" or "20250102_030405_2" (a second backup within one second) gives its time; else null.</summary>
    public static DateTime? ParseStamp(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        var match = StampPattern().Match(name);
        return match.Success && DateTime.TryParseExact(match.Groups[1].Value, StampFormat, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var time)
            ? time
            : null;
    }

    /// <summary>Complete backups, newest first.</summary>
    public IReadOnlyList<BackupEntry> List()
    {
        if (!Directory.Exists(Folder))
        {
            return [];
        }

        var entries = new List<BackupEntry>();
        foreach (var directory in Directory.EnumerateDirectories(Folder))
        {
            var name = Path.GetFileName(directory);
            if (ParseStamp(name) is not { } time || !File.Exists(Path.Combine(directory, BackupManifest.FileName)))
            {
                continue;
            }

            try
            {
                entries.Add(new BackupEntry(name, directory, time, BackupManifest.Parse(File.ReadAllText(Path.Combine(directory, BackupManifest.FileName)), directory)));
            }
            catch (DatabaseException)
            {
                // An unreadable manifest is not a backup the kit can use; leave the folder for a person to look at.
            }
        }

        return NewestFirst(entries, e => e.TakenAtUtc, e => e.Name).ToArray();
    }

    /// <summary>Folders of backups that never completed.</summary>
    public IReadOnlyList<string> Incomplete() =>
        Directory.Exists(Folder)
            ? Directory.EnumerateDirectories(Folder).Where(d => Path.GetFileName(d).StartsWith(TemporaryPrefix, StringComparison.Ordinal)).Order(StringComparer.Ordinal).ToArray()
            : [];

    /// <summary>Complete backups of one database on one server, newest first: what "latest" and retention choose from.</summary>
    public IReadOnlyList<BackupEntry> ListFor(BackupKey key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return List().Where(e => key.Matches(e.Manifest)).ToArray();
    }

    /// <summary>
    /// "latest" (the newest backup of the target's own database and server), a stamp of this environment, or a
    /// folder path. Only an explicit name may pick another database's backup; the caller says so.
    /// </summary>
    public BackupEntry Resolve(string which, string root, BackupKey key)
    {
        ArgumentNullException.ThrowIfNull(which);
        ArgumentNullException.ThrowIfNull(key);
        var where = Path.GetRelativePath(root, Folder);
        if (string.Equals(which, "latest", StringComparison.OrdinalIgnoreCase))
        {
            if (ListFor(key).FirstOrDefault() is { } latest)
            {
                return latest;
            }

            var others = List();
            if (others.Count == 0)
            {
                throw DatabaseException.Refused($"There is no complete backup in {where}. Take one with {Bootstrapper.Command} --target=Backup.");
            }

            var whose = string.Join(", ", others.Select(e => BackupKey.Describe(e.Manifest)).Distinct(StringComparer.Ordinal).Take(3));
            throw DatabaseException.Refused(
                $"There is no backup of {key.Describe()} in {where}, only of {whose}: --backup=latest never restores another database's backup. "
                + $"To restore one of those into '{key.Database}', name it: --backup=<folder> (see --target=BackupList).");
        }

        var candidates = new[] { Path.Combine(Folder, which), Path.GetFullPath(which, root), Path.GetFullPath(which) };
        var folder = candidates.FirstOrDefault(Directory.Exists)
            ?? throw DatabaseException.Refused($"Backup '{which}' was not found (neither a folder nor a backup in {where}). Pass --backup=latest or a folder.");
        var manifest = Path.Combine(folder, BackupManifest.FileName);
        if (!File.Exists(manifest))
        {
            throw DatabaseException.Refused($"{folder} has no {BackupManifest.FileName}: it is not a complete backup.");
        }

        var name = Path.GetFileName(Path.TrimEndingDirectorySeparator(folder));
        return new BackupEntry(name, folder, ParseStamp(name) ?? Directory.GetCreationTimeUtc(folder), BackupManifest.Parse(File.ReadAllText(manifest), manifest));
    }

    /// <summary>
    /// The dump's SHA-256 and size as the manifest recorded them and, from format 2 on, the manifest itself as
    /// SHA256SUMS recorded it; null when everything matches, else why not.
    /// </summary>
    public static string? CheckIntegrity(BackupEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        if (!File.Exists(entry.DumpPath))
        {
            return $"{entry.DumpPath} is missing";
        }

        if (entry.Manifest.HasChecksumFile && BackupChecksums.Check(entry.Folder, entry.Manifest) is { } problem)
        {
            return problem;
        }

        var (sha, size) = BackupManifest.Hash(entry.DumpPath);
        if (size != entry.Manifest.SizeBytes || !string.Equals(sha, entry.Manifest.Sha256, StringComparison.OrdinalIgnoreCase))
        {
            return $"{entry.DumpPath} does not match its manifest (SHA-256 {entry.Manifest.Sha256[..Math.Min(12, entry.Manifest.Sha256.Length)]}..., {entry.Manifest.SizeBytes} bytes recorded; "
                   + $"{sha[..12]}..., {size} bytes found): the file was changed or damaged";
        }

        return null;
    }

    /// <summary>
    /// Things named by a stamp (backups, aside copies), newest first: by their time, then by their number within one
    /// second (<see cref="Sequence"/>), then by the stamp itself.
    /// </summary>
    public static IOrderedEnumerable<T> NewestFirst<T>(IEnumerable<T> items, Func<T, DateTime> takenAtUtc, Func<T, string> stamp) =>
        items.OrderByDescending(takenAtUtc).ThenByDescending(item => Sequence(stamp(item))).ThenByDescending(stamp, StringComparer.Ordinal);

    /// <summary>
    /// Which of the names made within one second came later: 1 for "20250102_030405", n for "20250102_030405_n" (so
    /// _10 comes after _9, which an ordinal comparison of the names gets wrong); 0 for a name that is not a stamp.
    /// </summary>
    public static int Sequence(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        var match = StampPattern().Match(name);
        return !match.Success ? 0
            : match.Groups[2].Success && int.TryParse(match.Groups[2].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n
            : 1;
    }

    [GeneratedRegex(@"^(\d{8}_\d{6})(?:_(\d+))?$")]
    private static partial Regex StampPattern();
}

/// <summary>
/// Which database a backup belongs to, within an environment's folder: the database name and the server it lives on.
/// "latest" and retention only ever look at backups of one key. A format 1 manifest names no server and matches on
/// the database name alone.
/// </summary>
public sealed record BackupKey(string Database, string Server)
{
    public static BackupKey Of(DatabaseTarget target)
    {
        ArgumentNullException.ThrowIfNull(target);
        return new BackupKey(target.Database, target.ComposeService is { } service ? $"compose service '{service}'" : $"{target.Host}:{target.Port}");
    }

    public bool Matches(BackupManifest manifest)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        return string.Equals(manifest.Database, Database, StringComparison.Ordinal)
               && (manifest.Server is null || string.Equals(manifest.Server, Server, StringComparison.Ordinal));
    }

    public string Describe() => $"database '{Database}' on {Server}";

    public static string Describe(BackupManifest manifest)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        return manifest.Server is null ? $"database '{manifest.Database}'" : $"database '{manifest.Database}' on {manifest.Server}";
    }
}
