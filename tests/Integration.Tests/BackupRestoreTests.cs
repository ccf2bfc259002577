using System.Text.Json;
using Build.Database;
using Integration.Tests.Support;

namespace Integration.Tests;

public sealed class BackupRestoreTests : DatabaseTest
{
    private const string Everything = """
        SELECT 'items', id::text, name, coalesce(description, 'NULL'), created_at::text FROM app.items
        UNION ALL SELECT 'kinds', id::text, doc::text, encode(bytes, 'hex'), amount::text FROM app.kinds
        ORDER BY 1, 2
        """;

    [Test]
    public async Task Backup_then_restore_gives_identical_query_results()
    {
        AssertSucceeded(RunTask("Seed", "--seed=demo"));
        await Db.ExecuteAsync(Connection, """
            CREATE TABLE app.kinds (id int PRIMARY KEY, doc jsonb, bytes bytea, amount numeric(12, 4));
            INSERT INTO app.kinds VALUES (1, '{"name": "Käse ☕", "n": [1, 2]}', '\x00ff10', 12.3456), (2, NULL, NULL, NULL);
            """);
        var before = await Db.RowsAsync(Connection, Everything);
        AssertSucceeded(RunTask("Backup"));

        await Db.ExecuteAsync(Connection, """
            DELETE FROM app.items WHERE id % 3 = 0; UPDATE app.items SET name = 'changed' WHERE id = 1;
            UPDATE app.kinds SET amount = 0; CREATE TABLE app.newer (id int);
            """);
        Assert.That(await Db.RowsAsync(Connection, Everything), Is.Not.EqualTo(before));
        var restore = RunTask("Restore", "--backup=latest");

        AssertSucceeded(restore);
        Assert.That(restore.Output, Does.Contain($"Aside copy of what was replaced: database {Database}__aside__").And.Contain("counts match the manifest"));
        Assert.That(await Db.RowsAsync(Connection, Everything), Is.EqualTo(before));
        // The identity sequence came back too: a new row does not collide with restored ones.
        await Db.ExecuteAsync(Connection, "INSERT INTO app.items (name) VALUES ('after restore')");
        Assert.That(await Db.ScalarAsync<long>(Connection, "SELECT max(id) FROM app.items"), Is.EqualTo(104));
    }

    [Test]
    public async Task A_split_restore_loads_every_row_once_across_blocks_with_a_row_longer_than_a_block_and_values_that_look_like_the_end()
    {
        // Every table is "large": each one's rows go through both connections, cut into blocks of a megabyte at line ends.
        Kit.EditDatabaseConfig(c => c["backup"]!["restoreSplitRows"] = 1);
        AssertSucceeded(RunTask("Seed", "--seed=demo"));
        await Db.ExecuteAsync(Connection, """
            CREATE TABLE app.kinds (id int PRIMARY KEY, doc jsonb, bytes bytea, amount numeric(12, 4));
            INSERT INTO app.kinds VALUES (1, '{"name": "Käse ☕", "n": [1, 2]}', '\x00ff10', 12.3456), (2, NULL, NULL, NULL);
            CREATE TABLE app.wide (id int PRIMARY KEY, body text);
            INSERT INTO app.wide SELECT g, repeat(md5(g::text), 8) FROM generate_series(1, 30000) g;
            INSERT INTO app.wide VALUES
                (-1, repeat(E'line\n\ttab \\ backslash ', 120000)),
                (-2, E'\\.'), (-3, E'\\.\n\\.'), (-4, ''), (-5, NULL), (-6, E'ends with a newline\n');
            """);
        const string Digest = "SELECT md5(string_agg(id::text || ':' || coalesce(body, '<null>'), '|' ORDER BY id)) || ' ' || count(*) FROM app.wide";
        var before = (await Db.RowsAsync(Connection, Everything)).Append(await Db.ScalarAsync<string>(Connection, Digest)).ToArray();
        Assert.That(await Db.ScalarAsync<long>(Connection, "SELECT length(body)::bigint FROM app.wide WHERE id = -1"), Is.GreaterThan(2_000_000), "a row longer than a block");
        AssertSucceeded(RunTask("Backup"));
        await Db.ExecuteAsync(Connection, "DELETE FROM app.wide WHERE id % 7 = 0; UPDATE app.kinds SET amount = 0; DELETE FROM app.items");

        var restore = RunTask("Restore", "--backup=latest");

        AssertSucceeded(restore);
        Assert.That(restore.Output, Does.Contain("| COPY app.wide FROM STDIN through 2 connections").And.Contain("--section=post-data").And.Contain("counts match the manifest"));
        Assert.That((await Db.RowsAsync(Connection, Everything)).Append(await Db.ScalarAsync<string>(Connection, Digest)).ToArray(), Is.EqualTo(before));
        // The primary keys were built after the rows: a duplicate is refused, the sequence continues.
        Assert.That(async () => await Db.ExecuteAsync(Connection, "INSERT INTO app.wide VALUES (1, 'again')"), Throws.InstanceOf<Npgsql.PostgresException>());
        await Db.ExecuteAsync(Connection, "INSERT INTO app.items (name) VALUES ('after restore')");
        Assert.That(await Db.ScalarAsync<long>(Connection, "SELECT max(id) FROM app.items"), Is.EqualTo(104));
    }

    [Test]
    public async Task A_database_not_in_utf8_is_restored_by_pg_restore_alone_and_its_text_comes_back_unchanged()
    {
        var latin1 = "t_latin1_" + Guid.NewGuid().ToString("N")[..8];
        await Db.ExecuteAsync(Server.ConnectionString("postgres"), $"CREATE DATABASE {latin1} ENCODING 'LATIN1' LC_COLLATE 'C' LC_CTYPE 'C' TEMPLATE template0");
        DropAfterTest(latin1);
        var connection = Server.ConnectionString(latin1);
        await Db.ExecuteAsync(connection, "CREATE TABLE words (id int PRIMARY KEY, word text); INSERT INTO words SELECT g, 'café crème ' || g FROM generate_series(1, 5000) g");
        Kit.EditDatabaseConfig(c => c["backup"]!["restoreSplitRows"] = 1);
        var run = (string target, string[] extra) => Kit.Run([$"--target={target}", $"--connection={connection}", .. extra]);
        const string Digest = "SELECT md5(string_agg(word, '|' ORDER BY id)) FROM words";
        var before = await Db.ScalarAsync<string>(connection, Digest);
        AssertSucceeded(run("Backup", []));
        await Db.ExecuteAsync(connection, "UPDATE words SET word = 'changed'");

        var restore = run("Restore", ["--backup=latest", "--verbosity=verbose"]);

        AssertSucceeded(restore);
        Assert.That(restore.Output, Does.Contain("not split (its data is not in UTF-8 (SET client_encoding = 'LATIN1';))"));
        Assert.That(await Db.ScalarAsync<string>(connection, Digest), Is.EqualTo(before));
        Assert.That(await Db.ScalarAsync<string>(connection, "SELECT word FROM words WHERE id = 1"), Is.EqualTo("café crème 1"));
    }

    [Test]
    public async Task The_manifest_records_checksum_size_server_database_duration_and_every_tables_rows()
    {
        AssertSucceeded(RunTask("Seed", "--seed=demo"));

        var result = RunTask("Backup");

        AssertSucceeded(result);
        var folder = Directory.GetDirectories(Kit.BackupsFolder()).Single();
        Assert.That(Path.GetFileName(folder), Does.Match(@"^\d{8}_\d{6}$"));
        Assert.That(result.Output, Does.Contain($"Backup: backups/dev/{Path.GetFileName(folder)}"));
        using var manifest = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "manifest.json")));
        var root = manifest.RootElement;
        var dump = Path.Combine(folder, root.GetProperty("dumpFile").GetString()!);
        Assert.That(root.GetProperty("sha256").GetString(), Is.EqualTo(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(dump)))));
        Assert.That(root.GetProperty("sizeBytes").GetInt64(), Is.EqualTo(new FileInfo(dump).Length));
        Assert.That(root.GetProperty("database").GetString(), Is.EqualTo(Database));
        Assert.That(root.GetProperty("serverVersion").GetString(), Is.EqualTo(await Db.ScalarAsync<string>(Connection, "SHOW server_version")));
        Assert.That(root.GetProperty("serverVersionNumber").GetInt32(), Is.EqualTo(int.Parse(await Db.ScalarAsync<string>(Connection, "SHOW server_version_num"), System.Globalization.CultureInfo.InvariantCulture)));
        Assert.That(root.GetProperty("durationSeconds").GetDouble(), Is.GreaterThan(0));
        Assert.That(root.GetProperty("tables").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetInt64()),
            Is.EqualTo(new Dictionary<string, long> { ["app.items"] = 103, ["kit.schema_migrations"] = 1 }));
        Assert.That(File.ReadAllBytes(dump).AsSpan(0, 5).ToArray(), Is.EqualTo("PGDMP"u8.ToArray()), "pg_dump custom format");
        Assert.That(root.GetProperty("format").GetInt32(), Is.EqualTo(2));
        Assert.That(root.GetProperty("server").GetString(), Is.EqualTo($"127.0.0.1:{Server.Port}"));
        // sha256sum -c reads it: the dump and the manifest, each "<hash>  <name>".
        var manifestHash = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(Path.Combine(folder, "manifest.json"))));
        Assert.That(File.ReadAllLines(Path.Combine(folder, "SHA256SUMS")), Is.EqualTo(new[] { $"{root.GetProperty("sha256").GetString()}  database.dump", $"{manifestHash}  manifest.json" }));
    }

    [Test]
    public async Task Verify_restores_into_a_scratch_database_compares_and_drops_it()
    {
        AssertSucceeded(RunTask("Seed", "--seed=demo"));

        var result = RunTask("Backup", "--verify");

        AssertSucceeded(result);
        Assert.That(result.Output, Does.Contain("Verified:"));
        Assert.That(await Db.ScalarAsync<long>(Server.ConnectionString("postgres"), "SELECT count(*) FROM pg_database WHERE datname LIKE 'kit_verify_%'"), Is.Zero);
    }

    [Test]
    public async Task A_tampered_backup_is_refused_and_the_database_is_not_touched()
    {
        AssertSucceeded(RunTask("Seed", "--seed=minimal"));
        AssertSucceeded(RunTask("Backup"));
        var folder = Directory.GetDirectories(Kit.BackupsFolder()).Single();
        var dump = Path.Combine(folder, "database.dump");
        var bytes = File.ReadAllBytes(dump);
        bytes[bytes.Length / 2] ^= 0x01;
        File.WriteAllBytes(dump, bytes);
        await Db.ExecuteAsync(Connection, "INSERT INTO app.items (name) VALUES ('kept')");

        var result = RunTask("Restore", "--backup=" + Path.GetFileName(folder));

        Assert.That(result.ExitCode, Is.EqualTo(2), result.All);
        Assert.That(result.SingleErrorLine(), Does.Contain("does not match its manifest").And.Contain("Nothing was restored"));
        Assert.That(await Db.ScalarAsync<long>(Connection, "SELECT count(*) FROM app.items"), Is.EqualTo(4));
        Assert.That(Directory.GetDirectories(Kit.BackupsFolder()), Has.Length.EqualTo(1), "no pre-restore backup before the refusal");
    }

    [Test]
    public async Task Restore_is_guarded_like_db_reset()
    {
        AssertSucceeded(RunTask("Seed", "--seed=minimal"));
        AssertSucceeded(RunTask("Backup"));
        var remote = Server.ConnectionString(Database, host: PostgresServer.RemoteStandIn);

        var refused = Kit.Run("--target=Restore", $"--connection={remote}");
        CopyFolder(Directory.GetDirectories(Kit.BackupsFolder()).Single(), Path.Combine(Kit.BackupsFolder("production"), "20240101_000000"));
        var isProtected = RunTask("Restore", "--env=production", "--allow-remote", "--confirm=" + Database);

        Assert.That(refused.ExitCode, Is.EqualTo(2), refused.All);
        Assert.That(refused.SingleErrorLine(), Does.Contain("not a local host"));
        Assert.That(isProtected.ExitCode, Is.EqualTo(2), isProtected.All);
        Assert.That(isProtected.SingleErrorLine(), Does.Contain("protected"));
        await Task.CompletedTask;
    }

    [Test]
    public void Retention_keeps_the_newest_and_never_touches_unfinished_or_foreign_folders()
    {
        AssertSucceeded(RunTask("Seed", "--seed=minimal"));
        AssertSucceeded(RunTask("Backup"));
        var first = Directory.GetDirectories(Kit.BackupsFolder()).Single();
        foreach (var old in new[] { "20200101_000000", "20200102_000000", "20200103_000000" })
        {
            CopyFolder(first, Path.Combine(Kit.BackupsFolder(), old));
        }

        Directory.CreateDirectory(Path.Combine(Kit.BackupsFolder(), ".tmp-20200104_000000"));
        Directory.CreateDirectory(Path.Combine(Kit.BackupsFolder(), "notes"));
        Kit.SetRetention(keepLast: 2, keepDailyForDays: 0);

        AssertSucceeded(RunTask("Backup"));

        var names = Directory.GetDirectories(Kit.BackupsFolder()).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToArray();
        Assert.That(names, Has.Length.EqualTo(4), string.Join(", ", names));
        Assert.That(names, Does.Contain(".tmp-20200104_000000").And.Contain("notes").And.Contain(Path.GetFileName(first)));
        Assert.That(names.Where(n => n!.StartsWith("2020", StringComparison.Ordinal)), Is.Empty);
    }

    [Test]
    public void A_dry_run_backup_writes_nothing()
    {
        AssertSucceeded(RunTask("Migrate"));

        var result = RunTask("Backup", "--dryrun");

        AssertSucceeded(result);
        Assert.That(result.Output, Does.Contain("back up ").And.Contain("pg_dump"));
        Assert.That(Directory.Exists(Kit.BackupsFolder()), Is.False);
    }

    [Test]
    public void A_wrong_password_is_one_clear_line_and_leaves_no_folder()
    {
        var result = Kit.Run("--target=Backup", "--connection=" + Server.ConnectionString(Database, password: "wrong-Secret-99"));

        Assert.That(result.ExitCode, Is.EqualTo(1), result.All);
        Assert.That(result.SingleErrorLine(), Does.Contain("password authentication failed"));
        Assert.That(result.All, Does.Not.Contain("wrong-Secret-99"));
        Assert.That(Directory.Exists(Kit.BackupsFolder()) ? Directory.GetFileSystemEntries(Kit.BackupsFolder()) : [], Is.Empty);
    }

    internal static void CopyFolder(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var file in Directory.GetFiles(from))
        {
            File.Copy(file, Path.Combine(to, Path.GetFileName(file)));
        }
    }
}
