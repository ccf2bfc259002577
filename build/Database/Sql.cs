namespace Build.Database;

/// <summary>SQL text the kit composes itself. Values always travel as parameters; only identifiers are spliced, quoted.</summary>
public static class Sql
{
    /// <summary>A quoted identifier: <c>Käse-Prod_DB</c> becomes <c>"Käse-Prod_DB"</c>, an embedded quote is doubled.</summary>
    public static string Identifier(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        if (name.Contains('\0', StringComparison.Ordinal))
        {
            throw DatabaseException.Refused($"'{name.Replace("\0", "\\0", StringComparison.Ordinal)}' is not a valid PostgreSQL identifier (it contains a NUL character).");
        }

        return "\"" + name.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
    }

    public static string Qualified(string schema, string name) => Identifier(schema) + "." + Identifier(name);

    /// <summary><c>schema.table</c> from config, quoted part by part.</summary>
    public static string Qualified(string schemaDotName)
    {
        ArgumentNullException.ThrowIfNull(schemaDotName);
        var dot = schemaDotName.IndexOf('.', StringComparison.Ordinal);
        return dot <= 0 || dot == schemaDotName.Length - 1
            ? throw DatabaseException.Refused($"'{schemaDotName}' must be written schema.table.")
            : Qualified(schemaDotName[..dot], schemaDotName[(dot + 1)..]);
    }

    /// <summary>A string literal, for the few statements that take no parameters (COMMENT ON).</summary>
    public static string Literal(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return "'" + value.Replace("'", "''", StringComparison.Ordinal) + "'";
    }
}
