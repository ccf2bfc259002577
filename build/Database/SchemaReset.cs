using Build.Configuration;

namespace Build.Database;

/// <summary>
/// Drops and recreates the application's schemas and clears the migration history, in one transaction: either the
/// database is empty afterwards and ready to migrate, or nothing changed. Roles and extensions are left alone.
/// The whole history is cleared because the objects it records lived in the dropped schemas; a migration that
/// creates something elsewhere (an extension) must therefore be idempotent (CREATE EXTENSION IF NOT EXISTS).
/// </summary>
public static class SchemaReset
{
    /// <summary>The transaction as a plan step on <paramref name="database"/>.</summary>
    public static TransactionStep Step(string database, IReadOnlyList<string> schemas, HistoryTableConfig history)
    {
        ArgumentNullException.ThrowIfNull(schemas);
        ArgumentNullException.ThrowIfNull(history);
        var statements = new List<SqlStep>();
        foreach (var schema in schemas)
        {
            statements.Add(new SqlStep(database, $"DROP SCHEMA IF EXISTS {Sql.Identifier(schema)} CASCADE"));
            statements.Add(new SqlStep(database, $"CREATE SCHEMA {Sql.Identifier(schema)}"));
        }

        var table = Sql.Qualified(history.Schema, history.Table);
        statements.Add(new SqlStep(database, $"DELETE FROM {table}")
        {
            OnlyIf = new SqlStep(database, "SELECT to_regclass(@table) IS NOT NULL") { Parameters = [new SqlParameter("table", table)] },
        });
        return new TransactionStep(database, statements);
    }
}
