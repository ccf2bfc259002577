using Build.Tests.Support;
using Build.Tools;
using Build.Tools.Compose;
using Build.Tools.Docker;
using Build.Tools.Git;
using Build.Tools.Postgres;

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
}
