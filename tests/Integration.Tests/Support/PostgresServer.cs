using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace Integration.Tests.Support;

/// <summary>
/// One throwaway PostgreSQL server per test run, from the distribution's binaries: initdb and pg_ctl in a temporary
/// folder, on a free port of 127.0.0.1 (and 127.0.0.2, the tests' stand-in for a remote host), fsync off, password
/// authentication over TCP for the superuser. initdb refuses to run as root, so under root the server runs as the
/// unprivileged user <c>nobody</c>. Every test creates its own database with a random name.
/// </summary>
public sealed class PostgresServer
{
    public const string Superuser = "postgres";
    public const string Password = "kit-test-Pa55word";
    public const string RemoteStandIn = "127.0.0.2";
    private const string ServiceUser = "nobody";

    private static PostgresServer? instance;
    private static string? unavailable;

    private PostgresServer(string binDirectory, string folder, int port)
    {
        BinDirectory = binDirectory;
        Folder = folder;
        Port = port;
    }

    public string BinDirectory { get; }

    public string Folder { get; }

    public int Port { get; }

    public string DataDirectory => Path.Combine(Folder, "data");

    /// <summary>The running server; skips (outside CI) or fails (CI) the calling test when PostgreSQL is not installed.</summary>
    public static PostgresServer Instance
    {
        get
        {
            if (instance is null)
            {
                Shell.Unavailable(unavailable ?? "The PostgreSQL fixture did not start.");
            }

            return instance!;
        }
    }

    public string ConnectionString(string database, string host = "127.0.0.1", string password = Password) =>
        new NpgsqlConnectionStringBuilder { Host = host, Port = Port, Username = Superuser, Password = password, Database = database, Pooling = false }.ConnectionString;

    internal static void Start()
    {
        var bin = FindBinDirectory();
        if (bin is null)
        {
            unavailable = "PostgreSQL server binaries (initdb, pg_ctl) were not found on PATH or under /usr/lib/postgresql/*/bin. Run scripts/ci/install-postgres.sh.";
            return;
        }

        Exception? last = null;
        for (var attempt = 0; attempt < 3; attempt++)
        {
            var folder = Directory.CreateTempSubdirectory("kit-pg-").FullName;
            try
            {
                instance = StartIn(bin, folder, FreePort());
                return;
            }
            catch (InvalidOperationException exception)
            {
                // Most likely the port was taken between choosing and binding it: try another.
                last = exception;
                TryDelete(folder);
            }
        }

        throw new InvalidOperationException("The throwaway PostgreSQL server did not start.", last);
    }

    internal static void Stop()
    {
        if (instance is not { } server)
        {
            return;
        }

        Shell.Run(Path.Combine(server.BinDirectory, "pg_ctl"), ["-D", server.DataDirectory, "-m", "immediate", "-w", "stop"], RunAs, check: false);
        TryDelete(server.Folder);
        instance = null;
    }

    public async Task<string> CreateDatabaseAsync(string? name = null)
    {
        name ??= "t_" + Guid.NewGuid().ToString("N")[..12];
        await using var connection = new NpgsqlConnection(ConnectionString("postgres"));
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"CREATE DATABASE {Build.Database.Sql.Identifier(name)}", connection);
        await command.ExecuteNonQueryAsync();
        return name;
    }

    public async Task DropDatabaseAsync(string name)
    {
        await using var connection = new NpgsqlConnection(ConnectionString("postgres"));
        await connection.OpenAsync();
        foreach (var sql in new[] { $"ALTER DATABASE {Build.Database.Sql.Identifier(name)} WITH IS_TEMPLATE false", $"DROP DATABASE IF EXISTS {Build.Database.Sql.Identifier(name)} WITH (FORCE)" })
        {
            try
            {
                await using var command = new NpgsqlCommand(sql, connection);
                await command.ExecuteNonQueryAsync();
            }
            catch (PostgresException exception) when (exception.SqlState == PostgresErrorCodes.InvalidCatalogName)
            {
            }
        }
    }

    private static string? RunAs => Shell.IsRoot ? ServiceUser : null;

    private static PostgresServer StartIn(string bin, string folder, int port)
    {
        var passwordFile = Path.Combine(folder, "password");
        File.WriteAllText(passwordFile, Password + "\n");
        var sockets = Path.Combine(folder, "sockets");
        Directory.CreateDirectory(sockets);
        if (Shell.IsRoot)
        {
            Shell.Run("chown", ["-R", $"{ServiceUser}:", folder]);
        }

        var data = Path.Combine(folder, "data");
        Shell.Run(Path.Combine(bin, "initdb"),
            ["-D", data, "-U", Superuser, "--pwfile", passwordFile, "--auth-local=trust", "--auth-host=scram-sha-256", "-E", "UTF8", "--locale=C", "--no-sync"],
            RunAs);
        File.AppendAllText(Path.Combine(data, "postgresql.conf"), $"""

            port = {port}
            listen_addresses = '127.0.0.1,{RemoteStandIn}'
            unix_socket_directories = '{sockets}'
            fsync = off
            synchronous_commit = off
            full_page_writes = off
            max_connections = 50
            """);
        // initdb's own line covers 127.0.0.1/32 only; the remote stand-in needs its own.
        File.AppendAllText(Path.Combine(data, "pg_hba.conf"), $"\nhost all all {RemoteStandIn}/32 scram-sha-256\n");
        Shell.Run(Path.Combine(bin, "pg_ctl"), ["-D", data, "-l", Path.Combine(folder, "server.log"), "-w", "-t", "60", "start"], RunAs);
        return new PostgresServer(bin, folder, port);
    }

    private static string? FindBinDirectory()
    {
        // KIT_TEST_PG_BIN picks a server version explicitly (and, pointed at nothing, shows how a machine without PostgreSQL behaves).
        if (Environment.GetEnvironmentVariable("KIT_TEST_PG_BIN") is { Length: > 0 } chosen)
        {
            return File.Exists(Path.Combine(chosen, "initdb")) && File.Exists(Path.Combine(chosen, "pg_ctl")) ? chosen : null;
        }

        foreach (var directory in (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var initdb = Path.Combine(directory, "initdb");
            if (File.Exists(initdb) && File.Exists(Path.Combine(directory, "pg_ctl")))
            {
                var resolved = new FileInfo(initdb).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? initdb;
                return Path.GetDirectoryName(resolved);
            }
        }

        return Directory.Exists("/usr/lib/postgresql")
            ? Directory.EnumerateDirectories("/usr/lib/postgresql")
                .Select(d => Path.Combine(d, "bin"))
                .Where(d => File.Exists(Path.Combine(d, "initdb")) && File.Exists(Path.Combine(d, "pg_ctl")))
                .OrderByDescending(d => int.TryParse(Path.GetFileName(Path.GetDirectoryName(d)), out var major) ? major : 0)
                .FirstOrDefault()
            : null;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static void TryDelete(string folder)
    {
        try
        {
            Directory.Delete(folder, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
