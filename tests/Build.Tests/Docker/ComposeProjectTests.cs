using Build.Configuration;
using Build.Docker;
using Build.Host;
using Build.Tests.Support;
using Build.Tools.Compose;

namespace Build.Tests.Docker;

public sealed class ComposeProjectTests
{
    private static readonly ComposeVersion V2 = new(ComposeFlavor.V2, "2.26.1");

    private static DockerConfig Config => new ConfigLoader(RepositoryRoot.Path).Load<DockerConfig>("docker");

    // What the tests assert about names and ports comes from the tests' own app, never from the repository's config/.
    private static DockerConfig FixtureConfig(FixtureApp app) => new ConfigLoader(app.Root).Load<DockerConfig>("docker");

    private static ComposeInputs Inputs(
        string environment = "dev", string? projectName = null, int offset = 0, string dotEnv = "", string overlay = "", Dictionary<string, string?>? process = null) => new()
        {
            Root = RepositoryRoot.Path,
            NameStem = "sample",
            EnvironmentName = environment,
            ProjectNameOverride = projectName,
            PortOffset = offset,
            DotEnv = DotEnvFile.Parse(dotEnv),
            Overlays = [DotEnvFile.Parse(overlay, ".env.offline")],
            ProcessEnvironment = process ?? new Dictionary<string, string?>(),
        };

    [Test]
    public void The_checked_in_docker_config_is_valid_and_every_environment_names_existing_files_and_images()
    {
        var config = Config;
        Assert.That(config.Environments.Keys, Is.SupersetOf(new[] { "dev", "local-prod" }));
        foreach (var (name, environment) in config.Environments)
        {
            Assert.That(environment.Images, Is.SubsetOf(config.Images.Keys), name);
            var project = ComposeProject.Create(V2, config, Inputs(name));
            Assert.That(project.Settings.Files, Is.EqualTo(environment.Files));
        }
    }

    [Test]
    public void The_project_name_is_the_stem_and_environment_unless_given()
    {
        Assert.That(ComposeProject.Create(V2, Config, Inputs("dev")).Name, Is.EqualTo("sample-dev"));
        Assert.That(ComposeProject.Create(V2, Config, Inputs("local-prod", projectName: "feature-x")).Name, Is.EqualTo("feature-x"));
        Assert.Throws<UsageException>(() => ComposeProject.Create(V2, Config, Inputs("dev", projectName: "Bad Name")));
    }

    [Test]
    public void An_unknown_environment_is_a_configuration_error_with_a_suggestion()
    {
        var error = Assert.Throws<ConfigurationException>(() => ComposeProject.Create(V2, Config, Inputs("devv")))!;
        Assert.That(error.Message, Does.Contain("'devv'").And.Contain("dev"));
        Assert.That(error.ExitCode, Is.EqualTo(2));
    }

    [Test]
    public void Variables_are_env_then_overlays_with_the_process_environment_left_to_win()
    {
        var project = ComposeProject.Create(
            V2,
            Config,
            Inputs(
                dotEnv: "POSTGRES_IMAGE=postgres:15\nPOSTGRES_PASSWORD=from-dotenv\nREDIS_IMAGE=redis:7\n",
                overlay: "POSTGRES_IMAGE=kit-offline/postgres:15\nREDIS_IMAGE=kit-offline/redis:7\n",
                process: new() { ["REDIS_IMAGE"] = "mine/redis:7" }));

        var passed = project.Settings.EnvironmentVariables;
        Assert.That(passed["POSTGRES_IMAGE"], Is.EqualTo("kit-offline/postgres:15"));
        Assert.That(passed.ContainsKey("REDIS_IMAGE"), Is.False, "the process environment's value must reach compose untouched");
        Assert.That(project.Variable("REDIS_IMAGE"), Is.EqualTo("mine/redis:7"));
        Assert.That(project.Settings.SecretVariables, Does.Contain("POSTGRES_PASSWORD"));
        Assert.That(project.SecretValues, Does.Contain("from-dotenv"));
        Assert.That(ComposeTool.Command(V2, project.Settings, ["up"]).Render(), Does.Not.Contain("from-dotenv"));
    }

    [Test]
    public void The_port_offset_is_added_to_every_host_port_variable()
    {
        using var app = FixtureApp.Create();
        var config = FixtureConfig(app);
        var project = ComposeProject.Create(V2, config, Inputs(offset: 100, dotEnv: "API_PORT=9000\n") with { Root = app.Root });

        Assert.That(project.HostPorts["API_PORT"], Is.EqualTo(9100));
        Assert.That(project.HostPorts["POSTGRES_PORT"], Is.EqualTo(5532));
        Assert.That(project.Settings.EnvironmentVariables["API_PORT"], Is.EqualTo("9100"));
        Assert.That(project.Expand("http://${BIND_ADDRESS:-127.0.0.1}:${API_PORT}"), Is.EqualTo("http://127.0.0.1:9100"));
        Assert.Throws<UsageException>(() => ComposeProject.Create(V2, config, Inputs(offset: 60000) with { Root = app.Root }));
    }

    [Test]
    public void An_unset_image_variable_points_compose_at_the_built_dev_tag()
    {
        using var app = FixtureApp.Create();
        var config = FixtureConfig(app);
        var project = ComposeProject.Create(V2, config, Inputs() with { Root = app.Root });
        Assert.That(project.Variable("API_IMAGE"), Is.EqualTo("fixture/api:dev"));

        var chosen = ComposeProject.Create(V2, config, Inputs(dotEnv: "API_IMAGE=team/api:local\n") with { Root = app.Root });
        Assert.That(chosen.Variable("API_IMAGE"), Is.EqualTo("team/api:local"));
    }

    [Test]
    public void Required_variables_missing_are_listed()
    {
        Assert.That(ComposeProject.Create(V2, Config, Inputs()).MissingVariables(), Is.EqualTo(new[] { "POSTGRES_PASSWORD" }));
        Assert.That(ComposeProject.Create(V2, Config, Inputs(process: new() { ["POSTGRES_PASSWORD"] = "x" })).MissingVariables(), Is.Empty);
    }

    [Test]
    public void Exec_runs_in_the_database_service_without_a_terminal_for_pg_dump()
    {
        var project = ComposeProject.Create(V2, Config, Inputs(projectName: "p1"));

        var command = project.Exec(["pg_dump", "-Fc", "-U", "app", "app"]);

        Assert.That(command.Render(), Does.EndWith("docker compose -p p1 -f compose/compose.yaml -f compose/compose.dev.yaml exec -T db pg_dump -Fc -U app app"));
        Assert.That(command.WorkingDirectory, Is.EqualTo(RepositoryRoot.Path));
    }

    [TestCase("${A}", "1")]
    [TestCase("${MISSING}", "")]
    [TestCase("${MISSING:-d}", "d")]
    [TestCase("${EMPTY:-d}", "d")]
    [TestCase("${EMPTY-d}", "")]
    [TestCase("x${A}y${B:-2}", "x1y2")]
    [TestCase("$A {A} ${", "$A {A} ${")]
    public void Variables_expand_like_compose(string text, string expected)
    {
        var values = new Dictionary<string, string> { ["A"] = "1", ["EMPTY"] = string.Empty };
        Assert.That(VariableExpander.Expand(text, n => values.GetValueOrDefault(n)), Is.EqualTo(expected));
    }
}
