namespace Build.Tools.Postgres;

/// <summary>
/// Reads what pg_dump, pg_restore and psql printed when they failed. They end with context ("detail: Query was:
/// COPY ...", "CONTEXT: ..."), so the last line is rarely the cause: the cause is the server's ERROR or FATAL text,
/// else the client's own "error:" line.
/// </summary>
public static class PostgresClientError
{
    private static readonly string[] ServerMarkers = ["ERROR:", "FATAL:", "PANIC:"];

    /// <summary>"permission denied for table x" out of "pg_dump: error: query failed: ERROR:  permission denied for table x".</summary>
    public static string Cause(ToolFailedException failure)
    {
        ArgumentNullException.ThrowIfNull(failure);
        var lines = failure.ErrorTail.Select(l => l.Trim().TrimStart('|').Trim()).Where(l => l.Length > 0).ToArray();
        foreach (var line in lines)
        {
            foreach (var marker in ServerMarkers)
            {
                var at = line.IndexOf(marker, StringComparison.Ordinal);
                if (at >= 0 && line[(at + marker.Length)..].Trim() is { Length: > 0 } text)
                {
                    return text;
                }
            }
        }

        foreach (var line in lines)
        {
            var at = line.IndexOf("error:", StringComparison.Ordinal);
            if (at >= 0 && line[(at + "error:".Length)..].Trim() is { Length: > 0 } text)
            {
                return text;
            }
        }

        return lines.LastOrDefault(l => !IsContext(l)) ?? $"{failure.Tool} exit code {failure.ToolExitCode}";
    }

    /// <summary>
    /// The server ended the session (57P01: pg_terminate_backend or a fast shutdown; a crash), or the connection was
    /// lost: what psql prints in those cases, as opposed to an error in the script itself.
    /// </summary>
    public static bool IsConnectionLost(ToolFailedException failure)
    {
        ArgumentNullException.ThrowIfNull(failure);
        return failure.ErrorTail.Any(l =>
            l.Contains("terminating connection due to administrator command", StringComparison.Ordinal)
            || l.Contains("server closed the connection unexpectedly", StringComparison.Ordinal)
            || l.Contains("connection to server was lost", StringComparison.Ordinal)
            || l.Contains("the database system is shutting down", StringComparison.Ordinal));
    }

    private static bool IsContext(string line) =>
        line.Contains("detail:", StringComparison.Ordinal) || line.Contains("hint:", StringComparison.Ordinal)
        || line.StartsWith("CONTEXT:", StringComparison.Ordinal) || line.StartsWith("DETAIL:", StringComparison.Ordinal)
        || line.StartsWith("HINT:", StringComparison.Ordinal) || line.StartsWith("LINE ", StringComparison.Ordinal);
}
