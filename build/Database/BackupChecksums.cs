using System.Text;

namespace Build.Database;

/// <summary>
/// <c>SHA256SUMS</c> in a backup folder: one "&lt;sha256&gt;  &lt;file&gt;" line for the dump and one for the manifest, the
/// format <c>sha256sum -c SHA256SUMS</c> checks by hand. The dump's hash alone (inside the manifest) left the manifest
/// free to be edited; this file covers both. It detects edits and damage, not a forgery by someone who also rewrites
/// this file: keep backups where only the kit writes if that matters.
/// </summary>
public static class BackupChecksums
{
    public const string FileName = "SHA256SUMS";

    /// <summary>Writes the sums of the given files of the folder, reading each.</summary>
    public static void Write(string folder, params string[] fileNames)
    {
        ArgumentNullException.ThrowIfNull(fileNames);
        Write(folder, fileNames.Select(name => (name, (string?)null)).ToArray());
    }

    /// <summary>
    /// Writes the sums of the given files of the folder and forces them to disk before the folder is renamed into place.
    /// A file whose SHA-256 is given (the dump, hashed while it was written) is not read again.
    /// </summary>
    public static void Write(string folder, params (string Name, string? Sha256)[] files)
    {
        ArgumentNullException.ThrowIfNull(files);
        var text = new StringBuilder();
        foreach (var (name, known) in files)
        {
            text.Append(known ?? BackupManifest.Hash(Path.Combine(folder, name)).Sha256).Append("  ").Append(name).Append('\n');
        }

        using var stream = new FileStream(Path.Combine(folder, FileName), FileMode.CreateNew, FileAccess.Write, FileShare.None);
        stream.Write(new UTF8Encoding(false).GetBytes(text.ToString()));
        stream.Flush(flushToDisk: true);
    }

    /// <summary>Null when the manifest and the dump match the sums; else why not (a phrase, paths as given).</summary>
    public static string? Check(string folder, BackupManifest manifest)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        var path = Path.Combine(folder, FileName);
        if (!File.Exists(path))
        {
            return $"{folder} has no {FileName}, which manifest format {manifest.Format} requires: the backup is incomplete or was changed";
        }

        var sums = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in File.ReadAllLines(path).Where(l => l.Length > 0))
        {
            // "<64 hex>  name" (text mode) or "<64 hex> *name" (binary mode): both are what sha256sum writes.
            if (line.Length < 67 || line[64] != ' ' || (line[65] != ' ' && line[65] != '*') || !line[..64].All(Uri.IsHexDigit))
            {
                return $"{path} is not a SHA256SUMS file (line '{line}'): the backup was changed";
            }

            sums[line[66..]] = line[..64].ToLowerInvariant();
        }

        if (!sums.TryGetValue(BackupManifest.FileName, out var manifestSum)
            || !string.Equals(manifestSum, BackupManifest.Hash(Path.Combine(folder, BackupManifest.FileName)).Sha256, StringComparison.Ordinal))
        {
            return $"{Path.Combine(folder, BackupManifest.FileName)} does not match {FileName}: the manifest was edited or damaged";
        }

        return sums.TryGetValue(manifest.DumpFile, out var dumpSum) && string.Equals(dumpSum, manifest.Sha256, StringComparison.OrdinalIgnoreCase)
            ? null
            : $"{path} and {BackupManifest.FileName} disagree about {manifest.DumpFile}: the backup was changed";
    }
}
