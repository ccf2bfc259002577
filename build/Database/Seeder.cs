using Build.Configuration;
using Cake.Core.Diagnostics;
using Npgsql;

namespace Build.Database;

/// <summary>What Seed did: the files applied, or why nothing was.</summary>
public sealed record SeedResult(string Profile, IReadOnlyList<string> Applied, string? SkipReason, long RowsBefore);

/// <summary>
/// Demo data from <c>&lt;seed folder&gt;/&lt;profile&gt;/*.sql</c>, applied in name order in one transaction. Profiles are
/// layers, smallest first: <c>demo</c> is <c>minimal</c>'s files, then its own, so no row is written down twice. The
/// scripts themselves are idempotent (they insert only what is missing). Without an explicit profile, seeding happens only
/// while the seeded tables hold fewer rows than the configured threshold: what the original setup did on first start.
/// </summary>
public sealed class Seeder(SeedConfig config, string root, ICakeLog log)
{
    public static readonly IReadOnlyList<string> Profiles = ["minimal", "demo"];

    public async Task<SeedResult> SeedAsync(NpgsqlConnection connection, string? explicitProfile, bool dryRun, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(connection);
        var profile = explicitProfile ?? config.DefaultProfile;
        var files = Files(profile);
        long rows;
        try
        {
            rows = await CountSeededRowsAsync(connection, cancellationToken).ConfigureAwait(false);
        }
        catch (DatabaseException) when (dryRun)
        {
            // In a dry run Migrate only planned the tables; they would exist by now.
            rows = 0;
        }

        if (explicitProfile is null && rows >= config.Threshold)
        {
            return new SeedResult(
                profile,
                [],
                $"the seeded tables ({string.Join(", ", config.Tables)}) hold {rows} row(s), at or above the threshold {config.Threshold} "
                + $"(config/database.json seed.threshold); pass --seed={profile} to seed anyway",
                rows);
        }

        if (dryRun)
        {
            return new SeedResult(profile, files.Select(f => Path.GetRelativePath(root, f)).ToArray(), "dry run", rows);
        }

        var applied = await ApplyAsync(connection, profile, files.Select(f => Path.GetRelativePath(root, f).Replace('\\', '/')).ToArray(), cancellationToken).ConfigureAwait(false);
        return new SeedResult(profile, applied, null, rows);
    }

    /// <summary>The files of <paramref name="profile"/> (its layers, smallest first) relative to the app root: what a plan lists.</summary>
    public IReadOnlyList<string> FilesOf(string profile) => Files(profile).Select(f => Path.GetRelativePath(root, f).Replace('\\', '/')).ToArray();

    /// <summary>Applies <paramref name="files"/> (relative to the app root) in one transaction, whatever the seeded tables hold.</summary>
    public async Task<IReadOnlyList<string>> ApplyAsync(NpgsqlConnection connection, string profile, IReadOnlyList<string> files, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(files);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var applied = new List<string>();
        foreach (var relative in files)
        {
            log.Information($"Seeding {relative}");
            try
            {
                await DatabaseConnector.ExecuteAsync(connection, await File.ReadAllTextAsync(Path.Combine(root, relative), cancellationToken).ConfigureAwait(false), transaction, cancellationToken).ConfigureAwait(false);
            }
            catch (PostgresException exception)
            {
                await transaction.RollbackAsync(CancellationToken.None).ConfigureAwait(false);
                throw DatabaseException.Failed($"{relative} failed: {exception.MessageText} ({exception.SqlState}). Nothing of profile '{profile}' was kept.");
            }

            applied.Add(relative);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return applied;
    }

    /// <summary>The rows the seeded tables hold together.</summary>
    public async Task<long> CountSeededRowsAsync(NpgsqlConnection connection, CancellationToken cancellationToken = default)
    {
        long total = 0;
        foreach (var table in config.Tables)
        {
            try
            {
                total += await DatabaseConnector.ScalarAsync<long>(connection, $"SELECT count(*) FROM {Sql.Qualified(table)}", cancellationToken: cancellationToken).ConfigureAwait(false);
            }
            catch (PostgresException exception) when (exception.SqlState is PostgresErrorCodes.UndefinedTable or PostgresErrorCodes.InvalidSchemaName)
            {
                throw DatabaseException.Failed($"The seeded table {table} does not exist: run Migrate first (./build.sh --target=Migrate).");
            }
        }

        return total;
    }

    private string[] Files(string profile)
    {
        var layers = Profiles.Take(Profiles.ToList().IndexOf(profile) + 1).ToArray();
        if (layers.Length == 0)
        {
            throw new ConfigurationException($"Unknown seed profile '{profile}'. Profiles: {string.Join(", ", Profiles)}.");
        }

        return layers.SelectMany(layer =>
        {
            var folder = Path.Combine(root, config.Folder, layer);
            if (!Directory.Exists(folder))
            {
                throw new ConfigurationException($"Seed profile '{layer}' has no folder {Path.GetRelativePath(root, folder)}. Profiles: {string.Join(", ", Profiles)}.");
            }

            return Directory.EnumerateFiles(folder, "*.sql").Order(StringComparer.Ordinal);
        }).ToArray();
    }
}
