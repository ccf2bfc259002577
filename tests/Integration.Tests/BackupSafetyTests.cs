using System.Text.Json.Nodes;
using Build.Database;
using Integration.Tests.Support;
using Npgsql;

namespace Integration.Tests;

/// <summary>
/// Restore refuses before it touches anything (an edited manifest, an archive pg_restore cannot read), a row count
/// that differs is found inside the restore's transaction, and older backups stay readable.
/// </summary>
public sealed class RestoreRefusalTests : DatabaseTest
{
    [Test]
    public async Task An_edited_manifest_is_refused_before_the_target_database_is_touched()
    {
        AssertSucceeded(RunTask("Seed", "--seed=minimal"));
        AssertSucceeded(RunTask("Backup"));
        var folder = Directory.GetDirectories(Kit.BackupsFolder()).Single();
        EditManifest(folder, m => m["tables"]!["app.items"] = 4);
        await Db.ExecuteAsync(Connection, "INSERT INTO app.items (name) VALUES ('marker written before the restore')");
        await using var other = new NpgsqlConnection(Connection);
        await other.OpenAsync();

        var result = RunTask("Restore", "--backup=latest");

        Assert.That(result.ExitCode, Is.EqualTo(2), result.All);
        Assert.That(result.SingleErrorLine(), Does.Contain("manifest.json does not match SHA256SUMS: the manifest was edited or damaged").And.Contain("Nothing was restored"));
        Assert.That(await Db.ScalarAsync<long>(Connection, "SELECT count(*) FROM app.items WHERE name = 'marker written before the restore'"), Is.EqualTo(1));
        Assert.That(Directory.GetDirectories(Kit.BackupsFolder()), Has.Length.EqualTo(1), "no pre-restore backup before the refusal");
        // Restore ends other sessions just before it replaces the database: this one is still alive, so it never got there.
        await using var probe = new NpgsqlCommand("SELECT 1", other);
        Assert.That(await probe.ExecuteScalarAsync(), Is.EqualTo(1));
    }

    [Test]
    public async Task A_row_count_that_differs_is_found_before_the_swap_so_live_is_untouched_and_the_new_database_dropped()
    {
        // A manifest whose checksums were rewritten to match (or a format 1 manifest, which has none): the row counts
        // are checked in the new database before it replaces anything, so the database stays as it was.
        AssertSucceeded(RunTask("Seed", "--seed=minimal"));
        AssertSucceeded(RunTask("Backup"));
        var folder = Directory.GetDirectories(Kit.BackupsFolder()).Single();
        EditManifest(folder, m => m["tables"]!["app.items"] = 4);
        RewriteChecksums(folder);
        await Db.ExecuteAsync(Connection, "INSERT INTO app.items (name) VALUES ('marker'); CREATE TABLE app.after_backup (id int)");

        var result = RunTask("Restore", "--backup=latest");

        Assert.That(result.ExitCode, Is.EqualTo(1), result.All);
        Assert.That(result.SingleErrorLine(), Does.Contain($"{Database} was not touched").And.Contain("as it was").And.Contain("app.items: 4 row(s) in the backup, 3 restored"));
        Assert.That(await Db.ScalarAsync<long>(Connection, "SELECT count(*) FROM app.items"), Is.EqualTo(4));
        Assert.That(await Db.ScalarAsync<bool>(Connection, "SELECT to_regclass('app.after_backup') IS NOT NULL"), Is.True, "the live database was changed");
        Assert.That(await Db.ScalarAsync<long>(Server.ConnectionString("postgres"), "SELECT count(*) FROM pg_database WHERE datname LIKE 'kit\\_verify\\_%'"), Is.Zero, "the new database was left behind");
        Assert.That(await Db.ScalarAsync<long>(Server.ConnectionString("postgres"), $"SELECT count(*) FROM pg_database WHERE starts_with(datname, '{Database}__aside__')"), Is.Zero, "a failed restore set the database aside");
    }

    [Test]
    public async Task An_archive_pg_restore_cannot_read_is_refused_before_anything_even_with_matching_checksums()
    {
        AssertSucceeded(RunTask("Seed", "--seed=minimal"));
        AssertSucceeded(RunTask("Backup"));
        var folder = Directory.GetDirectories(Kit.BackupsFolder()).Single();
        var dump = Path.Combine(folder, "database.dump");
        File.WriteAllText(dump, "not a pg_dump archive");
        var (sha, size) = BackupManifest.Hash(dump);
        EditManifest(folder, m =>
        {
            m["sha256"] = sha;
            m["sizeBytes"] = size;
        });
        RewriteChecksums(folder);
        await Db.ExecuteAsync(Connection, "INSERT INTO app.items (name) VALUES ('marker')");

        var result = RunTask("Restore", "--backup=latest");

        Assert.That(result.ExitCode, Is.EqualTo(2), result.All);
        Assert.That(result.SingleErrorLine(), Does.Contain("pg_restore cannot read").And.Contain("does not appear to be a valid archive").And.Contain("Nothing was restored"));
        Assert.That(await Db.ScalarAsync<long>(Connection, "SELECT count(*) FROM app.items"), Is.EqualTo(4));
        Assert.That(Directory.GetDirectories(Kit.BackupsFolder()), Has.Length.EqualTo(1), "no pre-restore backup before the refusal");
    }

    [Test]
    public async Task A_manifest_naming_another_database_than_the_archive_is_refused()
    {
        AssertSucceeded(RunTask("Seed", "--seed=minimal"));
        AssertSucceeded(RunTask("Backup"));
        var folder = Directory.GetDirectories(Kit.BackupsFolder()).Single();
        EditManifest(folder, m => m["database"] = "someone_else");
        RewriteChecksums(folder);

        var result = RunTask("Restore", "--backup=" + folder);

        Assert.That(result.ExitCode, Is.EqualTo(2), result.All);
        Assert.That(result.SingleErrorLine(), Does.Contain($"the archive is a dump of database '{Database}', the manifest says 'someone_else'"));
        await Task.CompletedTask;
    }

    [Test]
    public async Task A_format_1_backup_of_an_older_kit_is_still_restored()
    {
        AssertSucceeded(RunTask("Seed", "--seed=minimal"));
        AssertSucceeded(RunTask("Backup"));
        var folder = Directory.GetDirectories(Kit.BackupsFolder()).Single();
        // What the previous kit wrote: format 1, no server, no SHA256SUMS.
        EditManifest(folder, m =>
        {
            m["format"] = 1;
            m.Remove("server");
        });
        File.Delete(Path.Combine(folder, BackupChecksums.FileName));
        await Db.ExecuteAsync(Connection, "INSERT INTO app.items (name) VALUES ('after the backup')");

        var result = RunTask("Restore", "--backup=latest");

        AssertSucceeded(result);
        Assert.That(result.Output, Does.Contain("manifest format 1, written before manifests were checksummed"));
        Assert.That(await Db.ScalarAsync<long>(Connection, "SELECT count(*) FROM app.items"), Is.EqualTo(3));
    }

    internal static void EditManifest(string folder, Action<JsonObject> edit)
    {
        var path = Path.Combine(folder, BackupManifest.FileName);
        var node = JsonNode.Parse(File.ReadAllText(path))!.AsObject();
        edit(node);
        File.WriteAllText(path, node.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true }));
    }

    private static void RewriteChecksums(string folder)
    {
        File.Delete(Path.Combine(folder, BackupChecksums.FileName));
        BackupChecksums.Write(folder, "database.dump", BackupManifest.FileName);
    }
}

/// <summary>Backups belong to a database: "latest" and retention never cross from one database to another.</summary>
public sealed class BackupKeyTests : DatabaseTest
{
    [Test]
    public async Task Latest_never_restores_another_databases_backup()
    {
        var small = await Server.CreateDatabaseAsync("small_" + Guid.NewGuid().ToString("N")[..8]);
        DropAfterTest(small);
        var smallConnection = Server.ConnectionString(small);
        AssertSucceeded(RunTask("Seed", "--seed=demo"));
        AssertSucceeded(RunTask("Backup"));
        AssertSucceeded(Kit.Run("--target=Seed", "--seed=minimal", $"--connection={smallConnection}"));
        await Db.ExecuteAsync(smallConnection, "INSERT INTO app.items (name) VALUES ('small marker')");

        var refused = Kit.Run("--target=Restore", "--backup=latest", $"--connection={smallConnection}");

        Assert.That(refused.ExitCode, Is.EqualTo(2), refused.All);
        Assert.That(refused.SingleErrorLine(), Does.Contain($"There is no backup of database '{small}'").And.Contain("--backup=<folder>"));
        Assert.That(await Db.ScalarAsync<long>(smallConnection, "SELECT count(*) FROM app.items"), Is.EqualTo(4));

        // With a backup of its own, latest takes that one, even when another database's backup is newer.
        AssertSucceeded(Kit.Run("--target=Backup", $"--connection={smallConnection}"));
        await Task.Delay(1100);
        AssertSucceeded(RunTask("Backup"));
        await Db.ExecuteAsync(smallConnection, "DELETE FROM app.items");
        var restored = Kit.Run("--target=Restore", "--backup=latest", $"--connection={smallConnection}");
        AssertSucceeded(restored);
        Assert.That(await Db.ScalarAsync<long>(smallConnection, "SELECT count(*) FROM app.items"), Is.EqualTo(4));

        // Another database's backup only when named, and the run says so.
        var other = new BackupStore(Kit.BackupsFolder()).List().First(e => e.Manifest.Database == Database);
        var explicitRestore = Kit.Run("--target=Restore", "--backup=" + other.Folder, $"--connection={smallConnection}");
        AssertSucceeded(explicitRestore);
        Assert.That(explicitRestore.Output, Does.Contain($"Restoring a backup of database '{Database}'").And.Contain($"because --backup named {other.Name} explicitly"));
        Assert.That(await Db.ScalarAsync<long>(smallConnection, "SELECT count(*) FROM app.items"), Is.EqualTo(103));
    }

    [Test]
    public async Task Retention_never_deletes_another_databases_backups()
    {
        var small = await Server.CreateDatabaseAsync("small_" + Guid.NewGuid().ToString("N")[..8]);
        DropAfterTest(small);
        var smallConnection = Server.ConnectionString(small);
        AssertSucceeded(RunTask("Seed", "--seed=minimal"));
        AssertSucceeded(RunTask("Backup"));
        var mine = Directory.GetDirectories(Kit.BackupsFolder()).Single();
        foreach (var old in new[] { "20200101_000000", "20200102_000000" })
        {
            BackupRestoreTests.CopyFolder(mine, Path.Combine(Kit.BackupsFolder(), old));
        }

        Kit.SetRetention(keepLast: 1, keepDailyForDays: 0);
        AssertSucceeded(Kit.Run("--target=Migrate", $"--connection={smallConnection}"));

        // The only backup of 'small' is the newest of its key: nothing of the other database may go.
        AssertSucceeded(Kit.Run("--target=Backup", $"--connection={smallConnection}"));
        var store = new BackupStore(Kit.BackupsFolder());
        Assert.That(store.List().Count(e => e.Manifest.Database == Database), Is.EqualTo(3));
        Assert.That(store.List().Count(e => e.Manifest.Database == small), Is.EqualTo(1));

        // A backup of the first database applies retention to its own backups only.
        await Task.Delay(1100);
        AssertSucceeded(RunTask("Backup"));
        Assert.That(store.List().Count(e => e.Manifest.Database == Database), Is.EqualTo(1));
        Assert.That(store.List().Count(e => e.Manifest.Database == small), Is.EqualTo(1));
    }
}

/// <summary>A Backup --verify that was killed leaves a scratch database: listed, then removed by the next backup.</summary>
public sealed class VerifyScratchTests : DatabaseTest
{
    [Test]
    public async Task Backup_list_reports_and_the_next_backup_removes_leftover_scratch_databases_but_never_one_in_use()
    {
        var leftover = await Server.CreateDatabaseAsync(VerifyScratch.NewName());
        var inUse = await Server.CreateDatabaseAsync(VerifyScratch.NewName());
        var runningVerify = await Server.CreateDatabaseAsync(VerifyScratch.NewName());
        DropAfterTest(leftover);
        DropAfterTest(inUse);
        DropAfterTest(runningVerify);
        await Db.ExecuteAsync(Server.ConnectionString(leftover), "CREATE TABLE restored (id int); INSERT INTO restored SELECT generate_series(1, 1000)");
        // A session on the scratch database, and a verify's maintenance connection naming it: both mean "still running".
        await using var session = new NpgsqlConnection(Server.ConnectionString(inUse));
        await session.OpenAsync();
        await using var verifying = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(Server.ConnectionString("postgres")) { ApplicationName = VerifyScratch.ApplicationName(runningVerify) }.ConnectionString);
        await verifying.OpenAsync();
        AssertSucceeded(RunTask("Migrate"));

        var list = RunTask("BackupList");
        var backup = RunTask("Backup");

        AssertSucceeded(list);
        Assert.That(list.Output, Does.Contain($"{leftover}  leftover scratch database of a Backup --verify that did not finish").And.Contain("removed by the next --target=Backup"));
        Assert.That(list.Output, Does.Not.Contain(inUse).And.Not.Contain(runningVerify));
        AssertSucceeded(backup);
        Assert.That(backup.Output, Does.Contain($"Removed {leftover}, the scratch database of a Backup --verify that did not finish"));
        var remaining = await Db.RowsAsync(Server.ConnectionString("postgres"), $"SELECT datname FROM pg_database WHERE datname IN ('{leftover}', '{inUse}', '{runningVerify}') ORDER BY 1");
        Assert.That(remaining, Is.EquivalentTo(new[] { inUse, runningVerify }));
    }
}
