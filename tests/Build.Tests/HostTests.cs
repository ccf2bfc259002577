using Build.Tests.Support;

namespace Build.Tests;

public sealed class HostTests
{
    [Test]
    public void Unknown_target_exits_2_with_one_line()
    {
        var result = HostRun.Run("--target=Nope");

        Assert.That(result.ExitCode, Is.EqualTo(2));
        Assert.That(result.Error.Trim(), Does.StartWith("Unknown target 'Nope'.").And.Not.Contain("\n"));
    }

    [Test]
    public void Misspelt_target_gets_a_suggestion()
    {
        var result = HostRun.Run("--target=tset");

        Assert.That(result.ExitCode, Is.EqualTo(2));
        Assert.That(result.Error, Does.Contain("Did you mean 'Test'?"));
    }

    [Test]
    public void Unknown_verbosity_exits_2()
    {
        Assert.That(HostRun.Run("--verbosity=loud").ExitCode, Is.EqualTo(2));
    }

    [Test]
    public void Misspelt_parameter_is_refused_with_a_suggestion()
    {
        var result = HostRun.Run("--target=Default", "--enviroment=staging");

        Assert.That(result.ExitCode, Is.EqualTo(2));
        Assert.That(result.Error, Does.Contain("Did you mean '--environment'?"));
    }

    [Test]
    public void A_parameter_value_of_the_wrong_type_exits_2()
    {
        var result = HostRun.Run("--target=Default", "--tail=lots");

        Assert.That(result.ExitCode, Is.EqualTo(2));
        Assert.That(result.Error.Trim(), Is.EqualTo("--tail must be a whole number from 0 to 1000000, not 'lots'."));
    }

    [Test]
    public void Default_lists_every_task_with_its_description()
    {
        var result = HostRun.Run();

        Assert.That(result.ExitCode, Is.Zero, result.All);
        Assert.That(result.Output, Does.Contain("Test").And.Contain("Runs every test suite"));
        Assert.That(result.Output, Does.Contain("./build.sh --target="));
        Assert.That(result.Output, Does.Not.Contain("Duration"), "the listing is not wrapped in step banners and a report");
    }

    [Test]
    public void Help_prints_the_options_and_exits_0()
    {
        var result = HostRun.Run("--help");

        Assert.That(result.ExitCode, Is.Zero);
        Assert.That(result.Output, Does.Contain("--dryrun").And.Contain("--exclusive"));
    }

    [Test]
    public void Description_lists_the_tasks()
    {
        var result = HostRun.Run("--description");

        Assert.That(result.ExitCode, Is.Zero, result.All);
        Assert.That(result.Output, Does.Contain("Test"));
    }

    [Test]
    public void Every_task_has_a_name_and_description()
    {
        var catalog = new Build.Host.TaskCatalog(typeof(BuildContext).Assembly.GetTypes()
            .Where(t => typeof(Build.Host.IFrostingTask).IsAssignableFrom(t) && !t.IsAbstract));

        Assert.That(catalog.Tasks, Is.Not.Empty);
        Assert.That(catalog.Tasks.Select(t => t.Type), Has.All.Matches<Type>(t => t!.IsSealed && t.Name.EndsWith("Task", StringComparison.Ordinal)));
        // The host finds tasks among the exported types: an internal task would silently be missing.
        Assert.That(catalog.Tasks.Select(t => t.Type).Where(t => !t.IsVisible), Is.Empty, "every task class is public");
    }

    [Test]
    public void A_bare_run_prints_the_same_listing_as_the_Default_task_through_the_engine()
    {
        // No argument at all: the host prints the listing from the catalog alone. With any argument the engine runs
        // the Default task, with every input checked: both must print the same text.
        var bare = HostRun.Run();
        var engine = HostRun.Run("--target=Default", "--verbosity=normal");

        Assert.That(bare.ExitCode, Is.Zero, bare.All);
        Assert.That(engine.ExitCode, Is.Zero, engine.All);
        Assert.That(bare.Output, Is.EqualTo(engine.Output));
        Assert.That(HostRun.Run("--target=Default", "--env=nowhere").ExitCode, Is.EqualTo(0), "the listing shows whatever the configuration holds");
        Assert.That(HostRun.Run("--app=does/not/exist").ExitCode, Is.EqualTo(2), "an argument takes the full path, where it is checked");
    }

    [Test]
    public void A_bare_run_keeps_its_listing_and_prints_it_only_for_the_same_build_and_bootstrapper()
    {
        var root = Directory.CreateTempSubdirectory("kit-listing-").FullName;
        try
        {
            var started = new Dictionary<string, string?> { ["KIT_BOOTSTRAPPER"] = "build.sh" };
            var kept = Path.Combine(root, ".build", "listing.build.sh.txt");
            var first = HostRun.RunWith(root, started, "--target=Default");
            Assert.That(first.ExitCode, Is.Zero, first.All);
            Assert.That(first.Output, Is.EqualTo(HostRun.Run().Output), "the same listing as without a bootstrapper");
            var lines = File.ReadAllLines(kept);
            Assert.That(lines[0], Does.StartWith("kit task listing 1 ./build.sh "), "keyed by the program name and the build");
            Assert.That(string.Join("\n", lines.Skip(1)) + "\n", Is.EqualTo(first.Output));

            // A bare run (any spelling of it) prints what was kept for its key, without reading the tasks again.
            File.WriteAllText(kept, lines[0] + "\nkept listing\n");
            foreach (var bare in new[] { Array.Empty<string>(), ["-t", "Default"], ["Default"] })
            {
                Assert.That(HostRun.RunWith(root, started, bare).Output, Is.EqualTo("kept listing\n"), string.Join(' ', bare));
            }

            // Any other argument takes the full path; a kept listing of another build is made again.
            Assert.That(HostRun.RunWith(root, started, "--target=Default", "--verbosity=normal").Output, Is.EqualTo(first.Output));
            File.WriteAllText(kept, "kit task listing 1 ./build.sh 00000000000000000000000000000000\nkept listing\n");
            Assert.That(HostRun.RunWith(root, started).Output, Is.EqualTo(first.Output));
            Assert.That(File.ReadAllLines(kept)[0], Is.EqualTo(lines[0]));
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Test]
    public void A_secret_parameter_never_appears_even_at_diagnostic_verbosity()
    {
        var result = HostRun.Run("--target=Test", "--dryrun", "--exclusive", "--verbosity=diagnostic", "--connection=Host=db;Password=supersecret-42");

        Assert.That(result.ExitCode, Is.Zero, result.All);
        Assert.That(result.All, Does.Not.Contain("supersecret-42"));
    }

    [Test]
    public void Every_task_with_a_body_is_planned_or_reads_only_and_one_that_is_neither_is_refused()
    {
        var tasks = typeof(BuildContext).Assembly.GetTypes()
            .Where(t => typeof(Build.Host.IFrostingTask).IsAssignableFrom(t) && !t.IsAbstract)
            .Select(Build.Host.TaskDescriptor.From)
            .ToArray();

        Assert.That(tasks.Where(t => t.DryRun == Build.Host.DryRunKind.Plan).Select(t => t.Name), Is.SupersetOf(new[]
        {
            "DevStart", "DevUp", "DevDown", "DevRestart", "BuildImages", "OfflineImages", "Migrate", "Seed", "DbReset", "Backup", "Restore",
            "Prune", "CreateEnv", "CloudBuildDeploy", "Deploy", "Promote", "Rollback", "PreviewCleanup", "Test", "UpdateReadme",
        }));
        Assert.That(tasks.Where(t => t.DryRun == Build.Host.DryRunKind.ReadsOnly).Select(t => t.Name), Is.EquivalentTo(new[]
        {
            "Default", "Status", "Logs", "Shell", "Doctor", "ComposeValidate", "BackupList", "DeployStatus",
        }));
        Assert.That(
            () => Build.Host.TaskDescriptor.From(typeof(UnplannedTask)),
            Throws.InvalidOperationException.With.Message.Contains("has a body but no plan: derive it from PlannedTask"));
    }

    [Build.Host.TaskName("Unplanned")]
    [Build.Host.TaskDescription("changes something without a plan")]
    private sealed class UnplannedTask : Build.Host.FrostingTask<BuildContext>
    {
        public override void Run(BuildContext context) => File.WriteAllText("/nonexistent/never", string.Empty);
    }
}
