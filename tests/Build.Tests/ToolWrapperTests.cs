using Build.Tests.Support;
using Build.Tools;
using Build.Tools.Bash;
using Build.Tools.Compose;
using Build.Tools.Docker;
using Build.Tools.DotNet;
using Build.Tools.Gcloud;
using Build.Tools.Git;
using Build.Tools.Postgres;
using Build.Tools.ShellCheck;

namespace Build.Tests;

public sealed class ToolWrapperTests
{
    [Test]
    public async Task Git_reads_commit_branch_and_dirty_state_with_two_queries()
    {
        var runner = new RecordingCommandRunner()
            .Answer("rev-parse", "0123456789abcdef0123\nfeature/x\n")
            .Answer("status", " M build.sh\n");

        var info = await new GitTool(runner).GetInfoAsync(new GitSettings());

        Assert.That(runner.Lines, Is.EqualTo(new[] { "git rev-parse HEAD --abbrev-ref HEAD", "git status --porcelain" }));
        Assert.That(runner.Commands.All(c => c.IsQuery), Is.True);
        Assert.That(info, Is.EqualTo(new GitInfo("0123456789abcdef0123", "feature/x", true)));
        Assert.That(info.ShortCommit, Is.EqualTo("0123456789ab"));
    }

    [Test]
    public async Task Git_outside_a_repository_is_unknown_not_a_failure()
    {
        var runner = new RecordingCommandRunner().Answer("rev-parse", string.Empty, exitCode: 128);

        Assert.That(await new GitTool(runner).GetInfoAsync(new GitSettings()), Is.EqualTo(GitInfo.Unknown));
    }

    [Test]
    public async Task Compose_v2_is_preferred_when_both_exist()
    {
        var runner = new RecordingCommandRunner().Answer(c => c.Executable == "docker", "v2.26.1\n");

        var version = await new ComposeTool(runner).DetectAsync();

        Assert.That(version, Is.EqualTo(new ComposeVersion(ComposeFlavor.V2, "2.26.1")));
        Assert.That(version.SupportsWait, Is.True);
        Assert.That(runner.Lines, Is.EqualTo(new[] { "docker compose version --short" }));
    }

    [Test]
    public async Task Compose_v1_is_used_when_v2_is_missing_and_its_limits_are_reported()
    {
        var runner = new RecordingCommandRunner()
            .Answer(c => c.Executable == "docker", string.Empty, exitCode: 1)
            .Answer(c => c.Executable == "docker-compose", "1.29.2\n");

        var version = await new ComposeTool(runner).DetectAsync();

        Assert.That(version.Flavor, Is.EqualTo(ComposeFlavor.V1));
        Assert.That(version.SupportsWait, Is.False);
        Assert.That(version.Limitations, Has.Some.Contains("--wait"));
        Assert.That(version.Describe(), Does.Contain("1.29.2"));
    }

    [Test]
    public async Task No_compose_at_all_is_one_clear_failure()
    {
        var runner = new RecordingCommandRunner().Answer(_ => true, string.Empty, exitCode: 1);

        var error = await Assert.ThrowsAsync<ToolFailedException>(() => new ComposeTool(runner).DetectAsync());

        Assert.That(error!.Message, Does.Contain("neither 'docker compose' (v2) nor 'docker-compose' (v1)").And.Contain("Install"));
    }

    [Test]
    public void Compose_commands_pass_project_files_and_profiles_the_same_way_for_v1_and_v2()
    {
        var settings = new ComposeSettings { ProjectName = "sample-dev", Files = ["compose/compose.yaml", "compose/compose.dev.yaml"], Profiles = ["tools"] };

        var v2 = ComposeTool.Command(new ComposeVersion(ComposeFlavor.V2, "2.26.1"), settings, ["up", "-d"]);
        var v1 = ComposeTool.Command(new ComposeVersion(ComposeFlavor.V1, "1.29.2"), settings, ["up", "-d"]);

        Assert.That(v2.Render(), Is.EqualTo("docker compose -p sample-dev -f compose/compose.yaml -f compose/compose.dev.yaml --profile tools up -d"));
        Assert.That(v1.Arguments.Select(a => a.Value), Is.EqualTo(new[] { "-p", "sample-dev", "-f", "compose/compose.yaml", "-f", "compose/compose.dev.yaml", "--profile", "tools", "up", "-d" }));
        Assert.That(v1.Executable, Is.EqualTo("docker-compose"));
        Assert.That(v1.Environment["COMPOSE_DOCKER_CLI_BUILD"], Is.EqualTo("1"));
    }

    [Test]
    public void Docker_build_arguments_are_typed_and_ordered()
    {
        var settings = new DockerBuildSettings
        {
            Context = "samples/api",
            File = "docker/dotnet/Dockerfile",
            Target = "final",
            Tags = ["sample/api:abc123", "sample/api:dev"],
            BuildArguments = new Dictionary<string, string> { ["VERSION"] = "1.0", ["PROJECT"] = "src/Api/Api.csproj" },
            Labels = new Dictionary<string, string> { ["org.opencontainers.image.revision"] = "abc123" },
        };

        Assert.That(DockerTool.BuildArguments(settings).Values, Is.EqualTo(new[]
        {
            "build", "--file", "docker/dotnet/Dockerfile", "--target", "final", "--tag", "sample/api:abc123", "--tag", "sample/api:dev",
            "--build-arg", "PROJECT=src/Api/Api.csproj", "--build-arg", "VERSION=1.0", "--label", "org.opencontainers.image.revision=abc123", "samples/api",
        }));
    }

    [Test]
    public async Task Pg_dump_gets_the_password_through_the_environment_only()
    {
        var runner = new RecordingCommandRunner();
        var connection = new PostgresConnection("127.0.0.1", 5432, "app", "My-Db", "p@ss word");

        await new PgDumpTool(runner).DumpAsync(new PgDumpSettings { Connection = connection, OutputFile = "/tmp/x.dump" });

        var command = runner.Commands.Single();
        Assert.That(command.Arguments.Select(a => a.Value), Has.None.Contains("p@ss"));
        Assert.That(command.Environment["PGPASSWORD"], Is.EqualTo("p@ss word"));
        Assert.That(command.Render(), Is.EqualTo("PGPASSWORD=[REDACTED] pg_dump --host 127.0.0.1 --port 5432 --username app --dbname My-Db --format=custom --file=/tmp/x.dump --no-password"));
    }

    [Test]
    public async Task Dotnet_test_arguments_are_exact_and_a_failure_names_dotnet_test()
    {
        var runner = new RecordingCommandRunner().Answer(_ => true, string.Empty, exitCode: 1);
        var settings = new DotNetTestSettings
        {
            Project = "/r/tests/A/A.csproj",
            Loggers = ["trx;LogFileName=/r/.build/test-results/A.trx", "console;verbosity=normal"],
            Filter = "Category!=Slow",
            WorkingDirectory = "/r",
        };

        var error = await Assert.ThrowsAsync<ToolFailedException>(() => new DotNetTool(runner).TestAsync(settings));

        Assert.That(runner.Lines.Single(), Is.EqualTo(
            "dotnet test /r/tests/A/A.csproj --configuration Release --nologo --logger 'trx;LogFileName=/r/.build/test-results/A.trx' --logger 'console;verbosity=normal' --filter 'Category!=Slow'"));
        Assert.That(runner.Commands.Single().WorkingDirectory, Is.EqualTo("/r"));
        Assert.That(runner.Commands.Single().IsQuery, Is.False);
        Assert.That(error!.Tool, Is.EqualTo("dotnet test"));
        Assert.That(DotNetTool.TestArguments(settings with { Filter = null }).Values, Has.None.EqualTo("--filter"));
    }

    [Test]
    public void Dotnet_list_sdks_is_a_query_of_the_dotnet_asked_for()
    {
        var system = DotNetTool.Command(DotNetTool.ListSdksArguments(), query: true);
        var local = DotNetTool.Command(DotNetTool.ListSdksArguments(), query: true, executable: "/r/.dotnet/dotnet");

        Assert.That(system.Render(), Is.EqualTo("dotnet --list-sdks"));
        Assert.That(local.Render(), Is.EqualTo("/r/.dotnet/dotnet --list-sdks"));
        Assert.That(system.IsQuery && system.Quiet && local.IsQuery, Is.True);
    }

    [Test]
    public async Task Shellcheck_checks_the_files_with_gcc_format_from_the_root()
    {
        var runner = new RecordingCommandRunner();

        await new ShellCheckTool(runner).CheckAsync(new ShellCheckSettings { Files = ["build.sh", "scripts/onboard.sh"], WorkingDirectory = "/r" });

        Assert.That(runner.Lines.Single(), Is.EqualTo("shellcheck --external-sources --format=gcc build.sh scripts/onboard.sh"));
        Assert.That(runner.Commands.Single().WorkingDirectory, Is.EqualTo("/r"));
        Assert.That(runner.Commands.Single().InstallHint, Does.Contain("apt-get install shellcheck"));
    }

    [Test]
    public async Task Bash_runs_a_script_named_after_the_script_with_its_requirements()
    {
        var runner = new RecordingCommandRunner();

        await new BashTool(runner).RunScriptAsync(new BashScriptSettings
        {
            Script = "/r/docker/offline/build.sh",
            Arguments = ["--env-file", "/r/.env.offline", "--mirror", "http://deb.example/debian"],
            Name = "docker/offline/build.sh",
            Requirements = "It needs debootstrap.",
        });

        var command = runner.Commands.Single();
        Assert.That(command.Render(), Is.EqualTo("bash /r/docker/offline/build.sh --env-file /r/.env.offline --mirror http://deb.example/debian"));
        Assert.That(command.Tool, Is.EqualTo("docker/offline/build.sh"));
        Assert.That(command.InstallHint, Is.EqualTo("It needs debootstrap."));
    }

    [Test]
    public void Doctor_probe_commands_come_from_the_wrappers_as_queries()
    {
        var commands = new[]
        {
            DockerTool.Command(DockerTool.ClientServerVersionArguments(), query: true),
            DockerTool.Command(DockerTool.InfoArguments("{{.DockerRootDir}}"), query: true),
            DockerTool.Command(DockerTool.BuildxVersionArguments(), query: true),
            DockerTool.Command(DockerTool.ImageEnvironmentArguments("postgres:15"), query: true),
            GitTool.Command(GitTool.VersionArguments(), query: true),
            PsqlTool.Command(PsqlTool.VersionArguments(), query: true),
            GcloudTool.Command(GcloudTool.VersionArguments(), query: true),
        };

        Assert.That(commands.Select(c => c.Arguments.Select(a => a.Value).Prepend(c.Executable)), Is.EqualTo(new[]
        {
            new[] { "docker", "version", "--format", "{{.Client.Version}}|{{.Server.Version}}" },
            ["docker", "info", "--format", "{{.DockerRootDir}}"],
            ["docker", "buildx", "version"],
            ["docker", "image", "inspect", "--format", "{{range .Config.Env}}{{println .}}{{end}}", "postgres:15"],
            ["git", "--version"],
            ["psql", "--version"],
            ["gcloud", "--version"],
        }));
        Assert.That(commands.All(c => c.IsQuery && c.Quiet && c.InstallHint is not null), Is.True);
    }

    [Test]
    public async Task Gcloud_runs_every_command_through_one_shape()
    {
        var runner = new RecordingCommandRunner();
        var command = GcloudTool.Command(GcloudTool.PrintIdentityTokenArguments("https://api-x.a.run.app"), query: true) with { StandardOutputFile = "/tmp/token" };

        await new GcloudTool(runner).ExecuteAsync(command);
        await new GcloudTool(runner).ExecuteAsync(GcloudTool.ConfigGetProjectArguments(), query: true);

        Assert.That(runner.Lines, Is.EqualTo(new[] { "gcloud auth print-identity-token --audiences=https://api-x.a.run.app > /tmp/token", "gcloud config get-value project" }));
        Assert.That(runner.Commands.All(c => c.Tool == "gcloud" && c.IsQuery && c.InstallHint!.Contains("gcloud auth login", StringComparison.Ordinal)), Is.True);
        Assert.That(Build.Deploy.CommandStep.Line(GcloudTool.AuthListArguments()), Is.EqualTo("gcloud auth list --filter=status:ACTIVE '--format=value(account)'"));
    }

    [Test]
    public async Task Every_installed_compose_is_found_at_once_with_the_timeout()
    {
        var runner = new RecordingCommandRunner()
            .Answer(c => c.Executable == "docker", "v2.26.1\n")
            .Answer(c => c.Executable == "docker-compose", "1.29.2\n");

        var installed = await new ComposeTool(runner).DetectInstalledAsync(TimeSpan.FromSeconds(5));

        Assert.That(installed, Is.EqualTo(new[] { new ComposeVersion(ComposeFlavor.V2, "2.26.1"), new ComposeVersion(ComposeFlavor.V1, "1.29.2") }));
        Assert.That(runner.Lines, Is.EquivalentTo(new[] { "docker compose version --short", "docker-compose version --short" }));
        Assert.That(runner.Commands.All(c => c.IsQuery && c.Timeout == TimeSpan.FromSeconds(5)), Is.True);
    }

    [Test]
    public async Task Only_v1_installed_is_what_detection_of_all_reports()
    {
        var runner = new RecordingCommandRunner()
            .Answer(c => c.Executable == "docker", string.Empty, exitCode: 1)
            .Answer(c => c.Executable == "docker-compose", "1.29.2\n");

        Assert.That(await new ComposeTool(runner).DetectInstalledAsync(), Is.EqualTo(new[] { new ComposeVersion(ComposeFlavor.V1, "1.29.2") }));
        Assert.That(ComposeTool.NotFound().Message, Does.Contain(ComposeTool.NeitherFound).And.Contain("Install"));
    }

    [Test]
    public void Pg_restore_options_need_no_connection()
    {
        Assert.That(PgRestoreTool.Options(new PgRestoreOptions { ScriptFile = "-", Clean = true }).Values,
            Is.EqualTo(new[] { "--clean", "--if-exists", "--no-owner", "--file=-" }));
        Assert.That(PgRestoreTool.Options(new PgRestoreOptions()).Values,
            Is.EqualTo(new[] { "--no-owner", "--single-transaction", "--no-password" }));
    }
}
