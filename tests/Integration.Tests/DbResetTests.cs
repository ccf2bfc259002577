using Integration.Tests.Support;

namespace Integration.Tests;

public sealed class DbResetTests : DatabaseTest
{
    [Test]
    public async Task Reset_backs_up_ends_other_sessions_drops_the_app_schema_migrates_and_seeds()
    {
        AssertSucceeded(RunTask("Seed", "--seed=minimal"));
        await Db.ExecuteAsync(Connection, "CREATE TABLE app.stray (id int); INSERT INTO app.items (name) VALUES ('user row')");
        await using var other = new Npgsql.NpgsqlConnection(Connection);
        await other.OpenAsync();

        var result = RunTask("DbReset", "--seed=minimal");

        AssertSucceeded(result);
        // Built beside it and swapped in: the database replaced is renamed aside, not copied.
        Assert.That(result.Output, Does.Contain($"the replaced one is aside as {Database}__aside__").And.Contain("Ended 1 other session(s)"));
        Assert.That(await Db.RowsAsync(Connection, "SELECT name FROM app.items ORDER BY id"), Is.EqualTo(new[] { "Welcome", "Second item", "Third item" }));
        Assert.That(await Db.ScalarAsync<bool>(Connection, "SELECT to_regclass('app.stray') IS NULL"), Is.True);
        Assert.That(await Db.RowsAsync(Connection, "SELECT version FROM kit.schema_migrations"), Is.EqualTo(new[] { "1" }));
        // The safety copy is the database as it was, kept aside on the server: no dump.
        Assert.That(Directory.Exists(Kit.BackupsFolder()), Is.False);
        var aside = (await Db.RowsAsync(Server.ConnectionString("postgres"), $"SELECT datname FROM pg_database WHERE starts_with(datname, '{Database}__aside__')")).Single();
        Assert.That(await Db.ScalarAsync<long>(Server.ConnectionString(aside), "SELECT count(*) FROM app.items WHERE name = 'user row'"), Is.EqualTo(1));
        await using var probe = new Npgsql.NpgsqlCommand("SELECT 1", other);
        Assert.That(async () => await probe.ExecuteScalarAsync(), Throws.InstanceOf<Npgsql.NpgsqlException>(), "the other session was not ended");
    }

    [Test]
    public async Task Reset_leaves_roles_extensions_and_other_schemas_alone()
    {
        AssertSucceeded(RunTask("Migrate"));
        await Db.ExecuteAsync(Connection, "CREATE EXTENSION IF NOT EXISTS pg_trgm; CREATE SCHEMA reporting; CREATE TABLE reporting.kept (id int)");
        Kit.EditDatabaseConfig(c => c["backup"]!["beforeReset"] = false);

        AssertSucceeded(RunTask("DbReset"));

        Assert.That(await Db.ScalarAsync<bool>(Connection, "SELECT to_regclass('reporting.kept') IS NOT NULL"), Is.True);
        Assert.That(await Db.ScalarAsync<long>(Connection, "SELECT count(*) FROM pg_extension WHERE extname = 'pg_trgm'"), Is.EqualTo(1));
        Assert.That(Directory.Exists(Kit.BackupsFolder()), Is.False, "backupBeforeReset: false takes no backup");
    }

    [Test]
    public async Task A_remote_host_is_refused_before_anything_is_touched()
    {
        var remote = Server.ConnectionString(Database, host: "pg.remote-test.invalid");

        var result = Kit.Run("--target=DbReset", $"--connection={remote}");

        Assert.That(result.ExitCode, Is.EqualTo(2), result.All);
        Assert.That(result.SingleErrorLine(), Does.Contain("pg.remote-test.invalid, which is not a local host").And.Contain($"--allow-remote --confirm={Database}"));
        Assert.That(result.All, Does.Not.Contain(PostgresServer.Password));
        Assert.That(Directory.Exists(Kit.BackupsFolder()), Is.False);
        await Task.CompletedTask;
    }

    [Test]
    public async Task A_remote_host_with_allow_remote_and_the_typed_database_name_is_reset()
    {
        // 127.0.0.2 reaches the test server, but the guard decides by name and only localhost, 127.0.0.1 and ::1 are local.
        AssertSucceeded(RunTask("Seed", "--seed=minimal"));
        await Db.ExecuteAsync(Connection, "INSERT INTO app.items (name) VALUES ('user row')");
        var remote = Server.ConnectionString(Database, host: PostgresServer.RemoteStandIn);

        var refused = Kit.Run("--target=DbReset", $"--connection={remote}", "--seed=minimal");
        var wrongName = Kit.Run("--target=DbReset", $"--connection={remote}", "--seed=minimal", "--allow-remote", "--confirm=" + Database.ToUpperInvariant());
        Assert.That(await Db.ScalarAsync<long>(Connection, "SELECT count(*) FROM app.items"), Is.EqualTo(4), "a refused reset changed data");
        var accepted = Kit.Run("--target=DbReset", $"--connection={remote}", "--seed=minimal", "--allow-remote", "--confirm=" + Database);

        Assert.That(refused.ExitCode, Is.EqualTo(2), refused.All);
        Assert.That(wrongName.ExitCode, Is.EqualTo(2), wrongName.All);
        Assert.That(wrongName.SingleErrorLine(), Does.Contain("does not match the database name"));
        AssertSucceeded(accepted);
        Assert.That(await Db.ScalarAsync<long>(Connection, "SELECT count(*) FROM app.items"), Is.EqualTo(3));
    }

    [Test]
    public void A_protected_environment_is_refused_even_with_allow_remote_and_confirm()
    {
        var result = RunTask("DbReset", "--env=production", "--allow-remote", "--confirm=" + Database);

        Assert.That(result.ExitCode, Is.EqualTo(2), result.All);
        Assert.That(result.SingleErrorLine(), Does.Contain("environment 'production' is protected"));
    }

    [Test]
    public async Task A_dry_run_prints_the_plan_and_changes_nothing()
    {
        AssertSucceeded(RunTask("Seed", "--seed=minimal"));

        var result = RunTask("DbReset", "--dryrun");

        AssertSucceeded(result);
        Assert.That(result.Output, Does.Contain("Reset ").And.Contain($"CREATE DATABASE \"{Database}__incoming\" TEMPLATE template0"));
        Assert.That(await Db.ScalarAsync<long>(Connection, "SELECT count(*) FROM app.items"), Is.EqualTo(3));
        Assert.That(Directory.Exists(Kit.BackupsFolder()), Is.False);

        // A database holding more than its migrations make is reset in place, and the plan says why.
        await Db.ExecuteAsync(Connection, "CREATE TABLE public.kept (id int)");
        var inPlace = RunTask("DbReset", "--dryrun");

        AssertSucceeded(inPlace);
        Assert.That(inPlace.Output, Does.Contain("DROP SCHEMA IF EXISTS \"app\" CASCADE").And.Contain("in place, because").And.Contain("public.kept"));
    }

    [Test]
    public async Task Every_reset_and_restore_keeps_the_database_level_settings_privileges_owner_and_comment()
    {
        AssertSucceeded(RunTask("Seed", "--seed=minimal"));
        var maintenance = Server.ConnectionString("postgres");
        var role = "kit_reader_" + Guid.NewGuid().ToString("N")[..8];
        var name = $"\"{Database}\"";
        await Db.ExecuteAsync(maintenance, $"CREATE ROLE {role}");
        DropAfterTest(Database + "__snap__state");
        try
        {
            await Db.ExecuteAsync(maintenance,
                $"ALTER DATABASE {name} SET work_mem = '7MB'; ALTER DATABASE {name} SET search_path = app, public; ALTER ROLE {role} IN DATABASE {name} SET statement_timeout = '5s'; "
                + $"REVOKE CONNECT, TEMPORARY ON DATABASE {name} FROM PUBLIC; GRANT CONNECT ON DATABASE {name} TO {role}; COMMENT ON DATABASE {name} IS 'the team''s database'; "
                + $"ALTER DATABASE {name} WITH CONNECTION LIMIT 40");
            var state = $"""
                SELECT (SELECT string_agg(coalesce(pg_get_userbyid(s.setrole)::text, '-') || ':' || array_to_string(s.setconfig, ','), ' ' ORDER BY s.setrole)
                        FROM pg_db_role_setting s WHERE s.setdatabase = d.oid)
                       || ' | ' || pg_get_userbyid(d.datdba) || ' | ' || (SELECT string_agg(a::text, ',' ORDER BY a::text) FROM unnest(d.datacl) a) || ' | ' || shobj_description(d.oid, 'pg_database') || ' | ' || d.datconnlimit
                FROM pg_database d WHERE d.datname = '{Database}'
                """;
            var before = await Db.ScalarAsync<string>(maintenance, state);
            Assert.That(before, Does.Contain("work_mem=7MB").And.Contain(role).And.Contain("the team's database"));

            AssertSucceeded(RunTask("Backup"));
            AssertSucceeded(RunTask("DbReset", "--seed=minimal"));
            Assert.That(await Db.ScalarAsync<string>(maintenance, state), Is.EqualTo(before), "after a plain DbReset");
            AssertSucceeded(RunTask("DbReset", "--save-snapshot=state"));
            AssertSucceeded(RunTask("DbReset", "--from-snapshot=state"));
            Assert.That(await Db.ScalarAsync<string>(maintenance, state), Is.EqualTo(before), "after DbReset --from-snapshot");
            AssertSucceeded(RunTask("Restore", "--backup=latest"));
            Assert.That(await Db.ScalarAsync<string>(maintenance, state), Is.EqualTo(before), "after Restore");
            Assert.That(await Db.ScalarAsync<string>(Connection, "SHOW search_path"), Is.EqualTo("app, public"), "a list setting came back as one element");
        }
        finally
        {
            // The test's databases go with their settings; DROP OWNED revokes the role's privileges on databases too.
            await Db.ExecuteAsync(maintenance, $"DROP OWNED BY {role}");
            await Db.ExecuteAsync(maintenance, $"DROP ROLE {role}");
        }
    }
}

public sealed class SnapshotTests : DatabaseTest
{
    // Capitals, a hyphen and a non-ASCII letter: every identifier must be quoted.
    protected override string? DatabaseName() => "Käse-Prod_DB" + "_" + Guid.NewGuid().ToString("N")[..6];

    [Test]
    public async Task A_saved_snapshot_resets_the_database_to_exactly_its_contents()
    {
        AssertSucceeded(RunTask("Seed", "--seed=demo"));
        var saved = await Db.RowsAsync(Connection, "SELECT id, name, description, created_at FROM app.items ORDER BY id");
        DropAfterTest(Database + "__snap__golden");

        AssertSucceeded(RunTask("DbReset", "--save-snapshot=golden"));
        await Db.ExecuteAsync(Connection, "DELETE FROM app.items WHERE id % 2 = 0; INSERT INTO app.items (name) VALUES ('after the snapshot'); CREATE TABLE app.later (id int)");
        var reset = RunTask("DbReset", "--from-snapshot=golden");

        AssertSucceeded(reset);
        Assert.That(reset.Output, Does.Contain("Reset").And.Contain("from snapshot 'golden'"));
        Assert.That(await Db.RowsAsync(Connection, "SELECT id, name, description, created_at FROM app.items ORDER BY id"), Is.EqualTo(saved));
        Assert.That(await Db.ScalarAsync<bool>(Connection, "SELECT to_regclass('app.later') IS NULL"), Is.True);
        Assert.That(await Db.ScalarAsync<bool>(Server.ConnectionString("postgres"), $"SELECT datistemplate FROM pg_database WHERE datname = '{Database}__snap__golden'"), Is.True);
    }

    [Test]
    public void An_unknown_snapshot_is_refused_and_the_database_kept()
    {
        AssertSucceeded(RunTask("Migrate"));

        var result = RunTask("DbReset", "--from-snapshot=nope");

        Assert.That(result.ExitCode, Is.EqualTo(2), result.All);
        Assert.That(result.SingleErrorLine(), Does.Contain("There is no snapshot 'nope'"));
    }

    [Test]
    public async Task Migrate_seed_and_reset_work_on_a_database_named_with_capitals_hyphens_and_umlauts()
    {
        AssertSucceeded(RunTask("Seed", "--seed=minimal"));
        AssertSucceeded(RunTask("DbReset", "--seed=demo"));

        Assert.That(await Db.ScalarAsync<long>(Connection, "SELECT count(*) FROM app.items"), Is.EqualTo(103));
        Assert.That(await Db.ScalarAsync<long>(Server.ConnectionString("postgres"), $"SELECT count(*) FROM pg_database WHERE starts_with(datname, '{Database}__aside__')"), Is.EqualTo(1));
    }
}
