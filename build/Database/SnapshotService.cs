using System.Text;
using System.Text.RegularExpressions;
using Cake.Core.Diagnostics;
using Npgsql;

namespace Build.Database;

/// <summary>
/// Named snapshots as template databases on the same server: <c>&lt;database&gt;__snap__&lt;name&gt;</c>. Saving clones the
/// database (CREATE DATABASE ... TEMPLATE); resetting from one clones it back under a temporary name first and swaps
/// only when that worked, so a failed clone leaves the database as it was. Seconds instead of migrations and seeds.
/// </summary>
public sealed partial class SnapshotService(DatabaseTarget target, string maintenanceDatabase, ICakeLog log)
{
    private const string Separator = "__snap__";
    private const int MaximumIdentifierBytes = 63;

    public string SnapshotDatabaseName(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (!NamePattern().IsMatch(name))
        {
            throw DatabaseException.Refused($"Snapshot name '{name}' must be 1 to 40 letters, digits, _ or - (e.g. --save-snapshot=before-upgrade).");
        }

        var database = target.Database + Separator + name;
        return Encoding.UTF8.GetByteCount(database) <= MaximumIdentifierBytes
            ? database
            : throw DatabaseException.Refused(
                $"Snapshot '{name}' of database '{target.Database}' would need a database name longer than PostgreSQL's {MaximumIdentifierBytes} bytes. Use a shorter snapshot name.");
    }

    /// <summary>Stores the current database as the template <paramref name="name"/>, replacing an older one of that name.</summary>
    public async Task<string> SaveAsync(string name, CancellationToken cancellationToken = default)
    {
        var snapshot = SnapshotDatabaseName(name);
        await using var connection = await DatabaseConnector.OpenAsync(target, maintenanceDatabase, cancellationToken).ConfigureAwait(false);
        var owner = await OwnerAsync(connection, target.Database, cancellationToken).ConfigureAwait(false);
        var scratch = snapshot + "__new";
        if (Encoding.UTF8.GetByteCount(scratch) > MaximumIdentifierBytes)
        {
            scratch = snapshot[..Math.Max(1, snapshot.Length - 5)] + "__new";
        }

        await DropAsync(connection, scratch, cancellationToken).ConfigureAwait(false);
        await CloneAsync(connection, target.Database, scratch, owner, cancellationToken).ConfigureAwait(false);
        await DropAsync(connection, snapshot, cancellationToken).ConfigureAwait(false);
        await DatabaseConnector.ExecuteAsync(
            connection,
            $"ALTER DATABASE {Sql.Identifier(scratch)} RENAME TO {Sql.Identifier(snapshot)}; "
            + $"ALTER DATABASE {Sql.Identifier(snapshot)} WITH IS_TEMPLATE true ALLOW_CONNECTIONS false; "
            + $"COMMENT ON DATABASE {Sql.Identifier(snapshot)} IS {Sql.Literal($"kit snapshot '{name}' of {target.Database}, saved {DateTimeOffset.UtcNow:yyyy-MM-dd HH:mm:ss} UTC")}",
            cancellationToken: cancellationToken).ConfigureAwait(false);
        return snapshot;
    }

    /// <summary>Replaces the database with a clone of snapshot <paramref name="name"/>.</summary>
    public async Task<string> RestoreAsync(string name, CancellationToken cancellationToken = default)
    {
        var snapshot = SnapshotDatabaseName(name);
        await using var connection = await DatabaseConnector.OpenAsync(target, maintenanceDatabase, cancellationToken).ConfigureAwait(false);
        if (!await ServerInfo.DatabaseExistsAsync(connection, snapshot, cancellationToken).ConfigureAwait(false))
        {
            var known = await ListAsync(connection, cancellationToken).ConfigureAwait(false);
            throw DatabaseException.Refused(
                $"There is no snapshot '{name}' of database '{target.Database}'. "
                + (known.Count == 0 ? "Save one first: --save-snapshot=<name>." : $"Known: {string.Join(", ", known)}."));
        }

        var owner = await OwnerAsync(connection, target.Database, cancellationToken).ConfigureAwait(false);
        var incoming = target.Database.Length > 40 ? target.Database[..40] + "__incoming" : target.Database + "__incoming";
        await DropAsync(connection, incoming, cancellationToken).ConfigureAwait(false);
        await CloneAsync(connection, snapshot, incoming, owner, cancellationToken).ConfigureAwait(false);

        // The clone exists: only now is the old database dropped and the clone renamed into its place.
        await DropAsync(connection, target.Database, cancellationToken).ConfigureAwait(false);
        await DatabaseConnector.ExecuteAsync(
            connection, $"ALTER DATABASE {Sql.Identifier(incoming)} RENAME TO {Sql.Identifier(target.Database)}", cancellationToken: cancellationToken).ConfigureAwait(false);
        return snapshot;
    }

    public async Task<IReadOnlyList<string>> ListAsync(NpgsqlConnection connection, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(connection);
        var prefix = target.Database + Separator;
        var names = new List<string>();
        await using var command = new NpgsqlCommand("SELECT datname FROM pg_database WHERE starts_with(datname, @prefix) ORDER BY 1", connection);
        command.Parameters.AddWithValue("prefix", prefix);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            names.Add(reader.GetString(0)[prefix.Length..]);
        }

        return names;
    }

    private async Task CloneAsync(NpgsqlConnection connection, string source, string destination, string owner, CancellationToken cancellationToken)
    {
        // CREATE DATABASE ... TEMPLATE needs the source to have no sessions; a client may reconnect in between, so try a few times.
        for (var attempt = 1; ; attempt++)
        {
            var ended = await ServerInfo.TerminateOtherSessionsAsync(connection, source, cancellationToken).ConfigureAwait(false);
            if (ended > 0)
            {
                log.Information($"Ended {ended} other session(s) on {source}");
            }

            try
            {
                await DatabaseConnector.ExecuteAsync(
                    connection,
                    $"CREATE DATABASE {Sql.Identifier(destination)} TEMPLATE {Sql.Identifier(source)} OWNER {Sql.Identifier(owner)}",
                    cancellationToken: cancellationToken).ConfigureAwait(false);
                return;
            }
            catch (PostgresException exception) when (exception.SqlState == PostgresErrorCodes.ObjectInUse && attempt < 5)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(200 * attempt), cancellationToken).ConfigureAwait(false);
            }
            catch (PostgresException exception)
            {
                throw DatabaseException.Failed($"Cloning {source} into {destination} failed: {exception.MessageText} ({exception.SqlState}).");
            }
        }
    }

    internal static async Task DropAsync(NpgsqlConnection connection, string database, CancellationToken cancellationToken)
    {
        if (!await ServerInfo.DatabaseExistsAsync(connection, database, cancellationToken).ConfigureAwait(false))
        {
            return;
        }

        // A template cannot be dropped; FORCE ends any session still connected (PostgreSQL 13+).
        // Two commands: DROP DATABASE refuses to run inside the implicit transaction of a multi-statement batch.
        await DatabaseConnector.ExecuteAsync(connection, $"ALTER DATABASE {Sql.Identifier(database)} WITH IS_TEMPLATE false", cancellationToken: cancellationToken).ConfigureAwait(false);
        await DatabaseConnector.ExecuteAsync(connection, $"DROP DATABASE {Sql.Identifier(database)} WITH (FORCE)", cancellationToken: cancellationToken).ConfigureAwait(false);
    }

    private static async Task<string> OwnerAsync(NpgsqlConnection connection, string database, CancellationToken cancellationToken) =>
        await DatabaseConnector.ScalarAsync<string?>(
            connection, "SELECT pg_get_userbyid(datdba)::text FROM pg_database WHERE datname = @name", cancellationToken: cancellationToken, parameters: ("name", database)).ConfigureAwait(false)
        ?? throw DatabaseException.Failed($"Database '{database}' does not exist on {connection.Host}:{connection.Port}.");

    [GeneratedRegex("^[A-Za-z0-9_-]{1,40}$")]
    private static partial Regex NamePattern();
}
