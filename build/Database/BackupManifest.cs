using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Build.Database;

/// <summary>
/// <c>manifest.json</c> beside every dump: what was dumped, from which server, how long it took, the SHA-256 and size
/// of the file, and the row count of every table (checked inside the restore's transaction, and by a verify).
/// Since format 2 a <c>SHA256SUMS</c> file (the format <c>sha256sum -c</c> reads) covers both the dump and the
/// manifest, so an edited manifest is refused like a damaged dump, before anything is touched.
/// </summary>
public sealed record BackupManifest
{
    public const string FileName = "manifest.json";

    /// <summary>2: SHA256SUMS over dump and manifest, and the server the backup came from. 1: the dump's hash only.</summary>
    public const int CurrentFormat = 2;

    /// <summary>The oldest format still read: its dump is checked by hash, its row counts inside the restore's transaction.</summary>
    public const int OldestReadableFormat = 1;

    private static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public int Format { get; init; } = CurrentFormat;

    public required string Environment { get; init; }

    public required string Database { get; init; }

    /// <summary>
    /// Which server the database lives on: "compose service 'db'" for the stack's own database (whatever port offset it
    /// runs on), else "host:port". With the environment and the database it keys "latest" and retention.
    /// Null in format 1 manifests: such a backup is matched by its database name alone.
    /// </summary>
    public string? Server { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>The dump's file name, in the same folder.</summary>
    public required string DumpFile { get; init; }

    public required string Sha256 { get; init; }

    public required long SizeBytes { get; init; }

    public required string ServerVersion { get; init; }

    public required int ServerVersionNumber { get; init; }

    /// <summary>The pg_dump that made the dump ("pg_dump (PostgreSQL) 15.18 ...").</summary>
    public string? ClientVersion { get; init; }

    /// <summary>"the host's pg_dump" or "pg_dump inside compose service 'db'".</summary>
    public string? DumpedBy { get; init; }

    public required double DurationSeconds { get; init; }

    /// <summary>Rows per "schema.table", counted in the very snapshot that was dumped.</summary>
    public required IReadOnlyDictionary<string, long> Tables { get; init; }

    public long TotalRows => Tables.Values.Sum();

    public string ToJson() => JsonSerializer.Serialize(this, Options);

    public static BackupManifest Parse(string json, string pathForMessages)
    {
        try
        {
            var manifest = JsonSerializer.Deserialize<BackupManifest>(json, Options)
                ?? throw DatabaseException.Refused($"{pathForMessages} is empty.");
            return manifest.Format is >= OldestReadableFormat and <= CurrentFormat
                ? manifest
                : throw DatabaseException.Refused(
                    $"{pathForMessages} has manifest format {manifest.Format}; this kit reads formats {OldestReadableFormat} to {CurrentFormat}. Restore it with the kit version that wrote it (or a newer one).");
        }
        catch (JsonException exception)
        {
            throw DatabaseException.Refused($"{pathForMessages} is not a valid backup manifest: {exception.Message}");
        }
    }

    /// <summary>Writes the manifest and forces it to disk before the folder is renamed into place.</summary>
    public void WriteTo(string folder)
    {
        var path = Path.Combine(folder, FileName);
        using var stream = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None);
        JsonSerializer.Serialize(stream, this, Options);
        stream.Flush(flushToDisk: true);
    }

    /// <summary>Whether this backup's manifest is itself covered by a checksum (format 2 and later).</summary>
    [JsonIgnore]
    public bool HasChecksumFile => Format >= 2;

    public static (string Sha256, long Size) Hash(string file)
    {
        using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        var hash = SHA256.HashData(stream);
        return (Convert.ToHexStringLower(hash), stream.Length);
    }
}
