using System.Globalization;

namespace Build.Tools.Postgres;

/// <summary>
/// Debian's and Ubuntu's postgresql-common put <c>pg_dump</c>, <c>pg_restore</c> and <c>psql</c> on PATH as links
/// to <c>pg_wrapper</c>, a Perl script that picks a client version and execs
/// <c>/usr/lib/postgresql/&lt;version&gt;/bin/&lt;name&gt;</c>. Given <c>--host</c>, as every connecting command of
/// the kit is, it picks the newest version installed. The runner starts that binary itself: the program the wrapper
/// would run, without a Perl start first (40-60 ms of a core per command, paid before pg_dump or pg_restore begins),
/// and <c>--version</c> and <c>--list</c> (no host: the wrapper would use the default local cluster's version) ask
/// the same binary that then dumps or restores.
/// </summary>
public static class PgWrapper
{
    /// <summary>Where postgresql-common installs each version's binaries.</summary>
    public const string BinaryRoot = "/usr/lib/postgresql";

    /// <summary>The wrapper's default for libpq's configuration folder (pg_service.conf), kept for the binary run directly.</summary>
    public const string ConfigurationFolder = "/etc/postgresql-common";

    public const string ConfigurationVariable = "PGSYSCONFDIR";

    /// <summary>
    /// The binary <paramref name="executable"/> stands for when PATH finds it as a link to pg_wrapper: the newest
    /// version's; null for any other executable (started as it is).
    /// </summary>
    public static string? Unwrap(string executable, string? searchPath = null, string binaryRoot = BinaryRoot)
    {
        ArgumentNullException.ThrowIfNull(executable);
        if (OperatingSystem.IsWindows() || executable.Length == 0 || executable.Contains('/', StringComparison.Ordinal))
        {
            return null;
        }

        var found = (searchPath ?? Environment.GetEnvironmentVariable("PATH") ?? string.Empty)
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(folder => Path.Combine(folder, executable))
            .FirstOrDefault(File.Exists);
        if (found is null || !IsWrapper(found))
        {
            return null;
        }

        return Directory.Exists(binaryRoot)
            ? Directory.EnumerateDirectories(binaryRoot)
                .Select(folder => (Version: VersionOf(Path.GetFileName(folder)), Binary: Path.Combine(folder, "bin", executable)))
                .Where(candidate => candidate.Version is not null && File.Exists(candidate.Binary))
                .OrderByDescending(candidate => candidate.Version)
                .Select(candidate => candidate.Binary)
                .FirstOrDefault()
            : null;
    }

    private static bool IsWrapper(string path)
    {
        try
        {
            return File.ResolveLinkTarget(path, returnFinalTarget: true) is { } target && target.Name == "pg_wrapper";
        }
        catch (IOException)
        {
            return false;
        }
        catch (UnauthorizedAccessException)
        {
            return false;
        }
    }

    // postgresql-common's version folders: "15", "17", "9.6".
    private static Version? VersionOf(string folder) =>
        Version.TryParse(folder.Contains('.', StringComparison.Ordinal) ? folder : folder + ".0", out var version) && folder.All(c => char.IsAsciiDigit(c) || c == '.')
            ? version
            : null;
}
