using Build.Tests.Support;
using Build.Tools.Compose;
using Build.Tools.Postgres;

namespace Build.Tests.Database;

public sealed class PostgresCommandTests
{
    private static readonly PostgresConnection Connection = new("127.0.0.1", 5432, "app", "Käse-Prod_DB", "p@ss word");
    private static readonly ComposeSettings Compose = new() { ProjectName = "sample-dev", Files = ["compose/compose.yaml", "compose/compose.dev.yaml"] };

    [Test]
    public async Task Host_pg_dump_streams_custom_format_from_a_snapshot_into_the_file_with_the_password_in_the_environment()
    {
        var runner = new RecordingCommandRunner();

        await new LocalClientHost(runner, Connection).DumpAsync(new DumpRequest("Käse-Prod_DB", "/b/.tmp-1/database.dump", "00000003-0000001B-1", Compression: 1));

        var command = runner.Commands.Single();
        Assert.That(command.Arguments.Select(a => a.Value), Is.EqualTo(new[]
        {
            "--host", "127.0.0.1", "--port", "5432", "--username", "app", "--dbname", "Käse-Prod_DB",
            "--format=custom", "--compress=1", "--snapshot=00000003-0000001B-1", "--no-password",
        }));
        // Through standard output, so the runner hashes the archive while it is written.
        Assert.That(command.StandardOutputFile, Is.EqualTo("/b/.tmp-1/database.dump"));
        Assert.That(command.Environment["PGPASSWORD"], Is.EqualTo("p@ss word"));
        Assert.That(command.Render(), Does.StartWith("PGPASSWORD=[REDACTED] pg_dump "));
    }

    [Test]
    public async Task Host_pg_restore_into_a_scratch_database_is_one_transaction()
    {
        var runner = new RecordingCommandRunner();

        await new LocalClientHost(runner, Connection).RestoreAsync(new RestoreRequest("kit_verify_1", "/b/1/database.dump", Clean: false));

        Assert.That(runner.Commands.Single().Arguments.Select(a => a.Value), Is.EqualTo(new[]
        {
            "--host", "127.0.0.1", "--port", "5432", "--username", "app", "--dbname", "kit_verify_1", "--no-owner", "--single-transaction", "--no-password", "/b/1/database.dump",
        }));
    }

    [Test]
    public async Task Host_restore_with_jobs_is_parallel_and_stops_at_the_first_error()
    {
        var runner = new RecordingCommandRunner();

        await new LocalClientHost(runner, Connection).RestoreAsync(new RestoreRequest("kit_verify_1", "/b/1/database.dump", Clean: false, Jobs: 2));

        Assert.That(runner.Lines, Is.EqualTo(new[]
        {
            "PGPASSWORD=[REDACTED] pg_restore --host 127.0.0.1 --port 5432 --username app --dbname kit_verify_1 --no-owner --jobs=2 --exit-on-error --no-password /b/1/database.dump",
        }));
    }

    [Test]
    public async Task Host_pg_dump_older_than_the_server_is_refused_naming_both_versions()
    {
        var runner = new RecordingCommandRunner().Answer("--version", "pg_dump (PostgreSQL) 15.18 (Debian 15.18-0+deb12u1)\n");

        var problem = await new LocalClientHost(runner, Connection).DumpIncompatibilityAsync(16);
        Assert.That(await new LocalClientHost(runner, Connection).DumpIncompatibilityAsync(15), Is.Null);
        Assert.That(await new LocalClientHost(runner, Connection).DumpIncompatibilityAsync(12), Is.Null);

        Assert.That(problem, Does.Contain("pg_dump is version 15 but the server runs PostgreSQL 16").And.Contain("postgresql-client-16"));
        Assert.That(runner.Commands.All(c => c.IsQuery), Is.True, "the version probe must run in a dry run too");
    }

    [TestCase("pg_dump (PostgreSQL) 15.18 (Debian 15.18-0+deb12u1)", 15)]
    [TestCase("pg_dump (PostgreSQL) 17.2", 17)]
    [TestCase("pg_dump (PostgreSQL) 9.6.24", 9)]
    [TestCase("16.4", 16)]
    [TestCase("something else", null)]
    public void Pg_dump_versions_parse_to_their_major(string output, int? major) => Assert.That(PgDumpTool.ParseMajorVersion(output), Is.EqualTo(major));

    [Test]
    public void A_backup_from_a_newer_pg_dump_is_refused_with_the_package_to_install()
    {
        Assert.That(PgDumpTool.ReadIncompatibility("20261122_080903", 15, "the host's pg_dump", 15), Is.Null);
        Assert.That(PgDumpTool.ReadIncompatibility("20261122_080903", 14, "the host's pg_dump", 15), Is.Null);
        Assert.That(
            PgDumpTool.ReadIncompatibility("20261122_080903", 17, "the host's pg_dump", 15),
            Is.EqualTo("20261122_080903 was written by pg_dump 17; the host's pg_dump is version 15 and cannot read it. "
                       + "Install postgresql-client-17 (or newer) and put it first on PATH, or restore through the compose service."));
    }

    [Test]
    public void Compose_pg_dump_runs_inside_the_service_and_streams_the_dump_to_a_file()
    {
        var host = new ComposeClientHost(new RecordingCommandRunner(), new ComposeVersion(ComposeFlavor.V2, "2.26.1"), Compose, "db", "app", "p@ss word");

        var command = host.DumpCommand(new DumpRequest("Käse-Prod_DB", "/b/.tmp-1/database.dump", "00000003-0000001B-1"));

        Assert.That(command.Executable, Is.EqualTo("docker"));
        Assert.That(command.Arguments.Select(a => a.Value), Is.EqualTo(new[]
        {
            "compose", "-p", "sample-dev", "-f", "compose/compose.yaml", "-f", "compose/compose.dev.yaml",
            "exec", "-T", "-e", "PGPASSWORD", "db",
            "pg_dump", "--username", "app", "--dbname", "Käse-Prod_DB", "--format=custom", "--snapshot=00000003-0000001B-1", "--no-password",
        }));
        Assert.That(command.StandardOutputFile, Is.EqualTo("/b/.tmp-1/database.dump"));
        Assert.That(command.Environment["PGPASSWORD"], Is.EqualTo("p@ss word"));
        Assert.That(command.Render(), Does.Contain("PGPASSWORD=[REDACTED]").And.Not.Contain("p@ss"));
    }

    [Test]
    public void Compose_restore_streams_the_archive_in_through_standard_input_in_one_transaction_whatever_the_jobs()
    {
        var host = new ComposeClientHost(new RecordingCommandRunner(), new ComposeVersion(ComposeFlavor.V1, "1.29.2"), Compose, "db", "app", "p@ss word");

        var verify = host.RestoreCommand(new RestoreRequest("kit_verify_1", "/b/1/database.dump", Clean: false, Jobs: 4));

        Assert.That(verify.Executable, Is.EqualTo("docker-compose"));
        Assert.That(verify.Arguments.Select(a => a.Value).SkipWhile(a => a != "pg_restore"), Is.EqualTo(new[]
        {
            "pg_restore", "--username", "app", "--dbname", "kit_verify_1", "--no-owner", "--single-transaction", "--no-password",
        }));
        Assert.That(verify.StandardInputFile, Is.EqualTo("/b/1/database.dump"));
    }

    [Test]
    public async Task The_archive_listing_is_a_query_that_needs_no_server_nor_password()
    {
        var composeRunner = new RecordingCommandRunner();
        var localRunner = new RecordingCommandRunner();
        var compose = new ComposeClientHost(composeRunner, new ComposeVersion(ComposeFlavor.V2, "2.26.1"), Compose, "db", "app", "p@ss word");

        await compose.ListAsync("/b/1/database.dump");
        await new LocalClientHost(localRunner, Connection).ListAsync("/b/1/database.dump");

        var inside = composeRunner.Commands.Single();
        Assert.That(inside.Arguments.Select(a => a.Value).SkipWhile(a => a != "exec"), Is.EqualTo(new[] { "exec", "-T", "db", "pg_restore", "--list" }));
        Assert.That((inside.StandardInputFile, inside.IsQuery, inside.Environment.ContainsKey("PGPASSWORD")), Is.EqualTo(("/b/1/database.dump", true, false)));
        Assert.That(localRunner.Lines.Single(), Is.EqualTo("pg_restore --list /b/1/database.dump"));
        Assert.That(localRunner.Commands.Single().IsQuery, Is.True);
    }

    [Test]
    public void Compose_without_a_password_passes_no_environment()
    {
        var host = new ComposeClientHost(new RecordingCommandRunner(), new ComposeVersion(ComposeFlavor.V2, "2.26.1"), Compose, "db", "app", null);

        var command = host.DumpCommand(new DumpRequest("app", "/b/x.dump"));

        Assert.That(command.Arguments.Select(a => a.Value), Does.Not.Contain("PGPASSWORD"));
        Assert.That(command.Environment.ContainsKey("PGPASSWORD"), Is.False);
    }
}
