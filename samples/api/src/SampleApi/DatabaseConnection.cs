using Npgsql;

namespace SampleApi;

/// <summary>
/// The PostgreSQL connection string: <c>ConnectionStrings:Postgres</c> (may be empty), with each part given on its own
/// in the <c>Postgres</c> section (<c>Postgres__Host</c>, <c>__Port</c>, <c>__Database</c>, <c>__Username</c>,
/// <c>__Password</c>) set over it through <see cref="NpgsqlConnectionStringBuilder"/>. A password holding
/// <c>;</c>, <c>=</c>, <c>"</c> or <c>\</c> is thus taken as is: pasted into connection-string syntax it would split
/// into bogus keys, and the API would never reach its database.
/// </summary>
public static class DatabaseConnection
{
    public const string Section = "Postgres";

    private static readonly string[] Parts = ["Host", "Port", "Database", "Username", "Password"];

    /// <summary>The combined connection string, or null when neither the string nor any part is set.</summary>
    public static string? ConnectionString(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var baseString = configuration.GetConnectionString("Postgres");
        var section = configuration.GetSection(Section);
        var given = Parts.Where(part => !string.IsNullOrEmpty(section[part])).ToArray();
        if (string.IsNullOrWhiteSpace(baseString) && given.Length == 0)
        {
            return null;
        }

        var builder = new NpgsqlConnectionStringBuilder(baseString ?? "");
        foreach (var part in given)
        {
            builder[part] = section[part];
        }

        return builder.ConnectionString;
    }
}
