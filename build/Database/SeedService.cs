namespace Build.Database;

/// <summary>
/// Seed as a plan: the profile's files (its layers, smallest first) in one transaction. Without an explicit profile the
/// step seeds only while the seeded tables are below the threshold, counted when it runs; the plan shows what they hold
/// now when the database answers, else <see cref="SeedThreshold.ReadAtRunTime"/>. A dry run prints <see cref="PlanAsync"/>;
/// <see cref="RunAsync"/> runs that same plan.
/// </summary>
public sealed class SeedService(DatabaseWorkspace workspace)
{
    private DatabaseException? unreachable;

    /// <param name="explicitProfile">--seed: seeds that profile whatever the tables hold.</param>
    public async Task<DatabasePlan> PlanAsync(string? explicitProfile, CancellationToken cancellationToken = default)
    {
        var config = workspace.Config.Seed;
        var profile = explicitProfile ?? config.DefaultProfile;
        var step = workspace.SeedStep(profile);
        var title = $"Would seed profile '{profile}' into {workspace.Target.Describe()}:";
        if (explicitProfile is not null)
        {
            return new DatabasePlan { Title = title, Steps = [step] };
        }

        var (rows, problem) = await CountNowAsync(cancellationToken).ConfigureAwait(false);
        var notes = rows >= config.Threshold
            ? [$"would skip now: {Seeder.SkipReason(config.Tables, rows.Value, config.Threshold, profile)}"]
            : problem is null ? Array.Empty<string>() : [$"now: {problem}"];
        return new DatabasePlan { Title = title, Steps = [step with { OnlyIf = new SeedThreshold(config.Threshold, rows) }], Notes = notes };
    }

    /// <summary>Runs the plan and returns the line that says what was seeded, or why nothing was.</summary>
    public async Task<string> RunAsync(DatabasePlan plan, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(plan);
        if (unreachable is { } problem)
        {
            // The plan found no database: its reason is the run's, without waiting a second time for a timeout.
            throw problem;
        }

        var result = await new DatabasePlanExecutor(workspace).RunAsync(plan, cancellationToken).ConfigureAwait(false);
        var seeded = result.Seeded!;
        if (seeded.SkipReason is { } reason)
        {
            return $"Skipped seeding: {reason}.";
        }

        var (before, after) = (seeded.RowsBefore ?? 0, seeded.RowsAfter ?? 0);
        return $"Seeded profile '{seeded.Profile}' ({seeded.Applied.Count} file(s)); the seeded tables hold {after} row(s), {after - before} new.";
    }

    /// <summary>The seeded tables' rows now (read-only), or why they cannot be read: no database, or no tables before Migrate ran.</summary>
    private async Task<(long? Rows, string? Problem)> CountNowAsync(CancellationToken cancellationToken)
    {
        var (connection, problem) = await DatabaseConnector.TryOpenAsync(workspace.Target, cancellationToken).ConfigureAwait(false);
        if (connection is null)
        {
            unreachable = problem;
            return (null, problem!.Message);
        }

        await using (connection)
        {
            try
            {
                return (await workspace.Seeder.CountSeededRowsAsync(connection, cancellationToken).ConfigureAwait(false), null);
            }
            catch (DatabaseException missing)
            {
                return (null, missing.Message);
            }
        }
    }
}
