using Build.Database;

namespace Build.Tests.Database;

public sealed class RetentionPolicyTests
{
    private static readonly DateTime Now = new(2025, 3, 10, 12, 0, 0, DateTimeKind.Utc);

    private static (string, DateTime) At(int daysAgo, int hour) =>
        (BackupStore.Stamp(Now.Date.AddDays(-daysAgo).AddHours(hour)), Now.Date.AddDays(-daysAgo).AddHours(hour));

    [Test]
    public void Keeps_the_newest_n_and_deletes_the_rest_when_there_is_no_daily_window()
    {
        var backups = new[] { At(0, 11), At(0, 10), At(0, 9), At(1, 9), At(2, 9) };

        var doomed = RetentionPolicy.SelectForDeletion(backups, keepLast: 2, keepDailyForDays: 0, Now);

        Assert.That(doomed, Is.EquivalentTo(new[] { At(0, 9).Item1, At(1, 9).Item1, At(2, 9).Item1 }));
    }

    [Test]
    public void Also_keeps_the_newest_of_each_day_inside_the_window()
    {
        var backups = new[] { At(0, 11), At(0, 10), At(1, 22), At(1, 8), At(2, 9), At(3, 9), At(9, 9) };

        var doomed = RetentionPolicy.SelectForDeletion(backups, keepLast: 1, keepDailyForDays: 3, Now);

        // Kept: 0/11 (newest, and today's), 1/22 (yesterday's newest), 2/9 (the day before). Outside the window: 3 and 9 days ago.
        Assert.That(doomed, Is.EquivalentTo(new[] { At(0, 10).Item1, At(1, 8).Item1, At(3, 9).Item1, At(9, 9).Item1 }));
    }

    [Test]
    public void Never_deletes_the_newest_backup_even_when_it_is_old()
    {
        var backups = new[] { At(40, 1), At(50, 1) };

        var doomed = RetentionPolicy.SelectForDeletion(backups, keepLast: 0, keepDailyForDays: 0, Now);

        Assert.That(doomed, Is.EqualTo(new[] { At(50, 1).Item1 }));
    }

    [Test]
    public void Backups_made_within_one_second_are_ordered_by_their_number_so_the_tenth_is_newer_than_the_ninth()
    {
        var second = Now.AddHours(-1);
        var backups = new[] { "", "_2", "_9", "_10" }.Select(suffix => (BackupStore.Stamp(second) + suffix, second)).ToArray();

        var doomed = RetentionPolicy.SelectForDeletion(backups, keepLast: 2, keepDailyForDays: 0, Now);

        Assert.That(doomed, Is.EqualTo(new[] { backups[1].Item1, backups[0].Item1 }));
    }

    [Test]
    public void Nothing_to_delete_when_everything_fits()
    {
        Assert.That(RetentionPolicy.SelectForDeletion([At(0, 1), At(1, 1)], keepLast: 7, keepDailyForDays: 14, Now), Is.Empty);
        Assert.That(RetentionPolicy.SelectForDeletion([], keepLast: 7, keepDailyForDays: 14, Now), Is.Empty);
    }
}

public sealed class BackupStoreTests
{
    private static readonly BackupKey Key = new("Käse-Prod_DB", "compose service 'db'");
    private string folder = null!;

    [SetUp]
    public void CreateFolder() => folder = Directory.CreateTempSubdirectory("kit-store-").FullName;

    [TearDown]
    public void RemoveFolder() => Directory.Delete(folder, recursive: true);

    [TestCase("20250102_030405", "2025-01-02T03:04:05")]
    [TestCase("20250102_030405_2", "2025-01-02T03:04:05")]
    [TestCase(".tmp-20250102_030405", null)]
    [TestCase("2025-01-02", null)]
    [TestCase("20251399_000000", null)]
    public void Stamps_parse_as_utc_times(string name, string? expected)
    {
        var time = BackupStore.ParseStamp(name);

        Assert.That(time?.ToString("s", System.Globalization.CultureInfo.InvariantCulture), Is.EqualTo(expected));
        Assert.That(time?.Kind ?? DateTimeKind.Utc, Is.EqualTo(DateTimeKind.Utc));
    }

    [TestCase("20250102_030405", 1)]
    [TestCase("20250102_030405_2", 2)]
    [TestCase("20250102_030405_10", 10)]
    [TestCase(".tmp-20250102_030405_3", 0)]
    [TestCase("notes", 0)]
    public void The_sequence_of_a_stamp_is_its_suffix_number(string name, int expected)
    {
        Assert.That(BackupStore.Sequence(name), Is.EqualTo(expected));
    }

    [Test]
    public void Latest_of_eleven_backups_within_one_second_is_the_eleventh()
    {
        var names = Enumerable.Range(1, 11).Select(n => n == 1 ? "20250102_030405" : $"20250102_030405_{n}").ToArray();
        foreach (var name in names)
        {
            Write(name);
        }

        var store = new BackupStore(folder);

        Assert.That(store.List().Select(e => e.Name), Is.EqualTo(names.Reverse()));
        Assert.That(store.Resolve("latest", folder, Key).Name, Is.EqualTo("20250102_030405_11"));
    }

    [Test]
    public void Only_stamp_folders_with_a_manifest_are_backups_and_latest_is_the_newest()
    {
        Write("20250101_000000");
        Write("20250301_000000");
        Directory.CreateDirectory(Path.Combine(folder, "20250401_000000"));
        Directory.CreateDirectory(Path.Combine(folder, ".tmp-20250501_000000"));
        Directory.CreateDirectory(Path.Combine(folder, "notes"));
        var store = new BackupStore(folder);

        Assert.That(store.List().Select(e => e.Name), Is.EqualTo(new[] { "20250301_000000", "20250101_000000" }));
        Assert.That(store.Resolve("latest", folder, Key).Name, Is.EqualTo("20250301_000000"));
        Assert.That(store.Incomplete().Select(Path.GetFileName), Is.EqualTo(new[] { ".tmp-20250501_000000" }));
    }

    [Test]
    public void A_folder_without_a_manifest_cannot_be_restored()
    {
        Directory.CreateDirectory(Path.Combine(folder, "20250401_000000"));

        var error = Assert.Throws<DatabaseException>(() => new BackupStore(folder).Resolve("20250401_000000", folder, Key));

        Assert.That(error!.ExitCode, Is.EqualTo(2));
        Assert.That(error.Message, Does.Contain("not a complete backup"));
    }

    [Test]
    public void Latest_in_an_empty_store_says_how_to_take_one()
    {
        var error = Assert.Throws<DatabaseException>(() => new BackupStore(folder).Resolve("latest", folder, Key));

        Assert.That(error!.Message, Does.Contain("There is no complete backup").And.Contain("--target=Backup"));
    }

    [Test]
    public void The_manifest_round_trips_and_integrity_detects_a_changed_byte()
    {
        var entry = Write("20250101_000000");
        var reread = new BackupStore(folder).List().Single();

        Assert.That(reread.Manifest.Tables, Is.EqualTo(entry.Manifest.Tables));
        Assert.That(reread.Manifest.TotalRows, Is.EqualTo(42));
        Assert.That(BackupStore.CheckIntegrity(reread), Is.Null);

        File.WriteAllText(reread.DumpPath, "PGDMP-changed");
        Assert.That(BackupStore.CheckIntegrity(reread), Does.Contain("does not match its manifest"));
    }

    [Test]
    public void An_edited_manifest_fails_the_integrity_check_though_the_dump_is_unchanged()
    {
        Write("20250101_000000");
        var path = Path.Combine(folder, "20250101_000000", BackupManifest.FileName);
        File.WriteAllText(path, File.ReadAllText(path).Replace("\"app.items\": 40", "\"app.items\": 41", StringComparison.Ordinal));
        var edited = new BackupStore(folder).List().Single();

        Assert.That(edited.Manifest.Tables["app.items"], Is.EqualTo(41));
        Assert.That(BackupStore.CheckIntegrity(edited), Does.EndWith("manifest.json does not match SHA256SUMS: the manifest was edited or damaged"));
    }

    [Test]
    public void A_format_2_backup_without_its_checksum_file_fails_the_integrity_check_and_a_format_1_one_does_not_need_it()
    {
        var current = Write("20250101_000000");
        var old = Write("20250102_000000", format: 1);
        File.Delete(Path.Combine(current.Folder, BackupChecksums.FileName));

        Assert.That(BackupStore.CheckIntegrity(current), Does.Contain("has no SHA256SUMS"));
        Assert.That(BackupStore.CheckIntegrity(old), Is.Null);
    }

    [Test]
    public void Latest_is_the_newest_backup_of_the_same_database_and_server_and_never_another()
    {
        Write("20250101_000000");
        Write("20250201_000000", database: "other");
        Write("20250301_000000", server: "db.example.invalid:5432");
        Write("20250115_000000", format: 1);
        var store = new BackupStore(folder);

        Assert.That(store.Resolve("latest", folder, Key).Name, Is.EqualTo("20250115_000000"), "a format 1 backup names no server and matches by database");
        Assert.That(store.ListFor(Key).Select(e => e.Name), Is.EqualTo(new[] { "20250115_000000", "20250101_000000" }));
        var refusal = Assert.Throws<DatabaseException>(() => store.Resolve("latest", folder, new BackupKey("small", "compose service 'db'")));
        Assert.That(refusal!.ExitCode, Is.EqualTo(2));
        Assert.That(refusal.Message, Does.StartWith("There is no backup of database 'small' on compose service 'db'").And.Contain("--backup=<folder>"));
        Assert.That(store.Resolve("20250201_000000", folder, Key).Manifest.Database, Is.EqualTo("other"), "named explicitly, another database's backup may be restored");
    }

    private BackupEntry Write(string name, string database = "Käse-Prod_DB", string? server = "compose service 'db'", int format = BackupManifest.CurrentFormat)
    {
        var directory = Path.Combine(folder, name);
        Directory.CreateDirectory(directory);
        File.WriteAllText(Path.Combine(directory, "database.dump"), "PGDMP-data");
        var (sha, size) = BackupManifest.Hash(Path.Combine(directory, "database.dump"));
        var manifest = new BackupManifest
        {
            Format = format,
            Environment = "dev",
            Database = database,
            Server = format >= 2 ? server : null,
            CreatedAt = DateTimeOffset.UnixEpoch,
            DumpFile = "database.dump",
            Sha256 = sha,
            SizeBytes = size,
            ServerVersion = "15.18",
            ServerVersionNumber = 150018,
            DurationSeconds = 0.5,
            Tables = new Dictionary<string, long> { ["app.items"] = 40, ["kit.schema_migrations"] = 2 },
        };
        manifest.WriteTo(directory);
        if (manifest.HasChecksumFile)
        {
            BackupChecksums.Write(directory, "database.dump", BackupManifest.FileName);
        }

        return new BackupEntry(name, directory, BackupStore.ParseStamp(name)!.Value, manifest);
    }
}
