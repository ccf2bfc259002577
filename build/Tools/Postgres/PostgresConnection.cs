using System.Globalization;

namespace Build.Tools.Postgres;

/// <summary>Where a PostgreSQL client connects. The password travels in PGPASSWORD, never on the command line.</summary>
public sealed record PostgresConnection(string Host, int Port, string Username, string Database, string? Password)
{
    public IReadOnlyList<string> Arguments() => ["--host", Host, "--port", Port.ToString(CultureInfo.InvariantCulture), "--username", Username, "--dbname", Database];

    public IReadOnlyDictionary<string, string?> Environment() => new Dictionary<string, string?> { ["PGPASSWORD"] = Password };

    public PostgresConnection WithDatabase(string database) => this with { Database = database };

    public override string ToString() => $"{Username}@{Host}:{Port}/{Database}";
}
