using Integration.Tests.Support;

namespace Integration.Tests;

public sealed class SeedTests : DatabaseTest
{
    private const string Items = "SELECT count(*) FROM app.items";

    [Test]
    public async Task Seed_migrates_first_then_loads_the_default_demo_profile()
    {
        var result = RunTask("Seed");

        AssertSucceeded(result);
        Assert.That(await Db.ScalarAsync<long>(Connection, Items), Is.EqualTo(103));
        Assert.That(result.Output, Does.Contain("Seeded profile 'demo'"));
    }

    [Test]
    public async Task Seeding_the_same_profile_twice_adds_nothing()
    {
        AssertSucceeded(RunTask("Seed", "--seed=demo"));
        var before = await Db.RowsAsync(Connection, "SELECT id, name FROM app.items ORDER BY id");

        AssertSucceeded(RunTask("Seed", "--seed=demo"));

        Assert.That(await Db.RowsAsync(Connection, "SELECT id, name FROM app.items ORDER BY id"), Is.EqualTo(before));
    }

    [Test]
    public async Task The_minimal_profile_loads_only_the_minimal_rows()
    {
        AssertSucceeded(RunTask("Seed", "--seed=minimal"));

        Assert.That(await Db.ScalarAsync<long>(Connection, Items), Is.EqualTo(3));
    }

    [Test]
    public async Task Without_a_profile_seed_skips_when_the_tables_hold_the_threshold_and_seeds_below_it()
    {
        Kit.EditDatabaseConfig(c => c["seed"]!["threshold"] = 5);
        AssertSucceeded(RunTask("Migrate"));
        await Db.ExecuteAsync(Connection, "INSERT INTO app.items (name) SELECT 'user data ' || n FROM generate_series(1, 5) n");

        var skipped = RunTask("Seed");

        AssertSucceeded(skipped);
        Assert.That(skipped.Output, Does.Contain("Skipped seeding").And.Contain("hold 5 row(s), at or above the threshold 5"));
        Assert.That(await Db.ScalarAsync<long>(Connection, Items), Is.EqualTo(5));

        await Db.ExecuteAsync(Connection, "DELETE FROM app.items WHERE name = 'user data 5'");
        AssertSucceeded(RunTask("Seed"));
        Assert.That(await Db.ScalarAsync<long>(Connection, Items), Is.EqualTo(4 + 103));
    }

    [Test]
    public async Task A_dry_run_shows_what_the_seeded_tables_hold_now_and_changes_nothing()
    {
        Kit.EditDatabaseConfig(c => c["seed"]!["threshold"] = 5);
        AssertSucceeded(RunTask("Migrate"));
        await Db.ExecuteAsync(Connection, "INSERT INTO app.items (name) SELECT 'user data ' || n FROM generate_series(1, 5) n");

        var result = RunTask("Seed", "--dryrun");

        AssertSucceeded(result);
        Assert.That(result.Output, Does.Contain("Would seed profile 'demo' into "));
        Assert.That(result.Output, Does.Contain("if the seeded tables are below the threshold when it runs (app.items: fewer than 5 row(s) together; now 5)"));
        Assert.That(result.Output, Does.Contain("note: would skip now: the seeded tables (app.items) hold 5 row(s), at or above the threshold 5"));
        Assert.That(await Db.ScalarAsync<long>(Connection, Items), Is.EqualTo(5));
    }

    [Test]
    public void An_unknown_profile_is_a_usage_error()
    {
        var result = RunTask("Seed", "--seed=huge");

        Assert.That(result.ExitCode, Is.EqualTo(2), result.All);
        Assert.That(result.Error.Trim(), Is.EqualTo("Unknown seed profile 'huge'. Profiles (config/database.json seed.profiles): minimal, demo."));
    }
}
