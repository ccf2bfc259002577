using System.Net.Sockets;
using Npgsql;

namespace Build.Database;

/// <summary>Opens Npgsql connections to a target and turns every way that can fail into one clear line.</summary>
public static class DatabaseConnector
{
    public static async Task<NpgsqlConnection> OpenAsync(DatabaseTarget target, string? database = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(target);
        var connection = new NpgsqlConnection(target.ConnectionString(database));
        try
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            return connection;
        }
        catch (Exception exception) when (exception is NpgsqlException or SocketException or TimeoutException)
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw DatabaseException.Failed($"Cannot connect to {target.Describe(database)} (from {target.Source}): {Reason(exception)}");
        }
    }

    /// <summary>
    /// For a dry run, which needs no database: the open connection, or null and why not (the plan then says what it
    /// would read at run time instead of failing).
    /// </summary>
    public static async Task<(NpgsqlConnection? Connection, string? Problem)> TryOpenAsync(DatabaseTarget target, CancellationToken cancellationToken = default)
    {
        try
        {
            return (await OpenAsync(target, cancellationToken: cancellationToken).ConfigureAwait(false), null);
        }
        catch (DatabaseException failure)
        {
            return (null, failure.Message);
        }
    }

    /// <summary>What went wrong, in the server's words where there are any, with the fix for the common cases.</summary>
    public static string Reason(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        return exception switch
        {
            PostgresException { SqlState: PostgresErrorCodes.InvalidPassword } postgres =>
                $"{postgres.MessageText}. Check the password (POSTGRES_PASSWORD in .env, or the one in --connection).",
            PostgresException { SqlState: PostgresErrorCodes.InvalidAuthorizationSpecification } postgres => $"{postgres.MessageText}.",
            PostgresException { SqlState: PostgresErrorCodes.InvalidCatalogName } postgres =>
                $"{postgres.MessageText}. Create it, or check the database name.",
            PostgresException postgres => $"{postgres.MessageText} ({postgres.SqlState}).",
            NpgsqlException { InnerException: SocketException socket } => $"{socket.Message}. Is the server running and the port right?",
            NpgsqlException { InnerException: TimeoutException } or TimeoutException => "timed out. Is the server running and reachable?",
            NpgsqlException { InnerException: { } inner } npgsql => $"{npgsql.Message.TrimEnd('.')}: {inner.Message}",
            _ => exception.Message,
        };
    }

    public static async Task<T> ScalarAsync<T>(NpgsqlConnection connection, string sql, NpgsqlTransaction? transaction = null, CancellationToken cancellationToken = default, params (string Name, object Value)[] parameters)
    {
        await using var command = new NpgsqlCommand(sql, connection, transaction);
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        var result = await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
        return (T)result!;
    }

    public static async Task<int> ExecuteAsync(NpgsqlConnection connection, string sql, NpgsqlTransaction? transaction = null, CancellationToken cancellationToken = default, params (string Name, object Value)[] parameters)
    {
        await using var command = new NpgsqlCommand(sql, connection, transaction);
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }
}
