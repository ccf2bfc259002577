using Build.Tasks.Dev;
using Build.Tools.Compose;
using Build.Tools.Docker;

namespace Build.Tests.Docker;

public sealed class ComposeArgumentsTests
{
    private static readonly ComposeSettings Settings = new() { ProjectName = "p1", Files = ["compose/compose.yaml", "compose/compose.dev.yaml"] };

    private static string Line(ComposeVersion version, Build.Tools.ArgumentList subcommand) =>
        ComposeTool.Command(version, Settings, subcommand.Values).Render();

    [Test]
    public void Up_is_detached_without_build_and_removes_orphans_in_both_versions()
    {
        var up = ComposeTool.UpArguments(new ComposeUpOptions());
        Assert.That(Line(new ComposeVersion(ComposeFlavor.V2, "2.26.1"), up),
            Is.EqualTo("docker compose -p p1 -f compose/compose.yaml -f compose/compose.dev.yaml up --detach --no-build --remove-orphans"));
        Assert.That(Line(new ComposeVersion(ComposeFlavor.V1, "1.29.2"), up),
            Is.EqualTo("COMPOSE_DOCKER_CLI_BUILD=1 DOCKER_BUILDKIT=1 docker-compose -p p1 -f compose/compose.yaml -f compose/compose.dev.yaml up --detach --no-build --remove-orphans"));
    }

    [Test]
    public void Down_keeps_volumes_unless_asked()
    {
        Assert.That(ComposeTool.DownArguments(volumes: false).Values, Is.EqualTo(new[] { "down", "--remove-orphans" }));
        Assert.That(ComposeTool.DownArguments(volumes: true).Values, Is.EqualTo(new[] { "down", "--remove-orphans", "--volumes" }));
    }

    [Test]
    public void Logs_exec_ps_config_and_restart()
    {
        Assert.That(ComposeTool.LogsArguments(new ComposeLogsOptions { Follow = true, Tail = 50, Services = ["api"] }).Values,
            Is.EqualTo(new[] { "logs", "--no-color", "--follow", "--tail", "50", "api" }));
        Assert.That(ComposeTool.LogsArguments(new ComposeLogsOptions()).Values, Is.EqualTo(new[] { "logs", "--no-color" }));
        Assert.That(ComposeTool.ExecArguments("api", ShellTask.ShellCommand, interactive: true).Values.Take(3), Is.EqualTo(new[] { "exec", "api", "sh" }));
        Assert.That(ComposeTool.ExecArguments("db", ["psql"], interactive: false).Values, Is.EqualTo(new[] { "exec", "-T", "db", "psql" }));
        Assert.That(ComposeTool.ConfigArguments().Values, Is.EqualTo(new[] { "config" }));
        Assert.That(ComposeTool.RestartArguments(["api"]).Values, Is.EqualTo(new[] { "restart", "api" }));
    }

    [Test]
    public void Docker_queries_of_a_project_use_the_compose_label()
    {
        Assert.That(DockerTool.ProjectContainersArguments("p1").Values,
            Is.EqualTo(new[] { "ps", "--all", "--quiet", "--no-trunc", "--filter", "label=com.docker.compose.project=p1" }));
        Assert.That(DockerTool.VolumesArguments("p1").Values, Is.EqualTo(new[] { "volume", "ls", "--quiet", "--filter", "label=com.docker.compose.project=p1" }));
        Assert.That(DockerTool.LogsArguments("abc", 50).Values, Is.EqualTo(new[] { "logs", "--tail", "50", "abc" }));
        Assert.That(DockerTool.ImagesWithLabelArguments("org.example.kit.inputs-hash", "f00").Values,
            Is.EqualTo(new[] { "image", "ls", "--quiet", "--no-trunc", "--filter", "label=org.example.kit.inputs-hash=f00" }));
        Assert.That(DockerTool.TagArguments("sha256:1", "kit-sample/api:dev").Values, Is.EqualTo(new[] { "tag", "sha256:1", "kit-sample/api:dev" }));
    }

    [TestCase(null, null)]
    [TestCase("", null)]
    [TestCase("v1", ComposeFlavor.V1)]
    [TestCase("V2", ComposeFlavor.V2)]
    public void KIT_COMPOSE_chooses_the_compose_version(string? value, ComposeFlavor? expected) =>
        Assert.That(ComposeTool.PreferredFlavor(new Dictionary<string, string?> { ["KIT_COMPOSE"] = value }), Is.EqualTo(expected));

    [Test]
    public void KIT_COMPOSE_with_another_value_is_a_usage_error() =>
        Assert.Throws<Build.Host.UsageException>(() => ComposeTool.PreferredFlavor(new Dictionary<string, string?> { ["KIT_COMPOSE"] = "v3" }));
}
