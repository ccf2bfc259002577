using Build.Configuration;
using Cake.Core.Diagnostics;
using Npgsql;

namespace Build.Database;

/// <summary>What a seed step did: the files applied, or why nothing was; the seeded tables' rows around it when counted.</summary>
public sealed record SeedResult(string Profile, IReadOnlyList<string> Applied, string? SkipReason, long? RowsBefore, long? RowsAfter);

/// <summary>
/// Demo data from <c>&lt;seed folder&gt;/&lt;profile&gt;/*.sql</c>, applied in name order in one transaction, or from the
/// app's own seed command (<c>seed.command</c>). Profiles are the app's (<c>seed.profiles</c>), layers smallest first:
/// <c>demo</c> is <c>minimal</c>'s files, then its own, so no row is written down twice. The scripts themselves are
/// idempotent (they insert only what is missing). Without an explicit profile, seeding happens only while the seeded
/// tables hold fewer rows than the configured threshold: what the original setup did on first start.
/// </summary>
public sealed class Seeder(SeedConfig config, string root, ICakeLog log, Tools.ICommandRunner runner)
{
    /// <summary>A profile of config/database.json; else the one line naming them (exit 2, before the run starts).</summary>
    public void RequireProfile(string profile)
    {
        if (!config.Profiles.Contains(profile, StringComparer.Ordinal))
        {
            throw new Host.UsageException(
                $"Unknown seed profile '{profile}'.{Host.Suggestions.DidYouMean(profile, config.Profiles)} Profiles (config/database.json seed.profiles): {string.Join(", ", config.Profiles)}.");
        }
    }

    /// <summary>
    /// Runs a <see cref="SeedStep"/>: counts its tables, skips when they hold its threshold or more, applies its files,
    /// counts again. A step without tables applies its files and counts nothing.
    /// </summary>
    public async Task<SeedResult> SeedAsync(NpgsqlConnection connection, SeedStep step, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(step);
        long? before = step.Tables.Count == 0 ? null : await CountRowsAsync(connection, step.Tables, cancellationToken).ConfigureAwait(false);
        if (step.OnlyIf is { } threshold && before >= threshold.Rows)
        {
            return new SeedResult(step.Profile, [], SkipReason(step.Tables, before.Value, threshold.Rows, step.Profile), before, before);
        }

        IReadOnlyList<string> applied;
        if (step.Command is { } command)
        {
            await runner.RunAsync(command, cancellationToken).ConfigureAwait(false);
            applied = [command.Render()];
        }
        else
        {
            applied = await ApplyAsync(connection, step.Profile, step.Files, cancellationToken).ConfigureAwait(false);
        }

        long? after = before is null ? null : await CountRowsAsync(connection, step.Tables, cancellationToken).ConfigureAwait(false);
        return new SeedResult(step.Profile, applied, null, before, after);
    }

    /// <summary>Why a seed below the threshold only is skipped.</summary>
    public static string SkipReason(IReadOnlyList<string> tables, long rows, int threshold, string profile) =>
        $"the seeded tables ({string.Join(", ", tables)}) hold {rows} row(s), at or above the threshold {threshold} "
        + $"(config/database.json seed.threshold); pass --seed={profile} to seed anyway";

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

    /// <summary>The rows the seeded tables of the configuration hold together.</summary>
    public Task<long> CountSeededRowsAsync(NpgsqlConnection connection, CancellationToken cancellationToken = default) =>
        CountRowsAsync(connection, config.Tables, cancellationToken);

    private static async Task<long> CountRowsAsync(NpgsqlConnection connection, IReadOnlyList<string> tables, CancellationToken cancellationToken)
    {
        long total = 0;
        foreach (var table in tables)
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
        RequireProfile(profile);
        var layers = config.Profiles.Take(config.Profiles.ToList().IndexOf(profile) + 1).ToArray();

        return layers.SelectMany(layer =>
        {
            var folder = Path.Combine(root, config.Folder, layer);
            if (!Directory.Exists(folder))
            {
                throw new ConfigurationException(
                    $"Seed profile '{layer}' has no folder {Path.GetRelativePath(root, folder)}: add it, or remove '{layer}' from seed.profiles of config/database.json.");
            }

            return Directory.EnumerateFiles(folder, "*.sql").Order(StringComparer.Ordinal);
        }).ToArray();
    }
}
