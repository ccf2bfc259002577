using Npgsql;

namespace Build.Database;

/// <summary>
/// What a database carries on the server outside its own contents, which a new database made to replace it (a
/// restore's, a reset's) does not inherit: its owner, its privileges (GRANT CONNECT, CREATE, TEMPORARY), its settings
/// (ALTER DATABASE ... SET, ALTER ROLE ... IN DATABASE ... SET), its comment and its connection limit. Read from the
/// database being replaced and applied to its replacement in the swap's transaction, so the database that takes the
/// name is, at this level, the one that had it. Restore, DbReset --from-snapshot and the plain DbReset all use it.
/// </summary>
public sealed record DatabaseState(
    string Owner,
    int ConnectionLimit,
    IReadOnlyList<DatabaseState.Privilege>? Privileges,
    IReadOnlyList<DatabaseState.Setting> Settings,
    string? Comment)
{
    /// <summary>One entry of the database's ACL; <see cref="Grantee"/> null is PUBLIC.</summary>
    public sealed record Privilege(string? Grantee, string Type, bool Grantable);

    /// <summary>One stored setting; <see cref="Role"/> null applies to every role (ALTER DATABASE ... SET).</summary>
    public sealed record Setting(string? Role, string Name, string Value);

    /// <summary>What a plan prints where the run applies the state read from <paramref name="database"/>.</summary>
    public static string Placeholder(string database) =>
        $"<the owner, privileges, settings, comment and connection limit of {database}, read at run time>";

    // Settings whose value is a list stored already quoted element by element (pg_dump's GUC_LIST_QUOTE variables):
    // written back as they are, not as one string literal, which would make the whole list a single element.
    private static readonly HashSet<string> ListSettings = new(StringComparer.OrdinalIgnoreCase)
    {
        "search_path", "temp_tablespaces", "session_preload_libraries", "local_preload_libraries", "shared_preload_libraries",
    };

    /// <summary>The state of <paramref name="database"/>; null when it does not exist (nothing to carry over).</summary>
    public static async Task<DatabaseState?> ReadAsync(NpgsqlConnection connection, string database, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(connection);
        string owner;
        int limit;
        string? comment;
        List<Privilege>? privileges = null;
        await using (var command = new NpgsqlCommand(
                         """
                         SELECT pg_get_userbyid(d.datdba)::text, d.datconnlimit, shobj_description(d.oid, 'pg_database'), d.datacl IS NULL
                         FROM pg_database d WHERE d.datname = @name
                         """,
                         connection))
        {
            command.Parameters.AddWithValue("name", database);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                return null;
            }

            (owner, limit, comment) = (reader.GetString(0), reader.GetInt32(1), reader.IsDBNull(2) ? null : reader.GetString(2));
            if (!reader.GetBoolean(3))
            {
                privileges = [];
            }
        }

        if (privileges is not null)
        {
            await using var command = new NpgsqlCommand(
                """
                SELECT CASE WHEN a.grantee = 0 THEN NULL ELSE pg_get_userbyid(a.grantee)::text END, a.privilege_type, a.is_grantable
                FROM pg_database d, aclexplode(d.datacl) a WHERE d.datname = @name ORDER BY 1 NULLS FIRST, 2
                """,
                connection);
            command.Parameters.AddWithValue("name", database);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                privileges.Add(new Privilege(reader.IsDBNull(0) ? null : reader.GetString(0), reader.GetString(1), reader.GetBoolean(2)));
            }
        }

        var settings = new List<Setting>();
        await using (var command = new NpgsqlCommand(
                         """
                         SELECT CASE WHEN s.setrole = 0 THEN NULL ELSE pg_get_userbyid(s.setrole)::text END, c.item
                         FROM pg_db_role_setting s JOIN pg_database d ON d.oid = s.setdatabase, unnest(s.setconfig) WITH ORDINALITY c(item, n)
                         WHERE d.datname = @name ORDER BY 1 NULLS FIRST, c.n
                         """,
                         connection))
        {
            command.Parameters.AddWithValue("name", database);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                var item = reader.GetString(1);
                var equals = item.IndexOf('=', StringComparison.Ordinal);
                if (equals > 0)
                {
                    settings.Add(new Setting(reader.IsDBNull(0) ? null : reader.GetString(0), item[..equals], item[(equals + 1)..]));
                }
            }
        }

        return new DatabaseState(owner, limit, privileges, settings, comment);
    }

    /// <summary>
    /// The statements that give <paramref name="database"/> this state, run as one batch (inside the swap's
    /// transaction). The privileges are replaced as a whole: PUBLIC's and the owner's defaults revoked first when the
    /// original had an ACL of its own, so a REVOKE CONNECT ... FROM PUBLIC stays revoked.
    /// </summary>
    public string ApplySql(string database)
    {
        var name = Sql.Identifier(database);
        var statements = new List<string>
        {
            $"ALTER DATABASE {name} OWNER TO {Sql.Identifier(Owner)}",
            $"ALTER DATABASE {name} WITH CONNECTION LIMIT {ConnectionLimit.ToString(System.Globalization.CultureInfo.InvariantCulture)}",
            $"COMMENT ON DATABASE {name} IS {(Comment is null ? "NULL" : Sql.Literal(Comment))}",
        };
        if (Privileges is { } privileges)
        {
            statements.Add($"REVOKE ALL ON DATABASE {name} FROM PUBLIC");
            statements.Add($"REVOKE ALL ON DATABASE {name} FROM {Sql.Identifier(Owner)}");
            statements.AddRange(privileges.Select(p =>
                $"GRANT {p.Type} ON DATABASE {name} TO {(p.Grantee is null ? "PUBLIC" : Sql.Identifier(p.Grantee))}{(p.Grantable ? " WITH GRANT OPTION" : string.Empty)}"));
        }

        foreach (var setting in Settings)
        {
            var value = ListSettings.Contains(setting.Name) ? setting.Value : Sql.Literal(setting.Value);
            statements.Add(setting.Role is null
                ? $"ALTER DATABASE {name} SET {Sql.Identifier(setting.Name)} = {value}"
                : $"ALTER ROLE {Sql.Identifier(setting.Role)} IN DATABASE {name} SET {Sql.Identifier(setting.Name)} = {value}");
        }

        return string.Join("; ", statements);
    }
}
