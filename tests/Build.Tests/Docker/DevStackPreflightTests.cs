using Build.Configuration;
using Build.Docker;
using Build.Tests.Support;
using Build.Tools;
using Build.Tools.Compose;

namespace Build.Tests.Docker;

/// <summary>
/// DevUp's preflight and <c>up</c> against a recording runner: what is refused before anything is created, what is
/// repaired, and what a dry run does without an engine. The merged configuration is answered as compose prints it.
/// </summary>
public sealed class DevStackPreflightTests
{
    private const string Engine = "version --format {{.Server.Version}}";
    private const string Unreachable = "Cannot connect to the Docker daemon at unix:///nonexistent.sock. Is the docker daemon running?";
    private static readonly ComposeVersion V2 = new(ComposeFlavor.V2, "2.26.1");

    // Host ports far from anything a developer or another test runs, so the real port check finds them free.
    private static readonly int Port = 20000 + Random.Shared.Next(0, 9000);

    private static string ConfigYaml(string project = "pf") => $"""
        name: {project}
        services:
          api:
            image: fixture/api:dev
            networks:
              default: null
            ports:
              - mode: ingress
                host_ip: 127.0.0.1
                target: 8080
                published: "{Port}"
                protocol: tcp
            labels:
              org.example.kit.file-watcher: dotnet watch
          db:
            image: postgres:15
            networks:
              default: null
        networks:
          default:
            name: {project}_default
        """;

    // The tests' own app (names, images), never the repository's config/.
    private static FixtureApp app = null!;

    [OneTimeSetUp]
    public static void CreateApp() => app = FixtureApp.Create();

    [OneTimeTearDown]
    public static void RemoveApp() => app.Dispose();

    private static ComposeProject Project(string environment = "local-prod", string dotEnv = "POSTGRES_PASSWORD=secret-1234\n") =>
        ComposeProject.Create(V2, new ConfigLoader(app.Root).Load<DockerConfig>("docker"), new ComposeInputs
        {
            Root = app.Root,
            NameStem = "sample",
            EnvironmentName = environment,
            ProjectNameOverride = "pf",
            DotEnv = DotEnvFile.Parse(dotEnv),
        });

    private static bool IsCompose(ToolCommand command, string subcommand) =>
        command.Arguments.Count > 0 && command.Arguments[0].Value == "compose" && command.Arguments.Any(a => a.Value == subcommand);

    /// <summary>An engine that answers; <paramref name="first"/> adds answers that win over these defaults.</summary>
    private static RecordingCommandRunner Runner(string containers = "", string inspect = "[]", Action<RecordingCommandRunner>? first = null)
    {
        var runner = new RecordingCommandRunner();
        first?.Invoke(runner);
        runner
            .Answer(Engine, "20.10.24\n")
            .Answer(c => IsCompose(c, "config"), ConfigYaml())
            .Answer("ps --filter label=org.example.kit.file-watcher", string.Empty)
            .Answer("ps --all --quiet --no-trunc --filter label=com.docker.compose.project=pf", containers)
            .Answer("inspect", inspect)
            .Answer("image inspect --format {{.Id}}", "sha256:1\n");
        return runner;
    }

    private static (DevStack Stack, ListLog Log) Stack(RecordingCommandRunner runner, ComposeProject? project = null)
    {
        var log = new ListLog();
        return (new DevStack(project ?? Project(), runner, log, new SecretMasker()), log);
    }

    private static string TempInotify(int instances, int watches)
    {
        var folder = Path.Combine(Path.GetTempPath(), "kit-inotify-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, "max_user_instances"), $"{instances}\n");
        File.WriteAllText(Path.Combine(folder, "max_user_watches"), $"{watches}\n");
        return folder;
    }

    [Test]
    public async Task Skip_build_with_a_missing_kit_image_is_one_line_before_anything_is_created()
    {
        var runner = new RecordingCommandRunner()
            .Answer("image inspect --format {{.Id}} fixture/api:dev", string.Empty, 1, "Error: No such image: fixture/api:dev")
            .Answer("pull", string.Empty, 1, "should not be pulled");
        foreach (var (match, output) in new (string, string)[] { (Engine, "20.10.24\n"), ("ps", string.Empty), ("image inspect", "sha256:1\n") })
        {
            runner.Answer(match, output);
        }

        runner.Answer(c => IsCompose(c, "config"), ConfigYaml());
        var (stack, _) = Stack(runner);

        var error = (await Assert.ThrowsAsync<PreflightException>(() => stack.PreflightAsync(new PreflightOptions { SkipBuild = true })))!;

        Assert.That(error.Message.Split('\n'), Has.Length.EqualTo(1), error.Message);
        Assert.That(error.Message, Does.StartWith("Image fixture/api:dev (service api) is not on this machine")
            .And.Contain("drop --skip-build").And.Contain("--target=BuildImages"));
        Assert.That(runner.Lines, Has.None.Contains(" up").And.None.Contains("pull"), "nothing created, nothing pulled for a kit image");
    }

    [Test]
    public async Task Without_skip_build_the_kit_image_is_left_to_the_build_and_a_missing_public_image_is_pulled()
    {
        var runner = Runner(first: r => r
            .Answer("image inspect --format {{.Id}} postgres:15", string.Empty, 1, "Error: No such image: postgres:15")
            .Answer("pull --quiet postgres:15", "docker.io/library/postgres:15\n"));
        var (stack, log) = Stack(runner);

        await stack.PreflightAsync(new PreflightOptions());

        Assert.That(runner.Lines, Does.Contain("docker pull --quiet postgres:15"));
        Assert.That(runner.Lines, Has.None.Contains("image inspect --format '{{.Id}}' fixture/api:dev"), "DevUp builds it next");
        Assert.That(log.All, Does.Contain("pulling postgres:15 (service db)"));
    }

    [Test]
    public async Task A_public_image_no_registry_answers_for_names_OfflineImages_in_one_line()
    {
        var runner = Runner(first: r => r
            .Answer("image inspect --format {{.Id}} postgres:15", string.Empty, 1, "Error: No such image: postgres:15")
            .Answer("pull", string.Empty, 1, "Error response from daemon: Get \"https://registry-1.docker.io/v2/\": dial tcp: lookup registry-1.docker.io: no such host"));
        var (stack, _) = Stack(runner);

        var error = (await Assert.ThrowsAsync<PreflightException>(() => stack.PreflightAsync(new PreflightOptions())))!;

        Assert.That(error.Message.Split('\n'), Has.Length.EqualTo(1), error.Message);
        Assert.That(error.Message, Does.StartWith("Image postgres:15 (service db) is not on this machine and no registry answered")
            .And.Contain("./build.sh --target=OfflineImages"));
        Assert.That(ImageAvailability.RegistryLacksImage("manifest for postgres:99 not found: manifest unknown"), Is.True);
        Assert.That(ImageAvailability.Repository("registry.invalid:5000/team/api:dev"), Is.EqualTo("registry.invalid:5000/team/api"));
    }

    [Test]
    public async Task Containers_that_lost_their_network_are_recreated_before_the_stack_comes_up()
    {
        const string Inspect = """
            [
              {"Id":"a1","Name":"/pf-api-1","State":{"Status":"running","ExitCode":0,"Health":{"Status":"healthy","Log":[]}},
               "NetworkSettings":{"Networks":{},"Ports":{}},
               "Config":{"Labels":{"com.docker.compose.project":"pf","com.docker.compose.service":"api"}}},
              {"Id":"b2","Name":"/pf-db-1","State":{"Status":"running","ExitCode":0,"Health":{"Status":"healthy","Log":[]}},
               "NetworkSettings":{"Networks":{"pf_default":{}},"Ports":{}},
               "Config":{"Labels":{"com.docker.compose.project":"pf","com.docker.compose.service":"db"}}}
            ]
            """;
        var runner = Runner("a1\nb2\n", Inspect);
        var (stack, log) = Stack(runner);

        var plan = await stack.PreflightAsync(new PreflightOptions());
        await stack.UpAsync(plan);

        Assert.That(plan.Recreate, Is.EqualTo(new[] { "api" }));
        Assert.That(log.All, Does.Contain("api lost network pf_default"));
        var ups = runner.Lines.Where(l => l.Contains(" up ", StringComparison.Ordinal)).ToArray();
        Assert.That(ups, Has.Length.EqualTo(2));
        Assert.That(ups[0], Does.EndWith("up --detach --no-build --remove-orphans --force-recreate api"));
        Assert.That(ups[1], Does.EndWith("up --detach --no-build --remove-orphans"));

        // Status says the same of the container, whatever its health check says.
        var table = StatusTable.Render(stack.Project, ContainerState.ParseInspect(Inspect), plan.Model);
        Assert.That(table.Single(l => l.TrimStart().StartsWith("api", StringComparison.Ordinal)), Does.Contain("running (healthy), network lost"));
        Assert.That(table.Single(l => l.TrimStart().StartsWith("db", StringComparison.Ordinal)), Does.Not.Contain("network lost"));
    }

    [Test]
    public async Task Too_low_inotify_limits_make_the_watchers_poll_with_one_notice_and_the_fix()
    {
        var folder = TempInotify(instances: 128, watches: 65536);
        try
        {
            // Three other kit projects run a dev stack already: four need 160 instances, the host allows 128.
            var runner = Runner(first: r => r.Answer("ps --filter label=org.example.kit.file-watcher", "other-a\nother-b\nother-b\nother-c\npf\n"));
            var (stack, log) = Stack(runner);

            var plan = await stack.PreflightAsync(new PreflightOptions { InotifyFolder = folder, InotifyInstancesPerStack = 40 });
            await stack.UpAsync(plan);

            Assert.That(plan.Variables, Is.EqualTo(new Dictionary<string, string> { ["KIT_WATCH_POLLING"] = "1" }));
            var notice = log.Entries.Where(e => e.Text.Contains("inotify", StringComparison.Ordinal)).ToArray();
            Assert.That(notice, Has.Length.EqualTo(1), log.All);
            Assert.That(notice[0].Text, Does.Contain("max_user_instances=128, below the 160 needed").And.Contain("api poll for changes")
                .And.Contain("sudo sysctl fs.inotify.max_user_instances=512").And.Contain("/etc/sysctl.d/"));
            var up = runner.Commands.Last(c => IsCompose(c, "up"));
            Assert.That(up.Environment["KIT_WATCH_POLLING"], Is.EqualTo("1"));

            // Enough for all four: nothing changes.
            var roomy = TempInotify(instances: 512, watches: 524288);
            var (second, secondLog) = Stack(Runner(first: r => r.Answer("ps --filter label=org.example.kit.file-watcher", "other-a\nother-b\nother-c\n")));
            Assert.That((await second.PreflightAsync(new PreflightOptions { InotifyFolder = roomy })).Variables, Is.Empty);
            Assert.That(secondLog.Entries.Where(e => e.Level <= Cake.Core.Diagnostics.LogLevel.Warning).Select(e => e.Text), Has.None.Contains("inotify"));
            Directory.Delete(roomy, recursive: true);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Test]
    public void The_inotify_verdict_counts_instances_and_watches_and_Doctor_warns_with_the_fix()
    {
        var low = FileWatchLimits.Evaluate(new InotifyLimits(128, 8192), stacks: 4, instancesPerStack: 40, watchesPerStack: 8192);
        Assert.That(low.Enough, Is.False);
        Assert.That(low.Detail, Does.Contain("max_user_instances=128, below the 160 needed").And.Contain("max_user_watches=8192, below the 32768 needed"));

        var check = Build.Ops.Doctor.MachineChecks.EvaluateFileWatching(low);
        Assert.That(check.Status, Is.EqualTo(Build.Ops.Doctor.CheckStatus.Warn));
        Assert.That(check.BlocksDevUp, Is.False, "DevUp falls back to polling");
        Assert.That(check.Fix, Does.Contain("sudo sysctl fs.inotify.max_user_instances=512").And.Contain("/etc/sysctl.d/60-inotify.conf"));

        Assert.That(FileWatchLimits.Evaluate(new InotifyLimits(128, 8192), 3, 40, 2048).Enough, Is.True);
        Assert.That(FileWatchLimits.Evaluate(null, 9, 40, 8192).Enough, Is.True, "no /proc/sys: nothing to judge");
    }

    [Test]
    public async Task Without_an_engine_a_real_preflight_stops_with_the_same_fix_as_Doctor()
    {
        var runner = new RecordingCommandRunner().Answer(Engine, string.Empty, 1, Unreachable);
        var (stack, _) = Stack(runner, project: Project() with { ProcessEnvironment = new Dictionary<string, string?> { ["DOCKER_HOST"] = "unix:///nonexistent.sock" } });

        var error = (await Assert.ThrowsAsync<EngineUnreachableException>(() => stack.PreflightAsync()))!;

        Assert.That(error.Message, Is.EqualTo(DockerEngine.Unreachable(Unreachable, "unix:///nonexistent.sock")));
        Assert.That(error.Message, Does.StartWith("The Docker engine is not reachable at DOCKER_HOST=unix:///nonexistent.sock (Cannot connect to the Docker daemon"));
        var doctor = Build.Ops.Doctor.MachineChecks.EvaluateEngine(false, null, Unreachable, "unix:///nonexistent.sock");
        Assert.That(error.Message, Does.EndWith(doctor.Fix!));
        Assert.That(error.Message.Split('\n'), Has.Length.EqualTo(1));
        Assert.That(DockerEngine.IsUnreachable(new ToolFailedException("docker", 1, "docker ps", [Unreachable])), Is.True);
        Assert.That(DockerEngine.IsUnreachable(new ToolFailedException("docker", 1, "docker ps", ["Error: No such image: x"])), Is.False);
    }

    [Test]
    public void Commands_that_create_no_container_get_placeholders_for_required_variables_nobody_set()
    {
        // No .env at all: compose would refuse even 'down' over ${POSTGRES_PASSWORD:?...}.
        var project = Project(dotEnv: string.Empty);

        Assert.That(project.RequiredByFiles, Does.Contain("POSTGRES_PASSWORD"));
        Assert.That(project.MissingVariables(), Does.Contain("POSTGRES_PASSWORD"));
        foreach (var subcommand in new[] { ComposeTool.DownArguments(false), ComposeTool.ConfigArguments(), ComposeTool.LogsArguments(new ComposeLogsOptions()) })
        {
            Assert.That(project.NonCreatingCommand(subcommand).Environment["POSTGRES_PASSWORD"], Is.EqualTo(ComposeProject.UnsetPlaceholder));
        }

        Assert.That(project.Command(ComposeTool.UpArguments(new ComposeUpOptions())).Environment.ContainsKey("POSTGRES_PASSWORD"), Is.False, "up never runs on a placeholder");
        Assert.That(Project().NonCreatingCommand(ComposeTool.DownArguments(false)).Environment["POSTGRES_PASSWORD"], Is.EqualTo("secret-1234"), "a set value is kept");
        Assert.That(ComposeProject.RequiredVariablesIn("a: ${A:?set A}\nb: ${B?}\nc: ${C:-x}\nd: $${D:?}\n"), Is.EqualTo(new[] { "A", "B" }));
    }
}
