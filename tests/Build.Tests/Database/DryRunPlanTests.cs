using System.Text.Json.Nodes;
using Build.Tests.Support;

namespace Build.Tests.Database;

/// <summary>
/// Golden files of the plans the state-changing tasks print with --dryrun, run by the real host in-process against a
/// copy of the fixture app. The plan printed is the plan the executor runs, so a changed step (an argument, an SQL
/// statement, a migration or seed file) fails here. No engine and no database: DOCKER_HOST points at nothing, and the
/// only tool asked is `docker compose version`, which reads the client alone.
/// </summary>
[NonParallelizable]
public sealed class DryRunPlanTests
{
    // Migrate and Seed read the database when it answers: a port offset that is not a multiple of 100, so no E2E stack
    // (Stack.NextPortOffset) has its database there, makes sure none does.
    private const string Unreachable = "--port-offset=20001";

    private static readonly string[] Cleared = ["CI", "KIT_ENV", "POSTGRES_PASSWORD", "POSTGRES_PORT", "POSTGRES_DB", "POSTGRES_USER", "STAGING_DATABASE_CONNECTION"];

    [Test]
    public void DbReset_plan_recreates_the_schemas_applies_every_migration_and_seeds_the_profile()
    {
        Golden.Match(Golden.PlansFolder, "dbreset", DryRun("DbReset"));
    }

    [Test]
    public void DbReset_from_a_snapshot_backs_up_then_swaps_in_a_clone()
    {
        Golden.Match(Golden.PlansFolder, "dbreset-from-snapshot", DryRun("DbReset", "--from-snapshot=golden"));
    }

    [Test]
    public void DbReset_save_snapshot_plan_clones_into_a_template()
    {
        Golden.Match(Golden.PlansFolder, "dbreset-save-snapshot", DryRun("DbReset", "--save-snapshot=golden"));
    }

    [Test]
    public void DbReset_with_an_explicit_seed_profile_seeds_only_its_layers()
    {
        var plan = DryRun("DbReset", "--seed=minimal");

        Assert.That(plan, Does.Contain("           scripts/db/seed/minimal/0001_items.sql"));
        Assert.That(string.Join('\n', plan), Does.Not.Contain("seed/demo/"));
    }

    [Test]
    public void Migrate_plan_without_a_database_applies_the_pending_migrations_read_at_run_time()
    {
        Golden.Match(Golden.PlansFolder, "migrate", DryRun("Migrate", Unreachable));
    }

    [Test]
    public void Seed_plan_without_a_database_migrates_then_seeds_the_default_profile_below_the_threshold()
    {
        Golden.Match(Golden.PlansFolder, "seed", DryRun("Seed", Unreachable));
    }

    [Test]
    public void Seed_with_an_explicit_profile_seeds_its_layers_whatever_the_tables_hold()
    {
        var plan = string.Join('\n', DryRun("Seed", Unreachable, "--seed=minimal"));

        Assert.That(plan, Does.Contain("Would seed profile 'minimal' into app@127.0.0.1:25433/app:"));
        Assert.That(plan, Does.Contain("           scripts/db/seed/minimal/0001_items.sql"));
        Assert.That(plan, Does.Not.Contain("seed/demo/").And.Not.Contain(Build.Database.SeedThreshold.ReadAtRunTime));
    }

    [Test]
    public void Backup_plan_names_the_dump_command_and_the_retention()
    {
        Golden.Match(Golden.PlansFolder, "backup-verify", DryRun("Backup", "--verify"));
    }

    [Test]
    public void Restore_plan_checks_the_archive_backs_up_and_runs_one_transaction()
    {
        Golden.Match(Golden.PlansFolder, "restore", DryRun("Restore", "--backup=20250101_000000"));
    }

    [Test]
    public void Restore_with_the_hosts_client_splits_the_load_of_a_large_table_between_its_connections()
    {
        // The host's pg_restore (a connection of its own, not the compose service's): parallel jobs, and app.items is
        // large enough by the manifest to be loaded through all of them at once.
        var plan = DryRun(
            "Restore",
            app => EditDatabaseConfig(app, database => database["backup"]!["restoreSplitRows"] = 3),
            "--backup=20250101_000000",
            "--connection=Host=127.0.0.1;Port=1;Username=app;Password=plan-password;Database=app");

        Golden.Match(Golden.PlansFolder, "restore-split", plan);
    }

    [Test]
    public void DevUp_plan_builds_starts_migrates_seeds_and_waits()
    {
        Golden.Match(Golden.PlansFolder, "devup", DryRun("DevUp", "--port-offset=20000"));
    }

    [Test]
    public void DevDown_with_volumes_plan_checks_the_engine_and_removes_the_stack_with_its_data()
    {
        Golden.Match(Golden.PlansFolder, "devdown-volumes", DryRun("DevDown", "--volumes", "--confirm=fixture-dev"));
    }

    [Test]
    public void BuildImages_plan_prints_each_build_command_with_its_hash_read_at_run_time()
    {
        Golden.Match(Golden.PlansFolder, "buildimages", DryRun("BuildImages"));
    }

    [Test]
    public void Prune_plan_reads_the_engine_when_it_runs_and_removes_only_with_yes()
    {
        Golden.Match(Golden.PlansFolder, "prune-yes", DryRun("Prune", "--yes"));
        Assert.That(DryRun("Prune"), Has.None.Contains("remove them"));
    }

    [Test]
    public void An_apps_migration_and_seed_commands_run_in_a_one_off_container_of_their_service()
    {
        var plan = DryRun("DbReset", app => EditDatabaseConfig(app, database =>
        {
            database["migrationCommand"] = new JsonObject { ["service"] = "api", ["command"] = new JsonArray("alembic", "upgrade", "head") };
            var seed = database["seed"]!.AsObject();
            seed["profiles"] = new JsonArray("base", "full");
            seed["defaultProfile"] = "base";
            seed["command"] = new JsonObject { ["service"] = "api", ["command"] = new JsonArray("python", "-m", "app.seed", "{profile}") };
        }), "--seed=full");

        const string Run = "docker compose -p fixture-dev -f compose/compose.yaml -f compose/compose.dev.yaml run --rm --no-deps -T api ";
        Assert.That(plan, Has.Some.EndsWith("run: " + Run + "alembic upgrade head"));
        Assert.That(plan, Has.Some.EndsWith("seed app with profile 'full': run: " + Run + "python -m app.seed full"));
        Assert.That(string.Join('\n', plan), Does.Not.Contain("schema_migrations\" (").And.Not.Contain(".sql"));
    }

    [Test]
    public void A_seed_profile_the_app_does_not_have_is_one_line_before_anything_runs()
    {
        using var app = FixtureApp.Create();
        var result = HostRun.RunIn(app.Root, ["--target=Seed", "--seed=demos", "--dryrun"]);

        Assert.That(result.ExitCode, Is.EqualTo(2), result.All);
        Assert.That(result.Error.Trim(), Is.EqualTo("Unknown seed profile 'demos'. Did you mean 'demo'? Profiles (config/database.json seed.profiles): minimal, demo."));
        Assert.That(result.Output, Does.Not.Contain("Dry run of"));
    }

    [Test]
    public void A_changed_step_fails_the_golden_comparison()
    {
        var plan = DryRun("DbReset").ToList();
        var index = plan.FindIndex(l => l.Contains("TEMPLATE template0", StringComparison.Ordinal));
        plan[index] = plan[index].Replace("TEMPLATE template0", "TEMPLATE template1", StringComparison.Ordinal);

        var update = Environment.GetEnvironmentVariable("UPDATE_GOLDEN");
        Environment.SetEnvironmentVariable("UPDATE_GOLDEN", null);
        try
        {
            Assert.That(
                () => Golden.Match(Golden.PlansFolder, "dbreset", plan),
                Throws.InstanceOf<AssertionException>().With.Message.Contains("+ ").And.Message.Contains("TEMPLATE template1"));
        }
        finally
        {
            Environment.SetEnvironmentVariable("UPDATE_GOLDEN", update);
        }
    }

    /// <summary>The normalised plan of a dry run of <paramref name="target"/> in a fresh copy of the fixture app.</summary>
    private static IReadOnlyList<string> DryRun(string target, params string[] extra) => DryRun(target, _ => { }, extra);

    /// <summary>As above, after <paramref name="prepare"/> changed the fixture app (its root folder).</summary>
    private static IReadOnlyList<string> DryRun(string target, Action<string> prepare, params string[] extra)
    {
        using var app = FixtureApp.Create();
        prepare(app.Root);
        // DevUp plans the image builds and reads .env; a fresh clone of a database task needs neither.
        Directory.CreateDirectory(Path.Combine(app.Root, "samples", "api"));
        File.WriteAllText(Path.Combine(app.Root, "samples", "api", ".dockerignore"), "**/bin\n");
        Directory.CreateDirectory(Path.Combine(app.Root, "docker", "dotnet"));
        File.WriteAllText(Path.Combine(app.Root, "docker", "dotnet", "Dockerfile"), "FROM scratch\n");
        if (target == "Restore")
        {
            WriteBackup(Path.Combine(app.Root, "backups", "dev", "20250101_000000"));
        }

        if (target is "DevUp" or "BuildImages" or "DevDown")
        {
            File.WriteAllText(Path.Combine(app.Root, ".env"), "POSTGRES_PASSWORD=fixture-secret-password\n");
        }

        var saved = Cleared.Append("DOCKER_HOST").ToDictionary(v => v, Environment.GetEnvironmentVariable);
        try
        {
            foreach (var name in Cleared)
            {
                Environment.SetEnvironmentVariable(name, null);
            }

            Environment.SetEnvironmentVariable("DOCKER_HOST", "unix:///nonexistent.sock");
            var result = HostRun.RunIn(app.Root, [$"--target={target}", "--dryrun", .. extra]);
            Assert.That(result.ExitCode, Is.Zero, result.All);
            Assert.That(result.All, Does.Not.Contain("fixture-secret-password"));
            return Golden.DryRunPlan(result.Output, app.Root);
        }
        finally
        {
            foreach (var (name, value) in saved)
            {
                Environment.SetEnvironmentVariable(name, value);
            }
        }
    }

    private static void EditDatabaseConfig(string root, Action<JsonObject> edit)
    {
        var path = Path.Combine(root, "config", "database.json");
        var database = JsonNode.Parse(File.ReadAllText(path))!.AsObject();
        edit(database);
        File.WriteAllText(path, database.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true }));
    }

    /// <summary>A complete backup as Backup writes it (dump, manifest, SHA256SUMS); the dump is only bytes, never read by a dry run.</summary>
    private static void WriteBackup(string folder)
    {
        Directory.CreateDirectory(folder);
        var dump = Path.Combine(folder, "database.dump");
        File.WriteAllText(dump, "PGDMP fixture archive\n");
        var (sha256, size) = Build.Database.BackupManifest.Hash(dump);
        new Build.Database.BackupManifest
        {
            Environment = "dev",
            Database = "app",
            Server = "compose service 'db'",
            CreatedAt = new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero),
            DumpFile = "database.dump",
            Sha256 = sha256,
            SizeBytes = size,
            ServerVersion = "15.8",
            ServerVersionNumber = 150008,
            ClientVersion = "pg_dump (PostgreSQL) 15.8",
            DumpedBy = "pg_dump inside compose service 'db'",
            DurationSeconds = 0.5,
            Tables = new SortedDictionary<string, long>(StringComparer.Ordinal) { ["app.items"] = 3, ["kit.schema_migrations"] = 2 },
        }.WriteTo(folder);
        Build.Database.BackupChecksums.Write(folder, "database.dump", Build.Database.BackupManifest.FileName);
    }
}
