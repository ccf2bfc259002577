using Cake.Core.Diagnostics;
using Npgsql;

namespace Build.Database;

/// <summary>What running a plan did, for the task's closing line.</summary>
public sealed record DatabasePlanResult(MigrationResult? Migrated, SeedResult? Seeded);

/// <summary>
/// Runs a <see cref="DatabasePlan"/> step by step, exactly as it is printed: the SQL text and parameters of each step,
/// the listed migrations and seed files, the aside copy (put back when a later step fails). A step that finds the database other than the plan
/// assumed (a migration list that no longer matches) stops the run before it changes anything; what a plan could only
/// say "read at run time" of (pending migrations, the seed threshold) is read here.
/// </summary>
public sealed class DatabasePlanExecutor(DatabaseWorkspace workspace)
{
    private ICakeLog Log => workspace.Log;

    public async Task<DatabasePlanResult> RunAsync(DatabasePlan plan, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(plan);
        var connections = new Dictionary<string, NpgsqlConnection>(StringComparer.Ordinal);
        MigrationResult? migrated = null;
        SeedResult? seeded = null;
        string? aside = null;
        try
        {
            foreach (var step in plan.Steps)
            {
                switch (step)
                {
                    case AsideCopyStep:
                        // The copy needs the database without sessions, this run's own included.
                        await CloseAsync().ConfigureAwait(false);
                        aside = await CopyAsideAsync(cancellationToken).ConfigureAwait(false);
                        break;
                    case SqlStep sql:
                        await RunAsync(await OpenAsync(sql.Database).ConfigureAwait(false), sql, null, cancellationToken).ConfigureAwait(false);
                        break;
                    case TransactionStep transactionStep:
                        var connection = await OpenAsync(transactionStep.Database).ConfigureAwait(false);
                        await using (var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false))
                        {
                            foreach (var statement in transactionStep.Statements)
                            {
                                await RunAsync(connection, statement, transaction, cancellationToken).ConfigureAwait(false);
                            }

                            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
                        }

                        break;
                    case MigrateStep migrate:
                        migrated = await MigrateAsync(await OpenAsync(migrate.Database).ConfigureAwait(false), migrate, cancellationToken).ConfigureAwait(false);
                        break;
                    case SeedStep seed:
                        seeded = await workspace.Seeder.SeedAsync(await OpenAsync(seed.Database).ConfigureAwait(false), seed, cancellationToken).ConfigureAwait(false);
                        break;
                    case ToolStep tool:
                        await workspace.Runner.RunAsync(tool.Command, cancellationToken).ConfigureAwait(false);
                        break;
                    case SnapshotStep { Action: SnapshotAction.Save } snapshot:
                        await workspace.Snapshots.SaveAsync(snapshot.Name, cancellationToken).ConfigureAwait(false);
                        break;
                    case SnapshotStep snapshot:
                        await workspace.Snapshots.RestoreAsync(snapshot.Name, cancellationToken).ConfigureAwait(false);
                        break;
                    default:
                        throw new InvalidOperationException($"No executor for step {step.GetType().Name}.");
                }
            }
        }
        catch (Exception) when (aside is not null)
        {
            await CloseAsync().ConfigureAwait(false);
            await PutBackAsync(aside).ConfigureAwait(false);
            throw;
        }
        finally
        {
            await CloseAsync().ConfigureAwait(false);
        }

        if (aside is not null)
        {
            await using var maintenance = await DatabaseConnector.OpenAsync(workspace.Target, workspace.Config.MaintenanceDatabase, cancellationToken).ConfigureAwait(false);
            await workspace.Asides.PruneAsync(maintenance, cancellationToken).ConfigureAwait(false);
        }

        return new DatabasePlanResult(migrated, seeded);

        async Task CloseAsync()
        {
            foreach (var connection in connections.Values)
            {
                await connection.DisposeAsync().ConfigureAwait(false);
            }

            connections.Clear();
        }

        async Task<NpgsqlConnection> OpenAsync(string database)
        {
            if (!connections.TryGetValue(database, out var connection))
            {
                var other = string.Equals(database, workspace.Target.Database, StringComparison.Ordinal) ? null : database;
                connection = await DatabaseConnector.OpenAsync(workspace.Target, other, cancellationToken).ConfigureAwait(false);
                connections[database] = connection;
            }

            return connection;
        }
    }

    private async Task<string> CopyAsideAsync(CancellationToken cancellationToken)
    {
        var asides = workspace.Asides;
        await using var maintenance = await DatabaseConnector.OpenAsync(workspace.Target, workspace.Config.MaintenanceDatabase, cancellationToken).ConfigureAwait(false);
        var (aside, takenAt) = await asides.NewNameAsync(maintenance, cancellationToken).ConfigureAwait(false);
        await asides.CopyAsync(maintenance, aside, "copied before DbReset", takenAt, cancellationToken).ConfigureAwait(false);
        Log.Information($"Aside copy before reset: database {aside} (BackupList lists it)");
        return aside;
    }

    /// <summary>A step after the aside copy failed: the copy goes back under the database's own name, as it was before the run.</summary>
    private async Task PutBackAsync(string aside)
    {
        var database = workspace.Target.Database;
        try
        {
            await using var maintenance = await DatabaseConnector.OpenAsync(workspace.Target, workspace.Config.MaintenanceDatabase, CancellationToken.None).ConfigureAwait(false);
            await workspace.Asides.PutBackAsync(maintenance, aside, CancellationToken.None).ConfigureAwait(false);
            Log.Information($"The reset failed; {database} is back as it was before it (its aside copy {aside} was put back).");
        }
        catch (Exception exception) when (exception is NpgsqlException or DatabaseException)
        {
            Log.Information($"The reset failed and its aside copy could not be put back ({exception.Message}): the database as it was before is {aside} on the same server; rename it to {database} by hand.");
        }
    }

    private async Task RunAsync(NpgsqlConnection connection, SqlStep step, NpgsqlTransaction? transaction, CancellationToken cancellationToken)
    {
        if (step.OnlyIf is { } condition
            && !await DatabaseConnector.ScalarAsync<bool>(connection, condition.Text, transaction, cancellationToken, condition.Values()).ConfigureAwait(false))
        {
            return;
        }

        if (step.Report is { } report)
        {
            var answer = await DatabaseConnector.ScalarAsync<int>(connection, step.Text, transaction, cancellationToken, step.Values()).ConfigureAwait(false);
            Log.Information(string.Format(System.Globalization.CultureInfo.InvariantCulture, report, answer));
            return;
        }

        await DatabaseConnector.ExecuteAsync(connection, step.Text, transaction, cancellationToken, step.Values()).ConfigureAwait(false);
    }

    private Task<MigrationResult> MigrateAsync(NpgsqlConnection connection, MigrateStep step, CancellationToken cancellationToken) =>
        workspace.Migrations.MigrateAsync(connection, step.All ?? workspace.LoadMigrations(), step.Files, cancellationToken);
}
