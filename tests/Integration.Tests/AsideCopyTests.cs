using Integration.Tests.Support;

namespace Integration.Tests;

/// <summary>
/// The safety copies that cost nothing: DbReset and Restore keep the database they replace aside on its server
/// (renamed, or for an in-place reset copied by template), a reset that fails midway puts the original back under its
/// own name, BackupList lists the aside copies and retention (backup.keepAside) drops the older ones.
/// </summary>
public sealed class AsideCopyTests : DatabaseTest
{
    private string Maintenance => Server.ConnectionString("postgres");

    private Task<IReadOnlyList<string>> AsidesAsync() =>
        Db.RowsAsync(Maintenance, $"SELECT datname FROM pg_database WHERE starts_with(datname, '{Database}__aside__') ORDER BY 1");

    [Test]
    public async Task A_reset_that_fails_midway_leaves_the_original_database_intact_under_its_own_name()
    {
        AssertSucceeded(RunTask("Seed", "--seed=minimal"));
        await Db.ExecuteAsync(Connection, "INSERT INTO app.items (name) VALUES ('user row')");
        // The reset builds the new database beside this one, and this migration fails there: the database is never touched.
        Kit.WriteMigration("0002_broken.sql", "CREATE TABLE app.half (id int); SELECT 1 / 0;");

        var result = RunTask("DbReset", "--seed=minimal");

        Assert.That(result.ExitCode, Is.EqualTo(1), result.All);
        Assert.That(result.Output, Does.Contain($"{Database} was not touched and is as it was; the new database {Database}__incoming was dropped"));
        Assert.That(await Db.ScalarAsync<long>(Connection, "SELECT count(*) FROM app.items WHERE name = 'user row'"), Is.EqualTo(1));
        Assert.That(await Db.ScalarAsync<bool>(Connection, "SELECT to_regclass('app.half') IS NULL"), Is.True);
        Assert.That(await Db.RowsAsync(Connection, "SELECT version FROM kit.schema_migrations"), Is.EqualTo(new[] { "1" }));
        Assert.That(await AsidesAsync(), Is.Empty, "nothing was set aside");
        Assert.That(await Db.ScalarAsync<long>(Maintenance, $"SELECT count(*) FROM pg_database WHERE datname = '{Database}__incoming'"), Is.Zero, "the new database was left behind");
    }

    [Test]
    public async Task A_reset_that_fails_after_its_checks_has_dropped_only_the_copies_beyond_keep_aside()
    {
        AssertSucceeded(RunTask("Seed", "--seed=minimal"));
        Kit.EditDatabaseConfig(c => c["backup"]!["keepAside"] = 1);
        AssertSucceeded(RunTask("DbReset", "--seed=minimal"));
        AssertSucceeded(RunTask("DbReset", "--seed=minimal"));
        var before = await AsidesAsync();
        Assert.That(before, Has.Count.EqualTo(2), "the newest one retention keeps, and the second reset's own");
        Kit.WriteMigration("0002_broken.sql", "CREATE TABLE app.half (id int); SELECT 1 / 0;");

        var result = RunTask("DbReset", "--seed=minimal");

        Assert.That(result.ExitCode, Is.EqualTo(1), result.All);
        Assert.That(result.Output, Does.Contain("Retention: dropped aside copy"));
        var after = await AsidesAsync();
        Assert.That(after, Has.Count.EqualTo(1), "the copy beyond keepAside went while the reset ran; the reset failed and added none");
        Assert.That(before, Does.Contain(after.Single()));
        Assert.That(after.Single(), Is.EqualTo(before.Max(StringComparer.Ordinal)), "the newest copy is the one kept");
    }

    [Test]
    public async Task An_in_place_reset_that_fails_midway_puts_its_aside_copy_back_under_the_database_name()
    {
        AssertSucceeded(RunTask("Seed", "--seed=minimal"));
        // A table the migrations do not make: the reset keeps it, so it resets in place after a copy aside.
        await Db.ExecuteAsync(Connection, "INSERT INTO app.items (name) VALUES ('user row'); CREATE TABLE public.kept (id int)");
        await Db.ExecuteAsync(Maintenance, $"ALTER DATABASE \"{Database}\" SET work_mem = '7MB'; COMMENT ON DATABASE \"{Database}\" IS 'ours'");
        // The reset drops the app schema, then this migration fails: the database is half reset at that moment.
        Kit.WriteMigration("0002_broken.sql", "CREATE TABLE app.half (id int); SELECT 1 / 0;");

        var result = RunTask("DbReset", "--seed=minimal");

        Assert.That(result.ExitCode, Is.EqualTo(1), result.All);
        Assert.That(result.Output, Does.Contain($"{Database} is back as it was before it"));
        Assert.That(await Db.ScalarAsync<string>(Maintenance, $"SELECT array_to_string(s.setconfig, ',') FROM pg_db_role_setting s JOIN pg_database d ON d.oid = s.setdatabase WHERE d.datname = '{Database}'"),
            Is.EqualTo("work_mem=7MB"), "the copy put back lost the database's settings");
        Assert.That(await Db.ScalarAsync<long>(Connection, "SELECT count(*) FROM app.items WHERE name = 'user row'"), Is.EqualTo(1));
        Assert.That(await Db.ScalarAsync<bool>(Connection, "SELECT to_regclass('app.half') IS NULL"), Is.True);
        Assert.That(await Db.RowsAsync(Connection, "SELECT version FROM kit.schema_migrations"), Is.EqualTo(new[] { "1" }));
        Assert.That(await AsidesAsync(), Is.Empty, "the aside copy went back under the database's name");
        Assert.That(await Db.ScalarAsync<string>(Maintenance, $"SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = '{Database}'"), Is.EqualTo("ours"), "still marked as an aside copy");
    }

    [Test]
    public async Task A_snapshot_reset_whose_swap_fails_leaves_the_database_untouched_and_drops_the_clone()
    {
        AssertSucceeded(RunTask("Seed", "--seed=minimal"));
        // The kit runs as the database's owner, not a superuser: a superuser's session on the database is one it may
        // not end, so the swap fails after the clone was made and before anything changed.
        var role = "kit_owner_" + Guid.NewGuid().ToString("N")[..8];
        await Db.ExecuteAsync(Maintenance, $"CREATE ROLE {role} LOGIN CREATEDB PASSWORD 'owner-Pa55word'; ALTER DATABASE \"{Database}\" OWNER TO {role}");
        var asOwner = new Npgsql.NpgsqlConnectionStringBuilder(Connection) { Username = role, Password = "owner-Pa55word" }.ConnectionString;
        DropAfterTest(Database + "__snap__base");
        try
        {
            AssertSucceeded(Kit.Run("--target=DbReset", $"--connection={asOwner}", "--save-snapshot=base"));
            await Db.ExecuteAsync(Connection, "INSERT INTO app.items (name) VALUES ('after the snapshot')");
            await using var superuser = new Npgsql.NpgsqlConnection(Connection);
            await superuser.OpenAsync();

            var result = Kit.Run("--target=DbReset", $"--connection={asOwner}", "--from-snapshot=base");

            Assert.That(result.ExitCode, Is.Not.Zero, result.All);
            Assert.That(await Db.ScalarAsync<long>(Connection, "SELECT count(*) FROM app.items WHERE name = 'after the snapshot'"), Is.EqualTo(1), "the database was changed");
            Assert.That(await AsidesAsync(), Is.Empty, "nothing was set aside");
            Assert.That(await Db.ScalarAsync<long>(Maintenance, $"SELECT count(*) FROM pg_database WHERE datname = '{Database}__incoming'"), Is.Zero, "the clone was left behind");
        }
        finally
        {
            await Db.ExecuteAsync(Maintenance, $"ALTER DATABASE \"{Database}\" OWNER TO postgres; ALTER DATABASE \"{Database}__snap__base\" OWNER TO postgres");
            await Db.ExecuteAsync(Maintenance, $"DROP ROLE {role}");
        }
    }

    [Test]
    public async Task Aside_copies_are_listed_by_backup_list_and_the_older_ones_dropped_by_retention()
    {
        AssertSucceeded(RunTask("Seed", "--seed=minimal"));
        DropAfterTest(Database + "__snap__base");
        AssertSucceeded(RunTask("DbReset", "--save-snapshot=base"));
        Kit.EditDatabaseConfig(c => c["backup"]!["keepAside"] = 2);

        var names = new List<string>();
        var resets = new List<KitSandbox.Result>();
        for (var i = 1; i <= 4; i++)
        {
            await Db.ExecuteAsync(Connection, $"INSERT INTO app.items (name) VALUES ('generation {i}')");
            resets.Add(RunTask("DbReset", "--from-snapshot=base"));
            AssertSucceeded(resets[^1]);
            names.Add((await AsidesAsync()).Except(names).Single());
        }

        // Each reset drops, beside its clone, the copies beyond the newest two that it found, then adds its own: the
        // third reset found two and dropped none, the fourth found three and dropped the oldest.
        var kept = await AsidesAsync();
        Assert.That(kept, Is.EqualTo(names.Skip(1).Order(StringComparer.Ordinal).ToArray()), "the oldest aside copy is dropped, the newest two kept, and the fourth reset's own");
        Assert.That(resets[2].Output, Does.Not.Contain("Retention: dropped"));
        Assert.That(resets[3].Output, Does.Contain($"Retention: dropped aside copy {names[0]} of {Database}"));
        Assert.That(await Db.ScalarAsync<long>(Server.ConnectionString(names[3]), "SELECT count(*) FROM app.items WHERE name = 'generation 4'"), Is.EqualTo(1), "the aside copy is the database as it was");
        Assert.That(await Db.ScalarAsync<long>(Connection, "SELECT count(*) FROM app.items WHERE name LIKE 'generation%'"), Is.Zero);

        var list = RunTask("BackupList");

        AssertSucceeded(list);
        // Copies made within one second share the stamp and add _2, _3: the oldest's name is a prefix of the others', so
        // the listing is read by whole entries (a name, then two spaces), not by substrings.
        var listed = list.Output.Split('\n').Select(line => line.Trim().Split("  ")[0]).ToArray();
        Assert.That(list.Output, Does.Contain($"3 aside copies of {Database}"));
        Assert.That(listed, Does.Contain(names[1]).And.Contain(names[2]).And.Contain(names[3]).And.Not.Contain(names[0]), list.Output);
        Assert.That(list.Output, Does.Contain("replaced by DbReset --from-snapshot=base"));
    }

    [Test]
    public async Task Of_ten_aside_copies_made_within_one_second_retention_keeps_the_newest_by_number()
    {
        AssertSucceeded(RunTask("Seed", "--seed=minimal"));
        Kit.EditDatabaseConfig(c => c["backup"]!["keepAside"] = 2);
        // Copies as ten resets within one second leave them: _10 is the newest, though it sorts before _9 as text.
        var stamp = $"{Database}__aside__20250102_030405";
        var copies = Enumerable.Range(1, 10).Select(n => n == 1 ? stamp : $"{stamp}_{n}").ToArray();
        foreach (var copy in copies)
        {
            await Db.ExecuteAsync(Maintenance, $"CREATE DATABASE \"{copy}\" TEMPLATE template0");
            await Db.ExecuteAsync(Maintenance, $"COMMENT ON DATABASE \"{copy}\" IS 'kit aside copy of \"{Database}\", replaced by DbReset, 2025-01-02 03:04:05 UTC'");
        }

        var result = RunTask("DbReset", "--seed=minimal");

        AssertSucceeded(result);
        var kept = await AsidesAsync();
        Assert.That(kept, Does.Contain(copies[9]).And.Contain(copies[8]).And.Not.Contain(copies[7]).And.Not.Contain(copies[0]), result.Output);
        Assert.That(kept, Has.Count.EqualTo(3), "the newest two of the earlier copies, and the reset's own");
    }

    [Test]
    public async Task A_restore_keeps_the_replaced_database_aside_and_a_restore_without_before_restore_keeps_none()
    {
        AssertSucceeded(RunTask("Seed", "--seed=minimal"));
        AssertSucceeded(RunTask("Backup"));
        await Db.ExecuteAsync(Connection, "INSERT INTO app.items (name) VALUES ('after the backup')");

        AssertSucceeded(RunTask("Restore", "--backup=latest"));
        var aside = (await AsidesAsync()).Single();
        Assert.That(await Db.ScalarAsync<long>(Connection, "SELECT count(*) FROM app.items"), Is.EqualTo(3));
        Assert.That(await Db.ScalarAsync<long>(Server.ConnectionString(aside), "SELECT count(*) FROM app.items WHERE name = 'after the backup'"), Is.EqualTo(1));

        Kit.EditDatabaseConfig(c => c["backup"]!["beforeRestore"] = false);
        AssertSucceeded(RunTask("Restore", "--backup=latest"));
        Assert.That(await AsidesAsync(), Is.EqualTo(new[] { aside }), "beforeRestore false keeps no new aside copy and drops none of the older");
    }

    [Test]
    public async Task A_restore_without_before_restore_whose_drop_of_the_replaced_database_fails_says_so_and_succeeds()
    {
        AssertSucceeded(RunTask("Seed", "--seed=minimal"));
        AssertSucceeded(RunTask("Backup"));
        await Db.ExecuteAsync(Connection, "INSERT INTO app.items (name) VALUES ('after the backup')");
        Kit.EditDatabaseConfig(c => c["backup"]!["beforeRestore"] = false);
        // A template database cannot be dropped: the replaced database, renamed aside after the swap, stays.
        await Db.ExecuteAsync(Maintenance, $"ALTER DATABASE \"{Database}\" IS_TEMPLATE true");

        var result = RunTask("Restore", "--backup=latest");

        AssertSucceeded(result);
        Assert.That(result.All, Does.Contain("was not dropped (cannot drop a template database").And.Contain("Drop it with DROP DATABASE"));
        Assert.That(result.All, Does.Not.Contain("was not touched"));
        Assert.That(await AsidesAsync(), Has.Count.EqualTo(1));
        Assert.That(await Db.ScalarAsync<long>(Connection, "SELECT count(*) FROM app.items WHERE name = 'after the backup'"), Is.Zero, "the restored database is in place");
    }
}
