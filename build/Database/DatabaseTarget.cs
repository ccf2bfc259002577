using Npgsql;

namespace Build.Database;

/// <summary>
/// The database a task works on, resolved once: the connection (password registered as a secret), whether it is the
/// compose stack's own database service, and what the environment's configuration says about it.
/// </summary>
public sealed class DatabaseTarget
{
    private readonly string connectionString;

    public DatabaseTarget(string environmentName, string connectionString, string? composeService, bool isProtected, string source)
    {
        ArgumentNullException.ThrowIfNull(connectionString);
        EnvironmentName = environmentName;
        var builder = new NpgsqlConnectionStringBuilder(connectionString)
        {
            // The kit ends other sessions and drops databases: a pooled connection would outlive that and fail later.
            Pooling = false,
        };
        if (string.IsNullOrEmpty(builder.Host))
        {
            throw DatabaseException.Refused($"The connection from {source} names no Host. Give Host=...;Database=...;Username=...;Password=...");
        }

        if (string.IsNullOrEmpty(builder.Database))
        {
            throw DatabaseException.Refused($"The connection from {source} names no Database. Give Host=...;Database=...;Username=...;Password=...");
        }

        this.connectionString = builder.ConnectionString;
        Host = builder.Host;
        Port = builder.Port;
        Database = builder.Database;
        Username = builder.Username ?? System.Environment.UserName;
        Password = builder.Password;
        ComposeService = composeService;
        IsProtected = isProtected;
        Source = source;
    }

    public string EnvironmentName { get; }

    public string Host { get; }

    public int Port { get; }

    public string Database { get; }

    public string Username { get; }

    public string? Password { get; }

    /// <summary>The compose service that runs this database (only when it came from config, not from --connection).</summary>
    public string? ComposeService { get; }

    public bool IsCompose => ComposeService is not null;

    /// <summary>The environment is marked protected in config/project.json: destructive tasks refuse it.</summary>
    public bool IsProtected { get; }

    /// <summary>Where the connection came from, for messages ("--connection", "config/database.json (dev)").</summary>
    public string Source { get; }

    /// <summary>The connection string to this database or, given a name, to another one on the same server.</summary>
    public string ConnectionString(string? database = null) =>
        database is null ? connectionString : new NpgsqlConnectionStringBuilder(connectionString) { Database = database }.ConnectionString;

    public Tools.Postgres.PostgresConnection ToClientConnection(string? database = null) =>
        new(Host, Port, Username, database ?? Database, Password);

    /// <summary>user@host:port/database: never the password.</summary>
    public string Describe(string? database = null) => $"{Username}@{Host}:{Port}/{database ?? Database}";
}
