using System.Net.Sockets;
using Npgsql;

namespace Build.Database;

/// <summary>Opens Npgsql connections to a target and turns every way that can fail into one clear line.</summary>
public static class DatabaseConnector
{
    /// <param name="applicationName">Shown in pg_stat_activity; marks what the session is for (a verify's scratch database).</param>
    public static Task<NpgsqlConnection> OpenAsync(DatabaseTarget target, string? database = null, CancellationToken cancellationToken = default, string? applicationName = null) =>
        OpenAsync(target, database, applicationName, lean: false, cancellationToken);

    /// <summary>A lean connection (see the private overload): for questions in built-in types only (integers, text, names, booleans).</summary>
    public static Task<NpgsqlConnection> OpenLeanAsync(DatabaseTarget target, string? database = null, CancellationToken cancellationToken = default, string? applicationName = null) =>
        OpenAsync(target, database, applicationName, lean: true, cancellationToken);

    /// <param name="lean">
    /// For a few questions in built-in types only (integers, text, booleans): Npgsql's slim data source, without loading
    /// the database's types. Its first open costs a fraction of a full one (no type-mapping resolvers to build, no
    /// pg_type query); a column of another type would fail to read, so only a caller that asks nothing else uses it.
    /// </param>
    private static async Task<NpgsqlConnection> OpenAsync(DatabaseTarget target, string? database, string? applicationName, bool lean, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(target);
        var connectionString = applicationName is null
            ? target.ConnectionString(database)
            : new NpgsqlConnectionStringBuilder(target.ConnectionString(database)) { ApplicationName = applicationName }.ConnectionString;
        // The lean source belongs to its one connection: disposed when that connection closes (or fails to open).
        var source = lean ? new NpgsqlSlimDataSourceBuilder(connectionString).ConfigureTypeLoading(types => types.EnableTypeLoading(false)).Build() : null;
        var connection = source?.CreateConnection() ?? new NpgsqlConnection(connectionString);
        try
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            if (source is not null)
            {
                connection.StateChange += (_, change) =>
                {
                    if (change.CurrentState == System.Data.ConnectionState.Closed)
                    {
                        source.Dispose();
                    }
                };
            }

            return connection;
        }
        catch (Exception exception) when (exception is NpgsqlException or SocketException or TimeoutException)
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            source?.Dispose();
            if (target.ComposeService is { } service && IsRefused(exception))
            {
                // Nothing listens on the stack's database port: the stack is stopped (or was never started here).
                throw DatabaseException.Failed(
                    $"Cannot connect to {target.Describe(database)}: the compose stack's database (service '{service}') is not running. Start it with {Bootstrapper.Command} --target=DevUp.");
            }

            throw DatabaseException.Failed($"Cannot connect to {target.Describe(database)} (from {target.Source}): {Reason(exception)}");
        }
    }

    /// <summary>
    /// Closes a connection opened ahead of a check that then refused: waits for the opening to end, and swallows its own
    /// failure (the refusal is what is reported).
    /// </summary>
    public static async Task CloseUnusedAsync(Task<NpgsqlConnection> opening)
    {
        ArgumentNullException.ThrowIfNull(opening);
        try
        {
            await (await opening.ConfigureAwait(false)).DisposeAsync().ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is DatabaseException or OperationCanceledException)
        {
            // The check's refusal is the line to say.
        }
    }

    /// <summary>
    /// For a plan, which needs no database: the open connection, or null and why not (the plan then says what it reads
    /// at run time instead of failing; a run that follows it fails with that same reason).
    /// </summary>
    public static async Task<(NpgsqlConnection? Connection, DatabaseException? Problem)> TryOpenAsync(DatabaseTarget target, CancellationToken cancellationToken = default, bool lean = false)
    {
        try
        {
            return (await OpenAsync(target, null, null, lean, cancellationToken).ConfigureAwait(false), null);
        }
        catch (DatabaseException failure)
        {
            return (null, failure);
        }
    }

    /// <summary>The server ended the session: pg_terminate_backend, a fast or immediate shutdown, a crash (57P01-57P03).</summary>
    public static bool IsTerminated(Exception exception) =>
        exception is PostgresException { SqlState: PostgresErrorCodes.AdminShutdown or PostgresErrorCodes.CrashShutdown or PostgresErrorCodes.CannotConnectNow }
        || exception is NpgsqlException { InnerException: IOException or EndOfStreamException };

    private static bool IsRefused(Exception exception) =>
        exception is NpgsqlException { InnerException: SocketException { SocketErrorCode: SocketError.ConnectionRefused } }
        or SocketException { SocketErrorCode: SocketError.ConnectionRefused };

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
            PostgresException { SqlState: PostgresErrorCodes.AdminShutdown } postgres =>
                $"the server ended the connection ({postgres.MessageText}: an administrator ended the session or the server is shutting down, {postgres.SqlState}).",
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
