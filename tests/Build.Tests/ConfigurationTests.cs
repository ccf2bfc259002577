using Build.Configuration;
using Build.Tests.Support;

namespace Build.Tests;

public sealed class ConfigurationTests
{
    private string root = null!;

    [SetUp]
    public void CreateRoot()
    {
        root = Directory.CreateTempSubdirectory("kit-config-").FullName;
        Directory.CreateDirectory(Path.Combine(root, "config", "schema"));
        File.Copy(Path.Combine(RepositoryRoot.Path, "config", "schema", "project.schema.json"), Path.Combine(root, "config", "schema", "project.schema.json"));
    }

    [TearDown]
    public void RemoveRoot() => Directory.Delete(root, recursive: true);

    private ProjectConfig Load(string json)
    {
        File.WriteAllText(Path.Combine(root, "config", "project.json"), json);
        return new ConfigLoader(root).Load<ProjectConfig>("project");
    }

    [Test]
    public void The_checked_in_configuration_is_valid()
    {
        foreach (var file in Directory.GetFiles(Path.Combine(RepositoryRoot.Path, "config"), "*.json"))
        {
            var name = Path.GetFileNameWithoutExtension(file);
            Assert.That(File.Exists(Path.Combine(RepositoryRoot.Path, "config", "schema", name + ".schema.json")), Is.True, $"{name}.json has no schema");
            Assert.That(File.ReadAllText(file), Does.Contain($"\"$schema\": \"./schema/{name}.schema.json\""), $"{name}.json does not reference its schema");
        }

        var project = new ConfigLoader(RepositoryRoot.Path).Load<ProjectConfig>("project");
        Assert.That(project.Environments.Keys, Does.Contain(project.DefaultEnvironment));
    }

    [Test]
    public void Malformed_json_names_file_and_line()
    {
        var error = Assert.Throws<ConfigurationException>(() => Load("{\n  \"name\": \"x\",\n  \"environments\": {\n    \"dev\": { ]\n  }\n}"));

        Assert.That(error!.Message, Is.EqualTo("config/project.json:4:14: malformed JSON: unexpected ']' (a missing or extra comma, colon, quote or bracket here or just before)."));
    }

    [Test]
    public void A_missing_comma_is_named_at_its_line_and_column_without_the_parsers_internals()
    {
        var error = Assert.Throws<ConfigurationException>(() => Load("{\n  \"name\": \"x\"\n  \"environments\": {}\n}"));

        Assert.That(error!.Message, Is.EqualTo("config/project.json:3:3: malformed JSON: a comma is missing before '\"environments\": {}'."));
        Assert.That(error.Message, Does.Not.Contain("LineNumber").And.Not.Contain("BytePositionInLine"));
    }

    [Test]
    public void The_column_counts_characters_not_bytes()
    {
        var error = Assert.Throws<ConfigurationException>(() => Load("{ \"name\": \"x\", \"environments\": { \"dév\": {} } ]"));

        Assert.That(error!.Message, Does.StartWith("config/project.json:1:46: malformed JSON"));
    }

    [Test]
    public void A_file_that_ends_too_early_says_so()
    {
        var error = Assert.Throws<ConfigurationException>(() => Load("{\n  \"name\": \"x\",\n  \"environments\": {\n"));

        Assert.That(error!.Message, Does.EndWith("malformed JSON: the text ends before every { and [ is closed."));
    }

    [Test]
    public void A_schema_violation_names_file_line_and_property()
    {
        var error = Assert.Throws<ConfigurationException>(() => Load("{\n  \"name\": \"Bad Name\",\n  \"environments\": { \"dev\": {} }\n}"));

        Assert.That(error!.Message, Does.StartWith("config/project.json:2:3: /name: 'Bad Name' must be lower-case"));
    }

    [Test]
    public void A_misspelt_property_is_refused_with_a_suggestion()
    {
        var error = Assert.Throws<ConfigurationException>(() => Load("{\n  \"name\": \"x\",\n  \"environments\": {\n    \"dev\": {\n      \"protcted\": true\n    }\n  }\n}"));

        Assert.That(error!.Message, Does.StartWith("config/project.json:5:7: /environments/dev/protcted: unknown property 'protcted'. Did you mean 'protected'?"));
    }

    private DeployConfig LoadDeploy(string environment)
    {
        File.Copy(Path.Combine(RepositoryRoot.Path, "config", "schema", "deploy.schema.json"), Path.Combine(root, "config", "schema", "deploy.schema.json"), overwrite: true);
        File.WriteAllText(
            Path.Combine(root, "config", "deploy.json"),
            "{\n  \"allowedProjects\": [\"acme-staging\"],\n  \"environments\": {\n    \"staging\": " + environment + "\n  }\n}\n");
        return new ConfigLoader(root).Load<DeployConfig>("deploy");
    }

    private const string Staging = "{ \"project\": \"acme-staging\", \"region\": \"europe-west1\", \"repository\": \"apps\", \"service\": \"api\", \"strategy\": \"canary\", \"memory\": \"512Mi\", \"cpuBoost\": true, \"secrets\": { \"DB\": { \"secret\": \"db\", \"version\": \"3\" } }";

    [Test]
    public void A_services_entry_overrides_any_setting_of_its_environment_and_inherits_the_rest()
    {
        var config = LoadDeploy(Staging + ", \"services\": [{ \"name\": \"migrate\", \"kind\": \"job\", \"memory\": \"1Gi\", \"cpuBoost\": false, \"tasks\": 2 }, { \"name\": \"api\" }] }");
        var staging = config.Environment("staging");

        var job = staging.For(staging.Services[0]);
        Assert.That((job.Service, job.Memory, job.CpuBoost, job.Strategy, job.Project, job.ImageName), Is.EqualTo(("migrate", "1Gi", (bool?)false, DeployStrategyKind.Canary, "acme-staging", "api")));
        Assert.That(job.Secrets["DB"], Is.EqualTo(new SecretReference("db", "3")));
        Assert.That(job.Services, Is.Empty);
        Assert.That(staging.Services[0].Tasks, Is.EqualTo(2));
        var api = staging.For(staging.Services[1]);
        Assert.That((api.Service, api.Memory, api.CpuBoost, api.Strategy, api.ImageName), Is.EqualTo(("api", "512Mi", (bool?)true, DeployStrategyKind.Canary, "api")));
    }

    [TestCase("\"memroy\": \"1Gi\"", "/environments/staging/services/0/memroy: unknown property 'memroy'. Did you mean 'memory'?")]
    [TestCase("\"tasks\": 0", "/environments/staging/services/0/tasks: 0 is below the minimum 1")]
    [TestCase("\"region\": \"us-east1\"", "/environments/staging/services/0/region: unknown property 'region'.")]
    public void A_services_entry_is_checked_against_the_settings_declared_once(string property, string message)
    {
        var error = Assert.Throws<ConfigurationException>(() => LoadDeploy(Staging + ", \"services\": [{ \"name\": \"worker\", " + property + " }, { \"name\": \"api\" }] }"));

        Assert.That(error!.Message, Does.Contain(message));
    }

    [Test]
    public void A_misspelt_environment_setting_is_refused_with_a_suggestion()
    {
        var error = Assert.Throws<ConfigurationException>(() => LoadDeploy(Staging + ", \"cpuBost\": true }"));

        Assert.That(error!.Message, Does.Contain("/environments/staging/cpuBost: unknown property 'cpuBost'. Did you mean 'cpuBoost'?"));
    }

    [Test]
    public void A_wrong_type_is_refused()
    {
        var error = Assert.Throws<ConfigurationException>(() => Load("{ \"name\": \"x\", \"environments\": { \"dev\": { \"protected\": \"yes\" } } }"));

        Assert.That(error!.Message, Does.Contain("/environments/dev/protected: expected boolean, found the string \"yes\""));
    }

    [Test]
    public void Every_keyword_of_the_schemas_is_checked_maxLength_and_minProperties_included()
    {
        File.Copy(Path.Combine(RepositoryRoot.Path, "config", "schema", "database.schema.json"), Path.Combine(root, "config", "schema", "database.schema.json"));
        File.WriteAllText(Path.Combine(root, "config", "database.json"), "{\n  \"schemas\": [\n    \"" + new string('a', 64) + "\"\n  ],\n  \"environments\": {}\n}");
        var tooLong = Assert.Throws<ConfigurationException>(() => new ConfigLoader(root).Load<DatabaseConfig>("database"));
        var none = Assert.Throws<ConfigurationException>(() => Load("{\n  \"name\": \"x\",\n  \"environments\": {}\n}"));

        Assert.That(tooLong!.Message, Does.StartWith("config/database.json:3:5: /schemas/0: must be at most 63 characters, has 64"));
        Assert.That(none!.Message, Does.StartWith("config/project.json:3:3: /environments: needs at least 1 entry"));
    }

    [Test]
    public void A_duration_too_long_for_a_time_span_is_refused_at_load_with_its_position()
    {
        File.Copy(Path.Combine(RepositoryRoot.Path, "config", "schema", "ops.schema.json"), Path.Combine(root, "config", "schema", "ops.schema.json"));
        File.WriteAllText(Path.Combine(root, "config", "ops.json"), "{\n  \"prune\": {\n    \"imagesOlderThan\": \"99999999999d\"\n  }\n}");

        var error = Assert.Throws<ConfigurationException>(() => new ConfigLoader(root).Load<OpsConfig>("ops"));

        Assert.That(error!.Message, Is.EqualTo("config/ops.json:3:5: /prune/imagesOlderThan: '99999999999d' is longer than the longest duration, 10675199d."));
    }

    [Test]
    public void A_missing_file_says_where_it_was_expected()
    {
        var error = Assert.Throws<ConfigurationException>(() => new ConfigLoader(root).Load<ProjectConfig>("project"));

        Assert.That(error!.Message, Does.StartWith("config/project.json: not found"));
    }

    [Test]
    public void A_valid_file_binds_to_typed_settings()
    {
        var project = Load("{ \"name\": \"shop\", \"defaultEnvironment\": \"dev\", \"environments\": { \"dev\": { \"local\": true }, \"prod\": { \"protected\": true } } }");

        Assert.That(project.Name, Is.EqualTo("shop"));
        Assert.That(project.Environment("prod").Protected, Is.True);
        Assert.That(project.Environment("dev").Local, Is.True);
        var error = Assert.Throws<ConfigurationException>(() => project.Environment("prdo"));
        Assert.That(error!.Message, Does.Contain("Did you mean 'prod'?"));
    }
}
