using System.Diagnostics;
using Build.Database;
using Integration.Tests.Support;
using Npgsql;

namespace Integration.Tests;

/// <summary>Backups that go wrong: killed midway, a full disk. Nothing complete-looking is left, nothing earlier is lost.</summary>
public sealed class FailureTests : DatabaseTest
{
    private static readonly string[] OldBackups = ["20200101_000000", "20200102_000000", "20200103_000000"];

    [Test]
    public async Task A_backup_killed_while_pg_dump_runs_leaves_no_complete_looking_backup_and_retention_removes_nothing()
    {
        AssertSucceeded(RunTask("Seed", "--seed=demo"));
        AssertSucceeded(RunTask("Backup"));
        var good = Directory.GetDirectories(Kit.BackupsFolder()).Single();
        foreach (var old in OldBackups)
        {
            BackupRestoreTests.CopyFolder(good, Path.Combine(Kit.BackupsFolder(), old));
        }

        // Had this backup finished, retention would have deleted every older one.
        Kit.SetRetention(keepLast: 1, keepDailyForDays: 0);
        var before = Directory.GetDirectories(Kit.BackupsFolder()).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToArray();

        // pg_dump blocks on its lock of app.items while this transaction holds it: the build is killed exactly then.
        await using var locker = new NpgsqlConnection(Connection);
        await locker.OpenAsync();
        await using var hold = await locker.BeginTransactionAsync();
        await using (var lockCommand = new NpgsqlCommand("LOCK TABLE app.items IN ACCESS EXCLUSIVE MODE", locker, hold))
        {
            await lockCommand.ExecuteNonQueryAsync();
        }

        using var build = StartBuildProcess("--target=Backup", $"--connection={Connection}");
        try
        {
            await WaitForAsync(async () => await Db.ScalarAsync<long>(
                Server.ConnectionString("postgres"),
                $"SELECT count(*) FROM pg_stat_activity WHERE datname = '{Database}' AND application_name = 'pg_dump' AND wait_event_type = 'Lock'") == 1,
                build);
        }
        finally
        {
            build.Kill(entireProcessTree: true);
            await build.WaitForExitAsync();
        }

        await hold.RollbackAsync();

        var after = Directory.GetDirectories(Kit.BackupsFolder()).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToArray();
        var leftovers = after.Except(before).ToArray();
        Assert.That(before.Except(after), Is.Empty, "an earlier backup was deleted");
        Assert.That(leftovers, Has.Length.EqualTo(1));
        Assert.That(leftovers[0], Does.StartWith(".tmp-"), "the killed backup must not look complete");
        Assert.That(File.Exists(Path.Combine(Kit.BackupsFolder(), leftovers[0]!, "manifest.json")), Is.False);
        Assert.That(new BackupStore(Kit.BackupsFolder()).List().Select(e => e.Name), Is.EquivalentTo(before));

        var list = Kit.Run("--target=BackupList", $"--connection={Connection}");
        AssertSucceeded(list);
        Assert.That(list.Output, Does.Contain("4 backup(s)").And.Contain(leftovers[0] + "  unfinished"));
    }

    [Test]
    public async Task A_pg_dump_killed_under_a_running_build_is_one_failure_line_and_its_folder_is_removed()
    {
        AssertSucceeded(RunTask("Seed", "--seed=minimal"));
        AssertSucceeded(RunTask("Backup"));
        var before = Directory.GetDirectories(Kit.BackupsFolder()).Select(Path.GetFileName).ToArray();
        Kit.SetRetention(keepLast: 1, keepDailyForDays: 0);
        await using var locker = new NpgsqlConnection(Connection);
        await locker.OpenAsync();
        await using var hold = await locker.BeginTransactionAsync();
        await using (var lockCommand = new NpgsqlCommand("LOCK TABLE app.items IN ACCESS EXCLUSIVE MODE", locker, hold))
        {
            await lockCommand.ExecuteNonQueryAsync();
        }

        using var build = StartBuildProcess("--target=Backup", $"--connection={Connection}");
        var errorText = build.StandardError.ReadToEndAsync();
        _ = build.StandardOutput.ReadToEndAsync();
        await WaitForAsync(async () => await Db.ScalarAsync<long>(
            Server.ConnectionString("postgres"),
            $"SELECT count(*) FROM pg_stat_activity WHERE datname = '{Database}' AND application_name = 'pg_dump' AND wait_event_type = 'Lock'") == 1,
            build);
        var pgDump = ChildrenOf(build.Id).Single(p => p.ProcessName == "pg_dump");
        pgDump.Kill();
        await build.WaitForExitAsync();
        await hold.RollbackAsync();

        var error = (await errorText).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Where(l => !l.StartsWith("An error occurred", StringComparison.Ordinal)).ToArray();
        Assert.That(build.ExitCode, Is.EqualTo(1));
        Assert.That(error, Has.Length.EqualTo(1), string.Join('\n', error));
        Assert.That(error[0], Does.StartWith("Error: Backup failed").And.Contain("earlier backups are untouched"));
        Assert.That(Directory.GetDirectories(Kit.BackupsFolder()).Select(Path.GetFileName), Is.EquivalentTo(before));
    }

    [Test]
    public async Task A_verify_killed_with_kill_9_leaves_a_scratch_database_that_backup_list_reports_and_the_next_backup_removes()
    {
        AssertSucceeded(RunTask("Seed", "--seed=minimal"));
        // Enough rows that the verify's pg_restore is still running when the build is killed.
        await Db.ExecuteAsync(Connection, "INSERT INTO app.items (name, description) SELECT 'bulk ' || g, md5(g::text) FROM generate_series(1, 300000) g");
        var scratchQuery = "SELECT datname FROM pg_database WHERE datname LIKE 'kit\\_verify\\_%' ORDER BY 1";
        var before = await Db.RowsAsync(Server.ConnectionString("postgres"), scratchQuery);

        using var build = StartBuildProcess("--target=Backup", "--verify", $"--connection={Connection}");
        _ = build.StandardOutput.ReadToEndAsync();
        _ = build.StandardError.ReadToEndAsync();
        string[] created = [];
        try
        {
            await WaitForAsync(
                async () => (created = (await Db.RowsAsync(Server.ConnectionString("postgres"), scratchQuery)).Except(before).ToArray()).Length == 1,
                build,
                "the verify's scratch database");
        }
        finally
        {
            build.Kill(entireProcessTree: true);
            await build.WaitForExitAsync();
        }

        var scratch = created.Single();
        DropAfterTest(scratch);
        // The server ends the killed clients' sessions once it notices their sockets closed.
        await WaitForAsync(
            async () => await Db.ScalarAsync<long>(Server.ConnectionString("postgres"), $"SELECT count(*) FROM pg_stat_activity WHERE datname = '{scratch}' OR application_name = 'kit-verify:{scratch}'") == 0,
            null,
            "the killed verify's sessions to end");

        var list = RunTask("BackupList");
        var next = RunTask("Backup");

        AssertSucceeded(list);
        Assert.That(list.Output, Does.Contain($"{scratch}  leftover scratch database of a Backup --verify that did not finish"));
        AssertSucceeded(next);
        Assert.That(next.Output, Does.Contain($"Removed {scratch}"));
        Assert.That(await Db.ScalarAsync<long>(Server.ConnectionString("postgres"), $"SELECT count(*) FROM pg_database WHERE datname = '{scratch}'"), Is.Zero);
    }

    [Test]
    public async Task A_full_disk_is_one_clear_error_line_and_loses_nothing()
    {
        if (!Shell.IsRoot)
        {
            Shell.Unavailable("Mounting a small tmpfs as the backups folder needs root.");
        }

        AssertSucceeded(RunTask("Seed", "--seed=minimal"));
        var folder = Kit.BackupsFolder();
        Directory.CreateDirectory(folder);
        Shell.Run("mount", ["-t", "tmpfs", "-o", "size=1m", "tmpfs", folder]);
        try
        {
            AssertSucceeded(RunTask("Backup"));
            var first = new BackupStore(folder).List().Single();
            // About 10 MB of hardly compressible text: the dump cannot fit into 1 MB.
            await Db.ExecuteAsync(Connection, "INSERT INTO app.items (name, description) SELECT md5(random()::text), md5(random()::text) || md5(random()::text) FROM generate_series(1, 100000)");

            var result = RunTask("Backup");

            Assert.That(result.ExitCode, Is.EqualTo(1), result.All);
            Assert.That(result.SingleErrorLine(), Does.Contain("no space left on device in backups/dev").And.Contain("earlier backups are untouched"));
            Assert.That(Directory.GetFileSystemEntries(folder).Select(Path.GetFileName), Is.EqualTo(new[] { first.Name }), "the partial backup must be removed");
            Assert.That(BackupStore.CheckIntegrity(first), Is.Null, "the earlier backup was damaged");
        }
        finally
        {
            Shell.Run("umount", [folder], check: false);
        }
    }

    private Process StartBuildProcess(params string[] args)
    {
        // The real build program, as ./build.sh runs it, in a process of its own so it can be killed.
        var startInfo = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        startInfo.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Build.dll"));
        foreach (var argument in args)
        {
            startInfo.ArgumentList.Add(argument);
        }

        startInfo.Environment["KIT_ROOT"] = Kit.Root;
        startInfo.Environment["NO_COLOR"] = "1";
        return Process.Start(startInfo)!;
    }

    private static async Task WaitForAsync(Func<Task<bool>> condition, Process? build, string what = "pg_dump waiting on its lock")
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!await condition())
        {
            if (build is { HasExited: true })
            {
                Assert.Fail($"The build ended (exit code {build.ExitCode}) before {what} was seen.");
            }

            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"{what} was not seen within 60 s.");
            }

            await Task.Delay(20);
        }
    }

    private static IEnumerable<Process> ChildrenOf(int parent)
    {
        foreach (var stat in Directory.EnumerateDirectories("/proc").Where(d => int.TryParse(Path.GetFileName(d), out _)))
        {
            string text;
            try
            {
                text = File.ReadAllText(Path.Combine(stat, "stat"));
            }
            catch (IOException)
            {
                continue;
            }

            // pid (comm) state ppid ...: comm may hold spaces, so read after the last ')'.
            var fields = text[(text.LastIndexOf(')') + 2)..].Split(' ');
            if (int.Parse(fields[1], System.Globalization.CultureInfo.InvariantCulture) == parent)
            {
                yield return Process.GetProcessById(int.Parse(Path.GetFileName(stat), System.Globalization.CultureInfo.InvariantCulture));
            }
        }
    }
}
