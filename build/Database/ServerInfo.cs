using Cake.Core.Diagnostics;
using Npgsql;

namespace Build.Database;

/// <summary>What the kit reads from a server: its version, the row count of every table, other sessions.</summary>
public static class ServerInfo
{
    /// <summary>
    /// The server's version as <c>server_version</c> and <c>server_version_num</c> give it, from what the server
    /// reported when the connection opened (no round trip): 15.14 is 150014, 9.6.24 is 90624.
    /// </summary>
    public static (string Version, int VersionNumber) Version(NpgsqlConnection connection)
    {
        ArgumentNullException.ThrowIfNull(connection);
        var version = connection.PostgreSqlVersion;
        var number = version.Major >= 10
            ? (version.Major * 10000) + Math.Max(0, version.Minor)
            : (version.Major * 10000) + (Math.Max(0, version.Minor) * 100) + Math.Max(0, version.Build);
        return (connection.ServerVersion, number);
    }

    /// <summary>
    /// The exact row count of every ordinary table outside the system schemas, keyed "schema.table", read in the
    /// given transaction (a backup reads them in the very snapshot pg_dump dumps, while it dumps). A table the user
    /// may not read is left out rather than failing here: the error would abort the transaction whose snapshot
    /// pg_dump is importing, and pg_dump then fails on that table in its own words.
    /// </summary>
    public static async Task<SortedDictionary<string, long>> RowCountsAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(connection);
        var tables = new List<(string Schema, string Table)>();
        await using (var command = new NpgsqlCommand(
                         $"""
                         SELECT n.nspname, c.relname
                         FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                         WHERE {UserTablesCondition}
                         ORDER BY 1, 2
                         """,
                         connection,
                         transaction))
        {
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                tables.Add((reader.GetString(0), reader.GetString(1)));
            }
        }

        var counts = new SortedDictionary<string, long>(StringComparer.Ordinal);
        foreach (var (schema, table) in tables)
        {
            counts[$"{schema}.{table}"] = await DatabaseConnector.ScalarAsync<long>(
                connection, $"SELECT count(*) FROM {Sql.Qualified(schema, table)}", transaction, cancellationToken).ConfigureAwait(false);
        }

        return counts;
    }

    /// <summary>
    /// How many rows were inserted into each table of a database that only a restore has written to, from the server's
    /// statistics counters (<c>pg_stat_get_tuples_inserted</c>): no scan of the freshly restored tables, whose first
    /// reader would otherwise rewrite every page to set its hint bits. Waits for the restore's sessions to end (each
    /// flushes its counters as it exits). Null when the server does not count (<c>track_counts</c> off) or sessions
    /// stay: the caller counts then. A caller takes a match as proof and recounts exactly before reporting a difference.
    /// </summary>
    public static async Task<SortedDictionary<string, long>?> RestoredRowCountsAsync(NpgsqlConnection restored, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(restored);
        if (await DatabaseConnector.ScalarAsync<string>(restored, "SHOW track_counts", cancellationToken: cancellationToken).ConfigureAwait(false) != "on")
        {
            return null;
        }

        for (var attempt = 0; await DatabaseConnector.ScalarAsync<long>(
                 restored, "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()", cancellationToken: cancellationToken).ConfigureAwait(false) > 0; attempt++)
        {
            // A restore's sessions end within milliseconds of pg_restore's exit: a short poll, up to 5 s.
            if (attempt == 250)
            {
                return null;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(20), cancellationToken).ConfigureAwait(false);
        }

        var counts = new SortedDictionary<string, long>(StringComparer.Ordinal);
        await using var command = new NpgsqlCommand(
            $"""
            SELECT n.nspname, c.relname, pg_stat_get_tuples_inserted(c.oid)
            FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE {UserTablesCondition}
            """,
            restored);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            counts[$"{reader.GetString(0)}.{reader.GetString(1)}"] = reader.GetInt64(2);
        }

        return counts;
    }

    // The tables a backup counts: ordinary tables outside the system schemas that the user may read.
    private const string UserTablesCondition =
        "c.relkind = 'r' AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_%' AND has_table_privilege(c.oid, 'SELECT')";

    /// <summary>Ends every other session on the database (the app, a psql left open) so it can be reset or restored.</summary>
    /// <summary>Ends every session on @database but the caller's own; answers how many.</summary>
    public const string TerminateOtherSessionsSql = "SELECT count(pg_terminate_backend(pid))::int FROM pg_stat_activity WHERE datname = @database AND pid <> pg_backend_pid()";

    public static SqlStep TerminateOtherSessionsStep(string connectedTo, string database) =>
        new(connectedTo, TerminateOtherSessionsSql) { Parameters = [new SqlParameter("database", database)] };

    /// <summary>
    /// <c>CREATE DATABASE ... TEMPLATE</c>: a clone of a whole database on its server (a snapshot, an aside copy).
    /// <c>STRATEGY FILE_COPY</c> copies the files; PostgreSQL 15's default, <c>WAL_LOG</c>, writes every page of the
    /// template through the write-ahead log, which on a 456 MB database took 4.2 s and 1.6 s of server CPU here against
    /// 0.9-1.4 s and 0.2-0.4 s (the docs: FILE_COPY "may be faster when the template database is large"). Before 15
    /// a file copy is the only strategy and the clause does not exist: <paramref name="serverMajorVersion"/> below 15
    /// leaves it out (null: the plan's text, written for a current server).
    /// </summary>
    public static string TemplateCloneSql(string destination, string template, string? quotedOwner, int? serverMajorVersion = null) =>
        $"CREATE DATABASE {Sql.Identifier(destination)} TEMPLATE {Sql.Identifier(template)}"
        + (quotedOwner is null ? string.Empty : $" OWNER {quotedOwner}")
        + (serverMajorVersion is null or >= 15 ? " STRATEGY FILE_COPY" : string.Empty);

    /// <summary><c>CREATE DATABASE ... TEMPLATE template0</c> with <paramref name="like"/> (owner, encoding and locale clauses, or a plan's placeholder).</summary>
    public static string CreateLikeSql(string database, string like) => $"CREATE DATABASE {Sql.Identifier(database)} TEMPLATE template0 {like}".TrimEnd();

    /// <summary>What a plan prints for the clauses <see cref="CreateLikeSqlAsync"/> reads.</summary>
    public static string LikePlaceholder(string database) => $"<owner, encoding and locale of {database}, read at run time>";

    /// <summary>
    /// An empty database made like <paramref name="likeDatabase"/>: its owner, encoding and locale. When that one does
    /// not exist (a restore onto a new server), the server's defaults and the connecting user.
    /// </summary>
    public static async Task<string> CreateLikeSqlAsync(NpgsqlConnection admin, string database, string likeDatabase, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(admin);
        await using var command = new NpgsqlCommand(
            "SELECT pg_get_userbyid(datdba)::text, pg_encoding_to_char(encoding), datcollate, datctype FROM pg_database WHERE datname = @name", admin);
        command.Parameters.AddWithValue("name", likeDatabase);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        return await reader.ReadAsync(cancellationToken).ConfigureAwait(false)
            ? CreateLikeSql(database, $"OWNER {Sql.Identifier(reader.GetString(0))} ENCODING {Sql.Literal(reader.GetString(1))} LC_COLLATE {Sql.Literal(reader.GetString(2))} LC_CTYPE {Sql.Literal(reader.GetString(3))}")
            : CreateLikeSql(database, string.Empty);
    }

    /// <summary>
    /// Objects of <paramref name="database"/> that a database rebuilt from the migrations would not have: schemas
    /// other than <paramref name="rebuilt"/> and public, and tables, views, sequences, functions and types outside
    /// them, that no extension owns. At most a few names, for one line; empty when there are none.
    /// </summary>
    public static async Task<IReadOnlyList<string>> ObjectsOutsideAsync(NpgsqlConnection connection, IReadOnlyCollection<string> rebuilt, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(connection);
        await using var command = new NpgsqlCommand(
            """
            WITH kept AS (
                SELECT n.oid, n.nspname FROM pg_namespace n
                WHERE NOT (n.nspname = ANY(@rebuilt)) AND n.nspname NOT IN ('pg_catalog', 'information_schema')
                  AND n.nspname NOT LIKE 'pg\_%'
            ), owned AS (SELECT objid FROM pg_depend WHERE deptype = 'e')
            SELECT 'schema ' || quote_ident(k.nspname) FROM kept k
            WHERE k.nspname <> 'public' AND k.oid NOT IN (SELECT objid FROM owned)
            UNION ALL
            SELECT 'table or sequence ' || quote_ident(k.nspname) || '.' || quote_ident(c.relname) FROM pg_class c JOIN kept k ON k.oid = c.relnamespace
            WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f') AND c.oid NOT IN (SELECT objid FROM owned)
            UNION ALL
            SELECT 'function ' || quote_ident(k.nspname) || '.' || quote_ident(p.proname) FROM pg_proc p JOIN kept k ON k.oid = p.pronamespace
            WHERE p.oid NOT IN (SELECT objid FROM owned)
            UNION ALL
            SELECT 'type ' || quote_ident(k.nspname) || '.' || quote_ident(t.typname) FROM pg_type t JOIN kept k ON k.oid = t.typnamespace
            WHERE t.typtype IN ('d', 'e', 'r', 'm') AND t.oid NOT IN (SELECT objid FROM owned)
            LIMIT 4
            """,
            connection);
        command.Parameters.AddWithValue("rebuilt", rebuilt.ToArray());
        var found = new List<string>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            found.Add(reader.GetString(0));
        }

        return found;
    }

    /// <summary>The server's major version from an open connection (what <see cref="TemplateCloneSql"/> needs).</summary>
    public static int MajorVersion(NpgsqlConnection connection)
    {
        ArgumentNullException.ThrowIfNull(connection);
        return connection.PostgreSqlVersion.Major;
    }

    public const string DatabaseExistsSql = "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = @name)";

    public static Task<int> TerminateOtherSessionsAsync(NpgsqlConnection connection, string database, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(connection);
        return DatabaseConnector.ScalarAsync<int>(
            connection,
            TerminateOtherSessionsSql,
            cancellationToken: cancellationToken,
            parameters: ("database", database));
    }

    /// <summary>
    /// Runs a statement that needs <paramref name="database"/> without sessions (RENAME, a TEMPLATE clone) after ending
    /// them; an app's pool may reconnect in between, so it tries a few times.
    /// </summary>
    public static async Task ExecuteWithoutSessionsAsync(NpgsqlConnection connection, string database, string sql, ICakeLog log, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(log);
        for (var attempt = 1; ; attempt++)
        {
            var ended = await TerminateOtherSessionsAsync(connection, database, cancellationToken).ConfigureAwait(false);
            if (ended > 0)
            {
                log.Information($"Ended {ended} other session(s) on {database}");
            }

            try
            {
                await DatabaseConnector.ExecuteAsync(connection, sql, cancellationToken: cancellationToken).ConfigureAwait(false);
                return;
            }
            catch (PostgresException exception) when (exception.SqlState == PostgresErrorCodes.ObjectInUse && attempt < 5)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(100 * attempt), cancellationToken).ConfigureAwait(false);
            }
        }
    }

    public static async Task<bool> DatabaseExistsAsync(NpgsqlConnection connection, string database, CancellationToken cancellationToken = default) =>
        await DatabaseConnector.ScalarAsync<bool>(
            connection, DatabaseExistsSql, cancellationToken: cancellationToken, parameters: ("name", database)).ConfigureAwait(false);

    /// <summary>What the check's error message starts with, so the caller tells it apart from any other failure of the script.</summary>
    public const string RowCountCheckMarker = "kit-row-counts:";

    /// <summary>
    /// A statement for the end of a restore script: counts the rows of every table the manifest lists, the same way
    /// <see cref="RowCountsAsync"/> keys them, and raises an error naming the differences. Run inside the restore's
    /// transaction, a difference rolls the whole restore back instead of being found after the commit.
    /// </summary>
    public static string RowCountCheckSql(IReadOnlyDictionary<string, long> expected)
    {
        ArgumentNullException.ThrowIfNull(expected);
        // The default encoder escapes quotes and non-ASCII characters as \uXXXX, which jsonb reads back; doubling
        // single quotes keeps the literal safe whatever the encoder does.
        var json = System.Text.Json.JsonSerializer.Serialize(new SortedDictionary<string, long>(expected.ToDictionary(p => p.Key, p => p.Value), StringComparer.Ordinal))
            .Replace("'", "''", StringComparison.Ordinal);
        return $$"""
            -- Written by the kit's Restore: inside the restore's transaction, so a difference from the manifest rolls everything back.
            DO $kit_row_counts$
            DECLARE
                expected jsonb := '{{json}}';
                problems text[] := ARRAY[]::text[];
                found bigint;
                item record;
            BEGIN
                FOR item IN
                    SELECT e.key, e.value::bigint AS rows, t.nspname, t.relname
                    FROM jsonb_each_text(expected) e
                    LEFT JOIN (SELECT n.nspname, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind = 'r') t
                        ON t.nspname || '.' || t.relname = e.key
                    ORDER BY e.key
                LOOP
                    IF item.relname IS NULL THEN
                        problems := problems || format('%s: %s row(s) in the backup, table missing', item.key, item.rows);
                    ELSE
                        EXECUTE format('SELECT count(*) FROM %I.%I', item.nspname, item.relname) INTO found;
                        IF found <> item.rows THEN
                            problems := problems || format('%s: %s row(s) in the backup, %s restored', item.key, item.rows, found);
                        END IF;
                    END IF;
                END LOOP;
                IF cardinality(problems) > 0 THEN
                    RAISE EXCEPTION '{{RowCountCheckMarker}} %', array_to_string(problems[1:5], '; ');
                END IF;
            END
            $kit_row_counts$;
            """;
    }

    /// <summary>Differences between expected and actual row counts, one phrase each ("app.items: 3 in the backup, 2 now").</summary>
    public static IReadOnlyList<string> CompareRowCounts(IReadOnlyDictionary<string, long> expected, IReadOnlyDictionary<string, long> actual)
    {
        ArgumentNullException.ThrowIfNull(expected);
        ArgumentNullException.ThrowIfNull(actual);
        var differences = new List<string>();
        foreach (var (table, rows) in expected.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            if (!actual.TryGetValue(table, out var found))
            {
                differences.Add($"{table}: {rows} row(s) in the backup, table missing");
            }
            else if (found != rows)
            {
                differences.Add($"{table}: {rows} row(s) in the backup, {found} restored");
            }
        }

        return differences;
    }
}
