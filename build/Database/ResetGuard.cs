namespace Build.Database;

/// <summary>
/// Decides whether a destructive task (DbReset, Restore) may touch a database. Local targets run without question;
/// any other host needs <c>--allow-remote</c> and <c>--confirm=&lt;database name&gt;</c>; a protected environment refuses
/// outright. "Local" is decided by name, never by resolving it: only localhost, 127.0.0.1, ::1, a unix socket folder
/// or the compose stack's own database service count. Every other host, even another loopback address such as
/// 127.0.0.2, is treated as remote: the guard errs on the side of asking.
/// </summary>
public static class ResetGuard
{
    private static readonly HashSet<string> LocalNames = new(StringComparer.OrdinalIgnoreCase) { "localhost", "127.0.0.1", "::1", "[::1]" };

    /// <summary>Null when allowed; otherwise the one-line reason, saying how to proceed when that is possible.</summary>
    public static string? Check(GuardRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (Protected(request.Action, request.EnvironmentName, request.IsProtected) is { } refusal)
        {
            return refusal;
        }

        if (request.IsCompose || IsLocal(request.Host))
        {
            return null;
        }

        var how = $"--allow-remote --confirm={ConfirmHint(request.Database)}";
        if (!request.AllowRemote)
        {
            return $"Refused: {request.Action} of database '{request.Database}' on {request.Host}, which is not a local host "
                   + $"(only localhost, 127.0.0.1, ::1, a unix socket or the compose database run without question). To go ahead, pass {how}.";
        }

        if (request.Confirm is null)
        {
            return $"Refused: {request.Action} against {request.Host} needs the database name typed as confirmation: {how}.";
        }

        return string.Equals(request.Confirm, request.Database, StringComparison.Ordinal)
            ? null
            : $"Refused: --confirm='{request.Confirm}' does not match the database name '{request.Database}' (exact, case-sensitive). Pass {how}.";
    }

    /// <summary>
    /// The refusal of a protected environment, if it is one. It depends on the environment alone, so the tasks ask it
    /// before resolving the database: nothing about the target (a missing connection variable) is asked for first.
    /// </summary>
    public static string? Protected(string action, string environmentName, bool isProtected) =>
        isProtected
            ? $"Refused: environment '{environmentName}' is protected in config/project.json; {action} never runs against it, not even with --allow-remote and --confirm."
            : null;

    /// <summary>Every host of a (possibly multi-host) Npgsql Host value is local.</summary>
    public static bool IsLocal(string host)
    {
        ArgumentNullException.ThrowIfNull(host);
        var hosts = host.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return hosts.Length > 0 && hosts.All(IsLocalOne);

        static bool IsLocalOne(string one)
        {
            // A unix socket folder (or Linux abstract socket) never leaves the machine.
            if (one.StartsWith('/') || one.StartsWith('@'))
            {
                return true;
            }

            var name = one;
            if (one.StartsWith('[') && one.IndexOf(']', StringComparison.Ordinal) is var close and > 0)
            {
                name = one[..(close + 1)];
            }
            else if (one.Count(c => c == ':') == 1)
            {
                name = one[..one.IndexOf(':', StringComparison.Ordinal)];
            }

            return LocalNames.Contains(name);
        }
    }

    private static string ConfirmHint(string database) => Tools.ToolCommand.Quote(database);
}

/// <summary>What the guard looks at.</summary>
public sealed record GuardRequest(
    string Action,
    string EnvironmentName,
    bool IsProtected,
    bool IsCompose,
    string Host,
    string Database,
    bool AllowRemote,
    string? Confirm)
{
    public static GuardRequest For(string action, DatabaseTarget target, bool allowRemote, string? confirm)
    {
        ArgumentNullException.ThrowIfNull(target);
        return new GuardRequest(action, target.EnvironmentName, target.IsProtected, target.IsCompose, target.Host, target.Database, allowRemote, confirm);
    }
}
