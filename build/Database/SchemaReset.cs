using Build.Configuration;
using Npgsql;

namespace Build.Database;

/// <summary>
/// Drops and recreates the application's schemas and clears the migration history, in one transaction: either the
/// database is empty afterwards and ready to migrate, or nothing changed. Roles and extensions are left alone.
/// The whole history is cleared because the objects it records lived in the dropped schemas; a migration that
/// creates something elsewhere (an extension) must therefore be idempotent (CREATE EXTENSION IF NOT EXISTS).
/// </summary>
public static class SchemaReset
{
    public static async Task ResetAsync(NpgsqlConnection connection, IReadOnlyList<string> schemas, HistoryTableConfig history, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(schemas);
        ArgumentNullException.ThrowIfNull(history);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        foreach (var schema in schemas)
        {
            await DatabaseConnector.ExecuteAsync(
                connection, $"DROP SCHEMA IF EXISTS {Sql.Identifier(schema)} CASCADE; CREATE SCHEMA {Sql.Identifier(schema)};", transaction, cancellationToken).ConfigureAwait(false);
        }

        var table = Sql.Qualified(history.Schema, history.Table);
        var exists = await DatabaseConnector.ScalarAsync<bool>(
            connection, "SELECT to_regclass(@table) IS NOT NULL", transaction, cancellationToken, ("table", table)).ConfigureAwait(false);
        if (exists)
        {
            await DatabaseConnector.ExecuteAsync(connection, $"DELETE FROM {table}", transaction, cancellationToken).ConfigureAwait(false);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }
}
