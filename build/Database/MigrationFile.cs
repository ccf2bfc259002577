using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Build.Configuration;

namespace Build.Database;

/// <summary>One <c>NNNN_description.sql</c> file: its version, its text and the checksum recorded when it is applied.</summary>
public sealed partial record MigrationFile(int Version, string Description, string RelativePath, string Sql, string Checksum)
{
    /// <summary>
    /// Every migration of a folder, in version order. A <c>.sql</c> file whose name does not follow the pattern, or two
    /// files with one version, is an error naming the files: a migration that is silently skipped is worse than none.
    /// </summary>
    public static IReadOnlyList<MigrationFile> Load(string folder, string root)
    {
        ArgumentNullException.ThrowIfNull(folder);
        if (!Directory.Exists(folder))
        {
            throw new ConfigurationException($"The migrations folder {Path.GetRelativePath(root, folder)} does not exist (config/database.json \"migrations\").");
        }

        var files = new List<MigrationFile>();
        foreach (var path in Directory.EnumerateFiles(folder, "*.sql").Order(StringComparer.Ordinal))
        {
            var relative = Path.GetRelativePath(root, path).Replace('\\', '/');
            var parsed = ParseName(Path.GetFileName(path))
                ?? throw new ConfigurationException(relative, 0, "is not named NNNN_description.sql (four digits, an underscore, letters, digits, _ or -). Rename it so it is applied.");
            files.Add(FromText(parsed.Version, parsed.Description, relative, File.ReadAllText(path)));
        }

        var duplicate = files.GroupBy(f => f.Version).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw new ConfigurationException($"Two migrations share version {duplicate.Key:D4}: {string.Join(" and ", duplicate.Select(f => f.RelativePath))}. Renumber one.");
        }

        return files.OrderBy(f => f.Version).ToArray();
    }

    public static MigrationFile FromText(int version, string description, string relativePath, string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return new MigrationFile(version, description, relativePath, text, ChecksumOf(text));
    }

    /// <summary>"0001_create_items.sql" gives (1, "create_items"); anything else gives null.</summary>
    public static (int Version, string Description)? ParseName(string fileName)
    {
        ArgumentNullException.ThrowIfNull(fileName);
        var match = NamePattern().Match(fileName);
        return match.Success ? (int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture), match.Groups[2].Value) : null;
    }

    /// <summary>SHA-256 of the text with line endings normalised, so a checkout with CRLF is not "changed".</summary>
    public static string ChecksumOf(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var normalised = text.TrimStart('\uFEFF').Replace("\r\n", "\n", StringComparison.Ordinal);
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(normalised)));
    }

    [GeneratedRegex(@"^(\d{4})_([A-Za-z0-9][A-Za-z0-9_\-]*)\.sql$")]
    private static partial Regex NamePattern();
}
