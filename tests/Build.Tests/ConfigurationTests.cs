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

    [Test]
    public void A_wrong_type_is_refused()
    {
        var error = Assert.Throws<ConfigurationException>(() => Load("{ \"name\": \"x\", \"environments\": { \"dev\": { \"protected\": \"yes\" } } }"));

        Assert.That(error!.Message, Does.Contain("/environments/dev/protected: expected boolean, found the string \"yes\""));
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
