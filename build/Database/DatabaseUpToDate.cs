namespace Build.Database;

/// <summary>
/// DevUp's question to the database, read-only, on one connection: are the migrations at head and do the seeded tables
/// hold at least the threshold? The same checks Migrate and Seed make before they change anything
/// (<see cref="MigrationRunner.StatusAsync"/>, <see cref="Seeder.CountSeededRowsAsync"/>), without planning either.
/// </summary>
public sealed class DatabaseUpToDate(DatabaseWorkspace workspace, Host.PhaseClock clock)
{
    /// <summary>Null and what holds when nothing is to do; else what Migrate or Seed would do, in words.</summary>
    public async Task<(string? Changed, string Holds)> CheckAsync(string? explicitSeed, CancellationToken cancellationToken = default)
    {
        if (explicitSeed is not null)
        {
            return ($"--seed={explicitSeed} seeds whatever the tables hold", string.Empty);
        }

        if (workspace.Config.MigrationCommand is not null)
        {
            return ("migrations are the app's own command (config/database.json migrationCommand): only it knows what is pending", string.Empty);
        }

        var migrations = workspace.LoadMigrations();
        clock.Mark("database: migration files read");
        // Integers, text and booleans only: the lean connection (no type loading) answers them.
        var (connection, problem) = await DatabaseConnector.TryOpenAsync(workspace.Target, cancellationToken, lean: true).ConfigureAwait(false);
        clock.Mark("database: connection opened");
        if (connection is null)
        {
            return ($"the database does not answer ({problem!.Message.TrimEnd('.')})", string.Empty);
        }

        await using (connection)
        {
            MigrationStatus status;
            long rows;
            try
            {
                status = await workspace.Migrations.StatusAsync(connection, migrations, cancellationToken).ConfigureAwait(false);
                if (status.Pending.Count > 0)
                {
                    return ($"{status.Pending.Count} migration(s) pending ({string.Join(", ", status.Pending.Select(m => Path.GetFileName(m.RelativePath)))})", string.Empty);
                }

                clock.Mark("database: migration status read");
                rows = await workspace.Seeder.CountSeededRowsAsync(connection, cancellationToken).ConfigureAwait(false);
                clock.Mark("database: seeded rows counted");
            }
            catch (DatabaseException refused)
            {
                // An applied migration whose file changed, a seeded table missing: Migrate and Seed say it properly.
                return (refused.Message.TrimEnd('.'), string.Empty);
            }

            var threshold = workspace.Config.Seed.Threshold;
            return rows < threshold
                ? ($"the seeded tables ({string.Join(", ", workspace.Config.Seed.Tables)}) hold {rows} row(s), below the threshold {threshold}", string.Empty)
                : (null, $"migrations at version {status.CurrentVersion:D4}, {rows} seeded row(s)");
        }
    }
}
