using E2E.Tests.Support;

namespace E2E.Tests;

/// <summary>
/// DevUp's fast path against a real engine: taken on a healthy stack whose inputs did not change, and never when one
/// did: an image's source file, a compose file, <c>.env</c>, a new migration, a stopped container. One stack (a random
/// project name and port offset, the local-prod environment) in a kit root of its own whose compose files, database
/// scripts and api sources are copies, so each test changes one input there. Every test first checks that the fast
/// path holds, then changes its input, then puts it back and lets the full path converge the stack again, so the
/// next test starts from an unchanged stack. The changed runs pass --skip-build: the fast path's answer is what is
/// tested, not a rebuild. The api runs from a tag of this stack's own (<see cref="ApiImage"/>).
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class DevUpFastPathTests
{
    private const string UpToDate = "up to date: nothing to do";
    private const string FullPath = "Not up to date, the full path runs: ";
    private static readonly TimeSpan DevUpTimeout = TimeSpan.FromMinutes(8);

    private Stack stack = null!;
    private string root = null!;

    [OneTimeSetUp]
    public void StackUp()
    {
        Kit.RequireEngine();
        Kit.PrepareBaseImages();
        root = Kit.ScratchRoot("kit-e2e-fast-");
        foreach (var link in new[] { "compose", "samples", "scripts" })
        {
            Directory.Delete(Path.Combine(root, link));
        }

        CopyTree(Path.Combine(Kit.Root, "compose"), Path.Combine(root, "compose"));

        // A loaded two-core machine can take longer than 5 s to answer the api's probe: more patience in this fixture.
        var composeFile = Path.Combine(root, "compose", "compose.yaml");
        const string Probe = "      timeout: 5s\n      retries: 3\n      start_period: 30s\n";
        Assert.That(File.ReadAllText(composeFile), Does.Contain(Probe));
        File.WriteAllText(composeFile, File.ReadAllText(composeFile).Replace(Probe, "      timeout: 30s\n      retries: 10\n      start_period: 120s\n", StringComparison.Ordinal));
        CopyTree(Path.Combine(Kit.Root, "samples", "api"), Path.Combine(root, "samples", "api"));
        Directory.CreateDirectory(Path.Combine(root, "scripts"));
        foreach (var entry in Directory.EnumerateFileSystemEntries(Path.Combine(Kit.Root, "scripts")).Where(e => Path.GetFileName(e) != "db"))
        {
            if (Directory.Exists(entry))
            {
                Directory.CreateSymbolicLink(Path.Combine(root, "scripts", Path.GetFileName(entry)), entry);
            }
            else
            {
                File.CreateSymbolicLink(Path.Combine(root, "scripts", Path.GetFileName(entry)), entry);
            }
        }

        CopyTree(Path.Combine(Kit.Root, "scripts", "db"), Path.Combine(root, "scripts", "db"));
        stack = new Stack();
        var up = DevUp();
        Assert.That(up.ExitCode, Is.Zero, up.ToString());
    }

    [OneTimeTearDown]
    public void StackDown()
    {
        if (stack is not null)
        {
            stack.Dispose();
            Kit.Docker("image", "rm", ApiImage);
        }

        if (root is not null && Directory.Exists(root))
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Test]
    public void An_unchanged_healthy_stack_takes_the_fast_path_and_prints_the_table()
    {
        var result = DevUp();

        Assert.That(result.ExitCode, Is.Zero, result.ToString());
        Assert.That(result.Output, Does.Contain(UpToDate), result.ToString());
        Assert.That(result.Output, Does.Not.Contain(FullPath), result.ToString());
        Assert.That(result.Output, Does.Not.Contain(" up --detach"), "compose was asked to converge");
        Assert.That(result.Output, Does.Match(@"(?m)^\s+api\s+running \(healthy\)\s+http://127\.0\.0\.1:" + stack.ApiPort), result.ToString());
        Assert.That(result.Output, Does.Contain("Skipped: the stack is up to date"), result.ToString());
        Assert.That(result.Output, Does.Not.Contain(Kit.DatabasePassword));
    }

    [Test]
    public void A_changed_source_file_of_an_image_takes_the_full_path()
    {
        var source = Path.Combine(root, "samples", "api", "src", "SampleApi", "Program.cs");
        ChangedRun(
            () => File.AppendAllText(source, "\n// changed by DevUpFastPathTests\n"),
            () => File.WriteAllText(source, File.ReadAllText(source).Replace("\n// changed by DevUpFastPathTests\n", string.Empty, StringComparison.Ordinal)),
            "image api: its inputs changed");
    }

    [Test]
    public void A_changed_compose_file_takes_the_full_path()
    {
        var file = Path.Combine(root, "compose", "compose.prod.yaml");
        var original = File.ReadAllText(file);
        const string Anchor = "\n  cache:\n";
        Assert.That(original, Does.Contain(Anchor));
        ChangedRun(
            () => File.WriteAllText(file, original.Replace(Anchor, Anchor + "    labels:\n      org.example.e2e: changed\n", StringComparison.Ordinal)),
            () => File.WriteAllText(file, original),
            "cache: its configuration changed");
    }

    [Test]
    public void A_changed_env_file_takes_the_full_path()
    {
        // The kit's variables come from the test's environment, so the root may have no .env yet: then one is added.
        var file = Path.Combine(root, ".env");
        var original = File.Exists(file) ? File.ReadAllText(file) : null;
        ChangedRun(
            () => File.WriteAllText(file, original + "\nREDIS_MEMORY=257M\n"),
            () =>
            {
                if (original is null)
                {
                    File.Delete(file);
                }
                else
                {
                    File.WriteAllText(file, original);
                }
            },
            "cache: its configuration changed");
    }

    [Test]
    public void A_new_migration_takes_the_full_path()
    {
        var file = Path.Combine(root, "scripts", "db", "migrations", "0900_fast_path_probe.sql");
        ChangedRun(
            () => File.WriteAllText(file, "CREATE TABLE IF NOT EXISTS app.fast_path_probe (id integer);\n"),
            () => File.Delete(file),
            "1 migration(s) pending (0900_fast_path_probe.sql)");
    }

    [Test]
    public void A_stopped_container_takes_the_full_path()
    {
        ChangedRun(
            () => Assert.That(Kit.Docker("stop", stack.Container("cache")).ExitCode, Is.Zero),
            () => { },
            "cache is exited");
    }

    /// <summary>
    /// The fast path holds; after <paramref name="change"/> DevUp says <paramref name="reason"/> and runs the full path
    /// (compose up included); <paramref name="revert"/> and a full DevUp leave the stack unchanged for the next test.
    /// </summary>
    private void ChangedRun(Action change, Action revert, string reason)
    {
        var before = DevUp();
        Assert.That(before.Output, Does.Contain(UpToDate), "precondition: the stack is up to date\n" + before);
        try
        {
            change();
            var changed = DevUp("--skip-build");

            Assert.That(changed.ExitCode, Is.Zero, changed.ToString());
            Assert.That(changed.Output, Does.Contain(FullPath + reason), changed.ToString());
            Assert.That(changed.Output, Does.Not.Contain(UpToDate), changed.ToString());
            Assert.That(changed.Output, Does.Contain(" up --detach"), "the full path did not ask compose to converge\n" + changed);
            Assert.That(changed.Output, Does.Match(@"(?m)^\s+api\s+running \(healthy\)"), changed.ToString());
        }
        finally
        {
            revert();
            var converged = DevUp("--skip-build");
            Assert.That(converged.ExitCode, Is.Zero, converged.ToString());
        }
    }

    /// <summary>
    /// The api image this stack runs, under a tag of its own: the kit's shared tags (kit-sample/api:dev) are moved by
    /// every other checkout's build on this engine, which the fast path rightly reports as a changed image.
    /// </summary>
    private string ApiImage => $"{AppConfig.Repository("api")}:{stack.Name}";

    private Kit.Result DevUp(params string[] more) =>
        Kit.RunInRoot(root, new Dictionary<string, string?> { ["API_IMAGE"] = ApiImage }, DevUpTimeout, ["--target=DevUp", .. stack.Arguments(more)]);

    private static void CopyTree(string from, string to)
    {
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(from, file);
            if (relative.Split(Path.DirectorySeparatorChar).Any(part => part is "bin" or "obj" or "TestResults"))
            {
                continue;
            }

            var target = Path.Combine(to, relative);
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
    }
}
