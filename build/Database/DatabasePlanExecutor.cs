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
        string? incoming = null;
        string? swappedAside = null;
        DatabaseState? state = null;
        var pruning = Task.CompletedTask;
        try
        {
            foreach (var step in plan.Steps)
            {
                switch (step)
                {
                    case RetentionStep:
                        await using (var maintenance = await OpenMaintenanceAsync(cancellationToken).ConfigureAwait(false))
                        {
                            pruning = await workspace.Asides.StartPruneAsync(maintenance, cancellationToken).ConfigureAwait(false);
                        }

                        break;
                    case AsideCopyStep asideStep:
                        // The copy needs the database without sessions, this run's own included.
                        await CloseAsync().ConfigureAwait(false);
                        await using (var maintenance = await OpenMaintenanceAsync(cancellationToken).ConfigureAwait(false))
                        {
                            state = await DatabaseState.ReadAsync(maintenance, workspace.Target.Database, cancellationToken).ConfigureAwait(false);
                            aside = asideStep.Move
                                ? await MoveAsideAsync(maintenance, state, name => aside = name, cancellationToken).ConfigureAwait(false)
                                : await CopyAsideAsync(maintenance, cancellationToken).ConfigureAwait(false);
                        }

                        break;
                    case NewDatabaseStep newDatabase:
                        await using (var maintenance = await OpenMaintenanceAsync(cancellationToken).ConfigureAwait(false))
                        {
                            await SnapshotService.DropAsync(maintenance, newDatabase.Name, cancellationToken).ConfigureAwait(false);
                            incoming = newDatabase.Name;
                            await DatabaseConnector.ExecuteAsync(
                                maintenance,
                                await ServerInfo.CreateLikeSqlAsync(maintenance, newDatabase.Name, workspace.Target.Database, cancellationToken).ConfigureAwait(false),
                                cancellationToken: cancellationToken).ConfigureAwait(false);
                        }

                        break;
                    case SwapStep swap:
                        // Renaming the new database needs it without sessions: this run's own (migrate, seed) end here.
                        await CloseAsync().ConfigureAwait(false);
                        swappedAside = await SwapAsync(swap, cancellationToken).ConfigureAwait(false);
                        incoming = null;
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
            await PutBackAsync(aside, state).ConfigureAwait(false);
            throw;
        }
        catch (Exception) when (incoming is not null)
        {
            await CloseAsync().ConfigureAwait(false);
            await DropIncomingAsync(incoming).ConfigureAwait(false);
            throw;
        }
        finally
        {
            await CloseAsync().ConfigureAwait(false);
            // Never fails: what it could not drop it said, and the next run drops.
            await pruning.ConfigureAwait(false);
        }

        if ((aside ?? swappedAside) is { } kept && !workspace.Config.Backup.BeforeReset)
        {
            // backup.beforeReset false: the aside copy served only while the reset ran.
            await using var maintenance = await OpenMaintenanceAsync(cancellationToken).ConfigureAwait(false);
            await workspace.Asides.DropReplacedAsync(maintenance, kept, cancellationToken).ConfigureAwait(false);
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

    private Task<NpgsqlConnection> OpenMaintenanceAsync(CancellationToken cancellationToken) =>
        DatabaseConnector.OpenAsync(workspace.Target, workspace.Config.MaintenanceDatabase, cancellationToken);

    private async Task<string> CopyAsideAsync(NpgsqlConnection maintenance, CancellationToken cancellationToken)
    {
        var asides = workspace.Asides;
        var (aside, takenAt) = await asides.NewNameAsync(maintenance, cancellationToken).ConfigureAwait(false);
        await asides.CopyAsync(maintenance, aside, "copied before DbReset", takenAt, cancellationToken).ConfigureAwait(false);
        Log.Information($"Aside copy before reset: database {aside} (BackupList lists it)");
        return aside;
    }

    private async Task<string> MoveAsideAsync(NpgsqlConnection maintenance, DatabaseState? state, Action<string> moved, CancellationToken cancellationToken)
    {
        var asides = workspace.Asides;
        var database = workspace.Target.Database;
        var (aside, takenAt) = await asides.NewNameAsync(maintenance, cancellationToken).ConfigureAwait(false);
        await asides.MoveAsync(
            maintenance, aside, "renamed aside by DbReset", takenAt,
            state ?? throw DatabaseException.Failed($"Database '{database}' does not exist on {workspace.Target.Describe()}: nothing to reset."),
            () => moved(aside), cancellationToken).ConfigureAwait(false);
        Log.Information($"Aside copy before reset: database {database} renamed to {aside} (BackupList lists it); an empty {database} takes its place");
        return aside;
    }

    private async Task<string> SwapAsync(SwapStep swap, CancellationToken cancellationToken)
    {
        var asides = workspace.Asides;
        await using var maintenance = await OpenMaintenanceAsync(cancellationToken).ConfigureAwait(false);
        var (aside, takenAt) = await asides.NewNameAsync(maintenance, cancellationToken).ConfigureAwait(false);
        await asides.SwapAsync(maintenance, swap.Incoming, aside, swap.Reason, takenAt, cancellationToken).ConfigureAwait(false);
        Log.Information(workspace.Config.Backup.BeforeReset
            ? $"The new database took the name {workspace.Target.Database}; the replaced one is aside as {aside} (BackupList lists it)"
            : $"The new database took the name {workspace.Target.Database}; the replaced one ({aside}) is dropped (backup.beforeReset is false)");
        return aside;
    }

    /// <summary>A step before the swap failed: the database was never touched; the half-built new one goes.</summary>
    private async Task DropIncomingAsync(string incoming)
    {
        var database = workspace.Target.Database;
        try
        {
            await using var maintenance = await OpenMaintenanceAsync(CancellationToken.None).ConfigureAwait(false);
            await SnapshotService.DropAsync(maintenance, incoming, CancellationToken.None).ConfigureAwait(false);
            Log.Information($"The reset failed before the swap: {database} was not touched and is as it was; the new database {incoming} was dropped.");
        }
        catch (Exception exception) when (exception is NpgsqlException or DatabaseException)
        {
            Log.Information($"The reset failed before the swap: {database} was not touched and is as it was; the new database {incoming} is left on the server ({exception.Message}): the next reset drops it.");
        }
    }

    /// <summary>A step after the aside copy failed: the copy goes back under the database's own name, as it was before the run.</summary>
    private async Task PutBackAsync(string aside, DatabaseState? state)
    {
        var database = workspace.Target.Database;
        try
        {
            await using var maintenance = await OpenMaintenanceAsync(CancellationToken.None).ConfigureAwait(false);
            await workspace.Asides.PutBackAsync(maintenance, aside, state, CancellationToken.None).ConfigureAwait(false);
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
