using Integration.Tests.Support;
using Npgsql;

namespace Integration.Tests;

/// <summary>Failures of the database tasks explain themselves in one line: what is wrong, and what to do.</summary>
public sealed class ErrorMessageTests : DatabaseTest
{
    [Test]
    public void A_read_only_backups_folder_is_one_line_before_anything_is_dumped()
    {
        AssertSucceeded(RunTask("Migrate"));
        var folder = Kit.BackupsFolder();
        Directory.CreateDirectory(folder);
        // Root ignores permission bits, so as root the folder becomes a read-only mount; otherwise a folder without write permission.
        if (Shell.IsRoot)
        {
            Shell.Run("mount", ["-t", "tmpfs", "-o", "ro,size=1m", "tmpfs", folder]);
        }
        else
        {
            Shell.Run("chmod", ["0555", folder]);
        }

        try
        {
            var result = RunTask("Backup");

            Assert.That(result.ExitCode, Is.EqualTo(1), result.All);
            Assert.That(result.SingleErrorLine(), Does.Contain("Backup failed: cannot write to backups/dev (" + (Shell.IsRoot ? "read-only file system" : "permission denied") + ")")
                .And.Contain("Make the folder writable by this user, or set backup.folder in config/database.json"));
            Assert.That(result.Output, Does.Not.Contain("Backing up"), "pg_dump started before the folder was found read-only");
        }
        finally
        {
            if (Shell.IsRoot)
            {
                Shell.Run("umount", [folder], check: false);
            }
            else
            {
                Shell.Run("chmod", ["0755", folder]);
            }
        }
    }

    [Test]
    public async Task A_failed_pg_dump_quotes_the_cause_it_printed_not_the_query_it_ran()
    {
        AssertSucceeded(RunTask("Seed", "--seed=minimal"));
        var role = "kit_reader_" + Guid.NewGuid().ToString("N")[..8];
        const string rolePassword = "reader-Pa55word";
        // Row-level security on a table pg_dump may read: the COPY fails, and pg_dump's last line is "detail: Query was: COPY ...".
        await Db.ExecuteAsync(Connection, $"""
            CREATE ROLE {role} LOGIN PASSWORD '{rolePassword}';
            GRANT USAGE ON SCHEMA app, kit TO {role};
            GRANT SELECT ON ALL TABLES IN SCHEMA app, kit TO {role};
            GRANT SELECT ON ALL SEQUENCES IN SCHEMA app, kit TO {role};
            ALTER TABLE app.items ENABLE ROW LEVEL SECURITY;
            """);
        try
        {
            var connection = new NpgsqlConnectionStringBuilder(Connection) { Username = role, Password = rolePassword }.ConnectionString;

            var result = Kit.Run("--target=Backup", $"--connection={connection}");

            Assert.That(result.ExitCode, Is.EqualTo(1), result.All);
            var line = result.SingleErrorLine();
            Assert.That(line, Does.Contain("Backup failed (pg_dump: query would be affected by row-level security policy for table \"items\")")
                .And.Contain($"Back up as a user that can read every table (the owner of the database or a superuser), not '{role}'"));
            Assert.That(line, Does.Not.Contain("detail:").And.Not.Contain("COPY"));
        }
        finally
        {
            await Db.ExecuteAsync(Connection, $"DROP OWNED BY {role}; DROP ROLE {role}");
        }
    }

    [Test]
    public async Task A_failed_pg_dump_without_permission_quotes_permission_denied()
    {
        AssertSucceeded(RunTask("Seed", "--seed=minimal"));
        var role = "kit_nobody_" + Guid.NewGuid().ToString("N")[..8];
        const string rolePassword = "nobody-Pa55word";
        await Db.ExecuteAsync(Connection, $"CREATE ROLE {role} LOGIN PASSWORD '{rolePassword}'; GRANT USAGE ON SCHEMA app, kit TO {role};");
        try
        {
            var connection = new NpgsqlConnectionStringBuilder(Connection) { Username = role, Password = rolePassword }.ConnectionString;

            var result = Kit.Run("--target=Backup", $"--connection={connection}");

            Assert.That(result.ExitCode, Is.EqualTo(1), result.All);
            Assert.That(result.SingleErrorLine(), Does.Match(@"Backup failed \(pg_dump: permission denied for table \w+\)").And.Not.Contain("Query was"));
        }
        finally
        {
            await Db.ExecuteAsync(Connection, $"DROP OWNED BY {role}; DROP ROLE {role}");
        }
    }

    [Test]
    public async Task An_interrupted_restore_says_the_server_ended_the_connection_and_that_the_database_is_as_it_was()
    {
        // Enough rows that pg_restore is still busy when it is terminated.
        var (terminated, result) = await RestoreEndingSessionsAsync(
            300_000, "SELECT count(pg_terminate_backend(pid))::int FROM pg_stat_activity WHERE datname LIKE 'kit\\_verify\\_%' AND application_name = 'pg_restore'");

        Assert.That(terminated, Is.GreaterThanOrEqualTo(1), "pg_restore was not seen running: " + result.All);
        await AssertInterruptedAndUntouchedAsync(result);
    }

    [Test]
    public async Task A_split_load_whose_connection_is_ended_says_the_server_ended_it_and_that_the_database_is_as_it_was()
    {
        Kit.EditDatabaseConfig(c => c["backup"]!["restoreSplitRows"] = 1);
        // Enough rows that the COPY connections are still busy when one is terminated.
        var (terminated, result) = await RestoreEndingSessionsAsync(
            1_500_000,
            "SELECT count(pg_terminate_backend(pid))::int FROM (SELECT pid FROM pg_stat_activity WHERE datname LIKE 'kit\\_verify\\_%' AND query LIKE 'COPY app.items %' AND state = 'active' LIMIT 1) one");

        Assert.That(terminated, Is.EqualTo(1), "no COPY connection was seen loading: " + result.All);
        await AssertInterruptedAndUntouchedAsync(result);
        Assert.That(result.All, Does.Not.Contain("   at "), "no stack trace");
    }

    /// <summary>
    /// Seeds <paramref name="rows"/> more rows, backs up, writes a marker row, then restores (keeping no aside copy)
    /// while <paramref name="terminate"/> (answering how many sessions it ended) runs until it ended one.
    /// </summary>
    private async Task<(int Terminated, KitSandbox.Result Result)> RestoreEndingSessionsAsync(int rows, string terminate)
    {
        AssertSucceeded(RunTask("Seed", "--seed=minimal"));
        await Db.ExecuteAsync(Connection, $"INSERT INTO app.items (name, description) SELECT 'bulk ' || g, md5(g::text) FROM generate_series(1, {rows}) g");
        AssertSucceeded(RunTask("Backup"));
        await Db.ExecuteAsync(Connection, "INSERT INTO app.items (name) VALUES ('marker written before the restore')");
        Kit.EditDatabaseConfig(c => c["backup"]!["beforeRestore"] = false);

        var restore = Task.Run(() => RunTask("Restore", "--backup=latest"));
        var terminated = 0;
        var deadline = DateTime.UtcNow.AddSeconds(120);
        while (terminated == 0 && !restore.IsCompleted && DateTime.UtcNow < deadline)
        {
            terminated = await Db.ScalarAsync<int>(Server.ConnectionString("postgres"), terminate);
            await Task.Delay(5);
        }

        return (terminated, await restore);
    }

    /// <summary>The one line of an interrupted restore; the marker row still there and no new database left behind.</summary>
    private async Task AssertInterruptedAndUntouchedAsync(KitSandbox.Result result)
    {
        Assert.That(result.ExitCode, Is.EqualTo(1), result.All);
        Assert.That(result.SingleErrorLine(), Does.Contain("was interrupted: the server ended the connection")
            .And.Contain($"{Database} was not touched and is as it was before").And.Contain("Run the Restore again"));
        Assert.That(await Db.ScalarAsync<long>(Connection, "SELECT count(*) FROM app.items WHERE name = 'marker written before the restore'"), Is.EqualTo(1));
        Assert.That(await Db.ScalarAsync<long>(Server.ConnectionString("postgres"), "SELECT count(*) FROM pg_database WHERE datname LIKE 'kit\\_verify\\_%'"), Is.Zero, "the new database was left behind");
    }

    [TestCase("DbReset")]
    [TestCase("Restore")]
    public void A_protected_environment_is_refused_before_its_connection_variable_is_asked_for(string task)
    {
        var result = Kit.Run($"--target={task}", "--env=production");

        Assert.That(result.ExitCode, Is.EqualTo(2), result.All);
        Assert.That(result.SingleErrorLine(), Does.Contain("environment 'production' is protected"));
        Assert.That(result.All, Does.Not.Contain("PRODUCTION_DATABASE_CONNECTION"));
    }
}
