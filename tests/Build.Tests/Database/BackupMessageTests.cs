using System.Net;
using System.Net.Sockets;
using Build.Configuration;
using Build.Database;
using Build.Tests.Support;
using Build.Tools;
using Build.Tools.Compose;
using Build.Tools.Postgres;
using Cake.Core.Diagnostics;

namespace Build.Tests.Database;

public sealed class BackupMessageTests
{
    [Test]
    public async Task Backup_against_a_stopped_compose_stack_says_to_start_it_with_DevUp_and_runs_nothing()
    {
        var root = Directory.CreateTempSubdirectory("kit-backup-").FullName;
        try
        {
            // Nothing listens on this port: what the stack's published database port looks like while the stack is down.
            var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            var port = ((IPEndPoint)listener.LocalEndpoint).Port;
            listener.Stop();
            var target = new DatabaseTarget("dev", $"Host=127.0.0.1;Port={port};Database=app;Username=app;Password=dev-Pa55word", "db", isProtected: false, "config/database.json (dev)");
            var runner = new RecordingCommandRunner();
            var client = new ComposeClientHost(runner, new ComposeVersion(ComposeFlavor.V2, "2.26.1"), new ComposeSettings { ProjectName = "sample-dev", Files = ["compose/compose.yaml"] }, "db", "app", "dev-Pa55word");
            var service = new BackupService(target, client, new BackupConfig(), root, new NullLog());

            var failure = await Assert.ThrowsAsync<DatabaseException>(() => service.BackupAsync());

            Assert.That(failure!.Message, Is.EqualTo($"Cannot connect to app@127.0.0.1:{port}/app: the compose stack's database (service 'db') is not running. Start it with ./build.sh --target=DevUp."));
            Assert.That(failure.ExitCode, Is.EqualTo(1));
            Assert.That(runner.Commands, Is.Empty, "nothing may run against a stack that is down");
            Assert.That(Directory.GetFileSystemEntries(Path.Combine(root, "backups", "dev")), Is.Empty);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Test]
    public void The_cause_of_a_failed_pg_dump_is_the_servers_error_not_the_query_detail()
    {
        var failure = new ToolFailedException("pg_dump", 1, "pg_dump ...", [
            "pg_dump: error: Dumping the contents of table \"items\" failed: PQgetResult() failed.",
            "pg_dump: detail: Error message from server: ERROR:  permission denied for table items",
            "pg_dump: detail: Command was: COPY app.items (id, name) TO stdout;",
        ]);

        Assert.That(PostgresClientError.Cause(failure), Is.EqualTo("permission denied for table items"));
    }

    [Test]
    public void The_cause_falls_back_to_the_clients_own_error_line()
    {
        var failure = new ToolFailedException("pg_restore", 1, "pg_restore ...", ["pg_restore: error: input file does not appear to be a valid archive (too short?)"]);

        Assert.That(PostgresClientError.Cause(failure), Is.EqualTo("input file does not appear to be a valid archive (too short?)"));
    }

    [Test]
    public void A_terminated_psql_session_is_recognised_as_a_lost_connection()
    {
        var failure = new ToolFailedException("psql", 2, "psql ...", [
            "psql:/tmp/restore-clean.sql:962706: server closed the connection unexpectedly",
            "FATAL:  terminating connection due to administrator command",
            "psql:/tmp/restore-clean.sql:962706: error: connection to server was lost",
        ]);

        Assert.That(PostgresClientError.IsConnectionLost(failure), Is.True);
        Assert.That(PostgresClientError.IsConnectionLost(new ToolFailedException("psql", 3, "psql ...", ["psql:x.sql:3: ERROR:  relation \"x\" does not exist"])), Is.False);
    }

    [Test]
    public void A_protected_environment_is_refused_from_its_name_alone()
    {
        Assert.That(ResetGuard.Protected("DbReset", "production", isProtected: true), Does.StartWith("Refused: environment 'production' is protected"));
        Assert.That(ResetGuard.Protected("DbReset", "dev", isProtected: false), Is.Null);
    }
}
