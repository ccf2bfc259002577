using Build.Ops.Prune;

namespace Build.Tests.Ops;

public sealed class PrunePlannerTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 22, 12, 0, 0, TimeSpan.Zero);

    private static Dictionary<string, string> Project(string name) => new() { ["com.docker.compose.project"] = name };

    private static PruneScope Scope(TimeSpan? olderThan = null, string[]? volumeProjects = null, long cap = long.MaxValue) => new()
    {
        ComposeProjects = new HashSet<string> { "sample-dev" },
        Repositories = new HashSet<string> { "kit-sample/api", "kit-sample/api-dev" },
        ProjectName = "sample",
        KeepTags = new HashSet<string> { "dev" },
        ImagesOlderThan = olderThan,
        VolumeProjects = new HashSet<string>(volumeProjects ?? []),
        BuildCacheCapBytes = cap,
        Now = Now,
    };

    private static readonly DockerInventory Inventory = new(
        Images:
        [
            new("sha256:old", ["kit-sample/api:abc123"], Now.AddDays(-10), new Dictionary<string, string>(), 50_000_000),
            new("sha256:current", ["kit-sample/api:dev", "kit-sample/api:def456"], Now.AddDays(-10), new Dictionary<string, string>(), 60_000_000),
            new("sha256:recent", ["kit-sample/api-dev:fff"], Now.AddHours(-1), new Dictionary<string, string>(), 70_000_000),
            new("sha256:shared", ["kit-sample/api:shared", "other/app:1"], Now.AddDays(-10), new Dictionary<string, string>(), 80_000_000),
            new("sha256:dangling", [], Now.AddDays(-10), new Dictionary<string, string> { ["org.example.kit.project"] = "sample" }, 90_000_000),
            new("sha256:foreign", ["other/app:2"], Now.AddDays(-10), new Dictionary<string, string> { ["org.example.kit.project"] = "other" }, 100_000_000),
            new("sha256:used", ["kit-sample/api-dev:used"], Now.AddDays(-10), new Dictionary<string, string>(), 110_000_000),
        ],
        Containers:
        [
            new("c-stopped", "sample-dev-api-1", "sha256:x", "exited", Project("sample-dev"), ["sample-dev_db-data"], 1_000),
            new("c-running", "sample-dev-db-1", "sha256:y", "running", Project("sample-dev"), ["sample-dev_db-data"], 0),
            new("c-foreign", "other-dev-api-1", "sha256:used", "exited", Project("other-dev"), [], 0),
        ],
        Volumes:
        [
            new("sample-dev_db-data", Project("sample-dev"), 40_000_000),
            new("sample-dev_cache-data", Project("sample-dev"), 1_000_000),
            new("other-dev_db-data", Project("other-dev"), 50_000_000),
        ],
        Networks:
        [
            new("n1", "sample-dev_default", Project("sample-dev")),
            new("n2", "other-dev_default", Project("other-dev")),
        ],
        BuildCache: new BuildCacheInfo(UnusedBytes: 15_000_000_000, TotalBytes: 16_000_000_000, Records: 90));

    [Test]
    public void The_dry_run_plan_matches_the_golden_file()
    {
        // What Prune --dryrun prints: the renderer of the planner's data, without --yes.
        var plan = PrunePlanner.Plan(Inventory, Scope(olderThan: TimeSpan.FromDays(1), cap: 10_000_000_000));

        Build.Tests.Support.Golden.Match(Build.Tests.Support.Golden.PlansFolder, "prune", PruneRenderer.Render(plan, apply: false));
    }

    [Test]
    public void Only_this_projects_resources_are_planned_and_each_kept_one_says_why()
    {
        var plan = PrunePlanner.Plan(Inventory, Scope());

        Assert.That(plan.Items.Select(i => $"{i.Kind} {i.Name}"), Is.EqualTo(new[]
        {
            "Container sample-dev-api-1",
            "Image kit-sample/api:abc123",
            "Image kit-sample/api:shared",
            "Image <none> dangling",
            "Image kit-sample/api-dev:fff",
        }));
        Assert.That(plan.Items.Select(i => i.Command.Values.Last()), Does.Not.Contain("other/app:1").And.Not.Contain("sha256:foreign"));
        Assert.That(plan.Kept.Select(k => $"{k.Kind} {k.Name}: {k.Reason}"), Is.EquivalentTo(new[]
        {
            "Container sample-dev-db-1: running: stop the stack first (./build.sh --target=DevDown)",
            "Network sample-dev_default: its project still has containers",
            "Volume sample-dev_cache-data: data volume: only with --volumes --confirm=sample-dev",
            "Volume sample-dev_db-data: data volume: only with --volumes --confirm=sample-dev",
            "Image kit-sample/api:dev, kit-sample/api:def456: tagged 'dev' (config/ops.json keepTags: the image compose runs)",
            "Image kit-sample/api-dev:used: used by container other-dev-api-1",
        }));
    }

    [Test]
    public void An_image_someone_else_also_tagged_is_only_untagged()
    {
        var shared = PrunePlanner.Plan(Inventory, Scope()).Items.Single(i => i.Name == "kit-sample/api:shared");

        Assert.That(shared.Command.Values, Is.EqualTo(new[] { "image", "rm", "kit-sample/api:shared" }));
        Assert.That(shared.Bytes, Is.Zero);
        Assert.That(shared.Note, Is.EqualTo("untag only: also tagged other/app:1"));
    }

    [Test]
    public void Older_than_keeps_recent_images()
    {
        var plan = PrunePlanner.Plan(Inventory, Scope(olderThan: TimeSpan.FromDays(1)));

        Assert.That(plan.Items.Select(i => i.Name), Does.Not.Contain("kit-sample/api-dev:fff"));
        Assert.That(plan.Kept.Single(k => k.Name == "kit-sample/api-dev:fff").Reason, Is.EqualTo("newer than 1d (--older-than)"));
    }

    [Test]
    public void Confirmed_volumes_go_except_one_a_remaining_container_mounts()
    {
        var plan = PrunePlanner.Plan(Inventory, Scope(volumeProjects: ["sample-dev"]));

        Assert.That(plan.Items.Where(i => i.Kind == PruneKind.Volume).Select(i => i.Name), Is.EqualTo(new[] { "sample-dev_cache-data" }));
        Assert.That(plan.Kept.Single(k => k.Name == "sample-dev_db-data").Reason, Is.EqualTo("mounted by container sample-dev-db-1"));
        Assert.That(plan.Items.Select(i => i.Name).Concat(plan.Kept.Select(k => k.Name)), Does.Not.Contain("other-dev_db-data"));
    }

    [Test]
    public void Build_cache_is_trimmed_to_the_cap_never_emptied()
    {
        var cache = PrunePlanner.Plan(Inventory, Scope(cap: 10_000_000_000)).Items.Single(i => i.Kind == PruneKind.BuildCache);

        Assert.That(cache.Bytes, Is.EqualTo(5_000_000_000));
        Assert.That(cache.Command.Values, Is.EqualTo(new[] { "builder", "prune", "--force", "--keep-storage", "10000000000" }));
        Assert.That(PrunePlanner.Plan(Inventory, Scope(cap: 20_000_000_000)).Items.Any(i => i.Kind == PruneKind.BuildCache), Is.False);
    }

    [Test]
    public void The_preview_lists_sizes_and_how_to_apply()
    {
        var lines = PruneRenderer.Render(PrunePlanner.Plan(Inventory, Scope()), apply: false);

        Assert.That(lines[0], Is.EqualTo("Would remove:"));
        Assert.That(lines, Does.Contain("  image         50.0 MB  kit-sample/api:abc123"));
        Assert.That(lines[^2], Is.EqualTo("Would reclaim about 210.0 MB (5 item(s))."));
        Assert.That(lines[^1], Does.Contain("--yes"));
    }

    [TestCase("1.635MB", 1_635_000)]
    [TestCase("0B (virtual 276MB)", 0)]
    [TestCase("2.301GB", 2_301_000_000)]
    [TestCase("909B", 909)]
    [TestCase("N/A", 0)]
    [TestCase("12.5kB", 12_500)]
    public void Docker_sizes_parse_in_decimal_units(string text, long bytes) => Assert.That(ByteSize.Parse(text), Is.EqualTo(bytes));

    [Test]
    public void The_engine_inventory_parses_docker_output()
    {
        var usage = DockerInventory.ParseSystemDf("""
            {"Images":[{"ID":"sha256:a","UniqueSize":"1.5MB"}],
             "Containers":[{"ID":"c1","Size":"2kB"}],
             "Volumes":[{"Name":"p_data","Labels":"com.docker.compose.project=p,com.docker.compose.volume=data","Size":"N/A"}],
             "BuildCache":[{"InUse":"false","Size":"1GB"},{"InUse":"true","Size":"2GB"}]}
            """);
        var images = DockerInventory.ParseImages("""[{"Id":"sha256:a","RepoTags":["x/y:1"],"Created":"2026-11-20T10:00:00.5Z","Config":{"Labels":{"k":"v"}}}]""", usage.UniqueSizes);
        var labels = DockerInventory.ParseLabels("com.docker.compose.project=p,com.docker.compose.project.config_files=a.yaml,b.yaml,com.docker.compose.service=api");

        Assert.That(usage.Volumes.Single().Labels["com.docker.compose.project"], Is.EqualTo("p"));
        Assert.That(usage.BuildCache, Is.EqualTo(new BuildCacheInfo(1_000_000_000, 3_000_000_000, 2)));
        Assert.That(images.Single(), Has.Property("UniqueSize").EqualTo(1_500_000).And.Property("RepoTags").EqualTo(new[] { "x/y:1" }));
        Assert.That(labels["com.docker.compose.project.config_files"], Is.EqualTo("a.yaml,b.yaml"));
        Assert.That(labels["com.docker.compose.service"], Is.EqualTo("api"));
    }
}

public sealed class OpsTaskTests
{
    [Test]
    public void CI_validates_compose_builds_images_then_runs_shellcheck_and_the_tests() =>
        Assert.That(Support.HostRun.PlannedTasks("CI"), Is.EqualTo(new[] { "ComposeValidate", "BuildImages", "ShellCheck", "Test", "CI" }));

    [Test]
    public void Prune_with_volumes_but_without_the_typed_project_name_is_refused_with_exit_code_2()
    {
        var result = Support.HostRun.Run("--target=Prune", "--volumes", "--project-name=unit-test-prune");

        Assert.That(result.ExitCode, Is.EqualTo(2), result.All);
        Assert.That(result.All, Does.Contain("add --confirm=<project>, one of unit-test-prune"));
    }
}
