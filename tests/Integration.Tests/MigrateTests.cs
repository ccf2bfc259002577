using Integration.Tests.Support;

namespace Integration.Tests;

public sealed class MigrateTests : DatabaseTest
{
    [Test]
    public async Task The_first_migration_creates_the_sample_services_table_and_records_it()
    {
        AssertSucceeded(RunTask("Migrate"));

        var columns = await Db.RowsAsync(Connection,
            "SELECT column_name, data_type, is_nullable, coalesce(is_identity, 'NO') FROM information_schema.columns WHERE table_schema = 'app' AND table_name = 'items' ORDER BY ordinal_position");
        Assert.That(columns, Is.EqualTo(new[]
        {
            "id\tbigint\tNO\tYES", "name\ttext\tNO\tNO", "description\ttext\tYES\tNO", "created_at\ttimestamp with time zone\tNO\tNO",
        }));
        var history = await Db.RowsAsync(Connection, "SELECT version, file, length(checksum), applied_at <= now() FROM kit.schema_migrations");
        Assert.That(history, Is.EqualTo(new[] { "1\tscripts/db/migrations/0001_create_items.sql\t64\tTrue" }));
    }

    [Test]
    public async Task Migrations_apply_in_version_order_whatever_order_the_files_were_written_in()
    {
        // Each migration depends on the one before: applied in any other order, one of them fails.
        Kit.WriteMigration("0003_log_table.sql", "INSERT INTO app.steps (step) VALUES (3);");
        Kit.WriteMigration("0010_last.sql", "INSERT INTO app.steps (step) VALUES (10);");
        Kit.WriteMigration("0002_steps.sql", "CREATE TABLE app.steps (position bigint GENERATED ALWAYS AS IDENTITY, step int NOT NULL); INSERT INTO app.steps (step) VALUES (2);");

        AssertSucceeded(RunTask("Migrate"));

        Assert.That(await Db.RowsAsync(Connection, "SELECT step FROM app.steps ORDER BY position"), Is.EqualTo(new[] { "2", "3", "10" }));
        Assert.That(await Db.RowsAsync(Connection, "SELECT version FROM kit.schema_migrations ORDER BY applied_at, version"), Is.EqualTo(new[] { "1", "2", "3", "10" }));
    }

    [Test]
    public async Task Running_migrate_twice_changes_nothing()
    {
        AssertSucceeded(RunTask("Migrate"));
        var before = await Db.RowsAsync(Connection, "SELECT version, checksum, applied_at FROM kit.schema_migrations ORDER BY version");

        var second = RunTask("Migrate");

        AssertSucceeded(second);
        Assert.That(second.Output, Does.Contain("is up to date (version 0001"));
        Assert.That(await Db.RowsAsync(Connection, "SELECT version, checksum, applied_at FROM kit.schema_migrations ORDER BY version"), Is.EqualTo(before));
    }

    [Test]
    public async Task A_changed_applied_migration_is_an_error_naming_the_file_and_nothing_else_is_applied()
    {
        AssertSucceeded(RunTask("Migrate"));
        File.AppendAllText(Path.Combine(Kit.MigrationsFolder, "0001_create_items.sql"), "\nALTER TABLE app.items ADD COLUMN price numeric;\n");
        Kit.WriteMigration("0002_more.sql", "CREATE TABLE app.more (id int);");

        var result = RunTask("Migrate");

        Assert.That(result.ExitCode, Is.EqualTo(2), result.All);
        Assert.That(result.SingleErrorLine(), Does.Contain("scripts/db/migrations/0001_create_items.sql was changed after it was applied"));
        Assert.That(await Db.ScalarAsync<bool>(Connection, "SELECT to_regclass('app.more') IS NULL"), Is.True, "a pending migration ran after drift was found");
    }

    [Test]
    public async Task A_failing_migration_is_rolled_back_whole_and_named_with_the_servers_reason()
    {
        Kit.WriteMigration("0002_broken.sql", "CREATE TABLE app.half (id int);\nSELECT no_such_function();\n");

        var result = RunTask("Migrate");

        Assert.That(result.ExitCode, Is.EqualTo(1), result.All);
        Assert.That(result.Error, Does.Contain("0002_broken.sql failed: function no_such_function() does not exist"));
        Assert.That(await Db.ScalarAsync<bool>(Connection, "SELECT to_regclass('app.half') IS NULL"), Is.True);
        Assert.That(await Db.RowsAsync(Connection, "SELECT version FROM kit.schema_migrations"), Is.EqualTo(new[] { "1" }));
    }

    [Test]
    public async Task A_dry_run_lists_the_pending_migrations_read_from_the_history_and_changes_nothing()
    {
        AssertSucceeded(RunTask("Migrate"));
        Kit.WriteMigration("0002_more.sql", "CREATE TABLE app.more (id int);");
        var before = await Db.RowsAsync(Connection, "SELECT version, checksum, applied_at FROM kit.schema_migrations ORDER BY version");

        var result = RunTask("Migrate", "--dryrun");

        AssertSucceeded(result);
        Assert.That(result.Output, Does.Contain("Would apply 1 migration(s) of the 2 in scripts/db/migrations to ").And.Contain("now at version 0001:"));
        Assert.That(result.Output, Does.Contain("migrate " + Database + ": 1 migration(s), each in its own transaction").And.Contain("    scripts/db/migrations/0002_more.sql"));
        Assert.That(result.Output, Does.Not.Contain("0001_create_items.sql"));
        Assert.That(await Db.ScalarAsync<bool>(Connection, "SELECT to_regclass('app.more') IS NULL"), Is.True);
        Assert.That(await Db.RowsAsync(Connection, "SELECT version, checksum, applied_at FROM kit.schema_migrations ORDER BY version"), Is.EqualTo(before));
    }

    [Test]
    public void A_dry_run_refuses_a_changed_applied_migration_as_the_run_would()
    {
        AssertSucceeded(RunTask("Migrate"));
        File.AppendAllText(Path.Combine(Kit.MigrationsFolder, "0001_create_items.sql"), "\nALTER TABLE app.items ADD COLUMN price numeric;\n");

        var result = RunTask("Migrate", "--dryrun");

        Assert.That(result.ExitCode, Is.EqualTo(2), result.All);
        Assert.That(result.SingleErrorLine(), Does.Contain("scripts/db/migrations/0001_create_items.sql was changed after it was applied"));
    }

    [Test]
    public void A_misnamed_sql_file_is_an_error_not_silently_skipped()
    {
        Kit.WriteMigration("2_oops.sql", "SELECT 1;");

        var result = RunTask("Migrate");

        Assert.That(result.ExitCode, Is.EqualTo(2), result.All);
        Assert.That(result.Error, Does.Contain("scripts/db/migrations/2_oops.sql: is not named NNNN_description.sql"));
    }

    [Test]
    public void A_wrong_password_is_one_clear_line_without_the_password()
    {
        var wrong = Server.ConnectionString(Database, password: "not-the-Password-42");

        var result = Kit.Run("--target=Migrate", $"--connection={wrong}");

        Assert.That(result.ExitCode, Is.EqualTo(1), result.All);
        Assert.That(result.SingleErrorLine(), Does.Contain($"Cannot connect to postgres@127.0.0.1:{Server.Port}/{Database}").And.Contain("password authentication failed"));
        Assert.That(result.All, Does.Not.Contain("not-the-Password-42"));
    }
}
