using Build.Host;

namespace Build.Database;

/// <summary>
/// A database task stopped with one clear message: a refusal (the guard, a tampered backup, a changed migration;
/// exit code 2, like bad input) or a failure (cannot connect, a migration failed, disk full; exit code 1).
/// </summary>
public sealed class DatabaseException : ExitCodeException
{
    private DatabaseException(int exitCode, string message)
        : base(exitCode, message)
    {
    }

    public static DatabaseException Refused(string message) => new(2, message);

    public static DatabaseException Failed(string message) => new(1, message);
}
