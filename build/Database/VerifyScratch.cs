using Npgsql;

namespace Build.Database;

/// <summary>
/// The scratch databases <c>Backup --verify</c> restores into. A verify that is killed (kill -9, a lost terminal)
/// cannot drop its own, so BackupList reports them and the next backup removes them. Only ours, and only idle:
/// named with our prefix, and with no session on them nor a verify still holding its maintenance connection (which
/// carries the scratch database's name as its application_name from before CREATE DATABASE until after DROP).
/// </summary>
public static class VerifyScratch
{
    public const string Prefix = "kit_verify_";

    public static string NewName() => $"{Prefix}{Guid.NewGuid():N}"[..30];

    /// <summary>The application_name of the verify's own maintenance connection: marks the scratch database as in use.</summary>
    public static string ApplicationName(string scratch) => "kit-verify:" + scratch;

    /// <summary>Leftover scratch databases on the target's server (name, size in bytes when readable), oldest name first.</summary>
    public static async Task<IReadOnlyList<(string Name, long? SizeBytes)>> LeftoversAsync(NpgsqlConnection connection, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(connection);
        await using var command = new NpgsqlCommand(
            """
            SELECT d.datname,
                   CASE WHEN has_database_privilege(d.datname, 'CONNECT') THEN pg_database_size(d.datname) END
            FROM pg_database d
            WHERE d.datname LIKE @pattern
              AND NOT EXISTS (SELECT 1 FROM pg_stat_activity a WHERE a.datname = d.datname OR a.application_name = @marker || d.datname)
            ORDER BY 1
            """,
            connection);
        command.Parameters.AddWithValue("pattern", Prefix.Replace("_", "\\_", StringComparison.Ordinal) + "%");
        command.Parameters.AddWithValue("marker", ApplicationName(string.Empty));
        var leftovers = new List<(string, long?)>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            leftovers.Add((reader.GetString(0), reader.IsDBNull(1) ? null : reader.GetInt64(1)));
        }

        return leftovers;
    }

    /// <summary>
    /// Drops the leftovers; returns one line per database for the log. Never fails the calling backup: a scratch
    /// database someone connected to in the meantime, or one we may not drop, is reported and left.
    /// </summary>
    public static async Task<IReadOnlyList<string>> RemoveLeftoversAsync(NpgsqlConnection connection, CancellationToken cancellationToken = default)
    {
        var lines = new List<string>();
        foreach (var (name, size) in await LeftoversAsync(connection, cancellationToken).ConfigureAwait(false))
        {
            try
            {
                // Without FORCE: a session that appeared since the check makes this fail instead of being ended.
                await DatabaseConnector.ExecuteAsync(connection, $"DROP DATABASE IF EXISTS {Sql.Identifier(name)}", cancellationToken: cancellationToken).ConfigureAwait(false);
                lines.Add($"Removed {name}, the scratch database of a Backup --verify that did not finish{Size(size)}.");
            }
            catch (PostgresException exception)
            {
                lines.Add($"Left {name}, the scratch database of a Backup --verify that did not finish: {exception.MessageText}. Drop it as its owner.");
            }
        }

        return lines;
    }

    public static string Size(long? bytes) => bytes is { } value ? $" ({value / 1024.0 / 1024.0:0.0} MB)" : string.Empty;
}
