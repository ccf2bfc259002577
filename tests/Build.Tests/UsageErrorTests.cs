using Build.Tests.Support;

namespace Build.Tests;

/// <summary>
/// Bad input, wherever it is found (the command line, a parameter's value, config/, the compose stack's inputs), ends
/// the real program with exactly one line and exit code 2: no engine banner, no task table, no .NET internals.
/// Runs against a fixture kit of its own.
/// </summary>
[NonParallelizable]
public sealed class UsageErrorTests
{
    private string root = null!;

    [SetUp]
    public void CreateKit()
    {
        root = Directory.CreateTempSubdirectory("kit-usage-").FullName;
        var schemas = Path.Combine(root, "config", "schema");
        Directory.CreateDirectory(schemas);
        foreach (var schema in Directory.GetFiles(Path.Combine(RepositoryRoot.Path, "config", "schema"), "*.schema.json"))
        {
            File.Copy(schema, Path.Combine(schemas, Path.GetFileName(schema)));
        }

        Write("config/project.json", """
            {
              "name": "usage-kit",
              "defaultEnvironment": "dev",
              "environments": {
                "dev": { "local": true },
                "staging": {},
                "production": { "protected": true }
              }
            }
            """);
        Write("config/docker.json", """
            {
              "hostPorts": { "APP_PORT": 8080 },
              "images": {},
              "environments": { "dev": { "files": ["compose.yaml"] } }
            }
            """);
        Write("config/ops.json", """
            {
              "prune": { "imagesOlderThan": "24h" }
            }
            """);
        Write("compose.yaml", "services: {}\n");
    }

    [TearDown]
    public void RemoveKit() => Directory.Delete(root, recursive: true);

    // Issue 9, case 13: a repeated option was resolved to its last value, a second target was dropped.
    [TestCase("--target is given twice ('DevUp', 'Status'): give it once.", "--target=DevUp", "--target=Status")]
    [TestCase("--target is given twice ('DevUp', 'Status'): give it once.", "-t", "DevUp", "--target=Status")]
    [TestCase("--confirm is given twice ('wrong', 'app'): give it once.", "--target=DevDown", "--volumes", "--confirm=wrong", "--confirm=app")]
    [TestCase("Unexpected argument 'DevUp': the target is already 'Status'. Give one target, and parameters as --name=value.", "--target=Status", "DevUp")]
    // Case 14: out-of-range values.
    [TestCase("--older-than must be a duration such as 7d, 12h or 30m, at most 10675199d, not '99999999999d'.", "--target=Prune", "--older-than=99999999999d")]
    [TestCase("--port-offset must be a whole number from 0 to 50000, not '99999999999'.", "--target=Status", "--port-offset=99999999999")]
    [TestCase("--tail must be a whole number from 0 to 1000000, not '99999999999'.", "--target=Logs", "--tail=99999999999")]
    // Case 15: usage errors that used to be found inside the first task, after the engine's banner.
    [TestCase("'bad name!' is not a valid compose project name: use lower-case letters, digits, '-' and '_', starting with a letter or digit (--project-name).", "--target=Status", "--project-name=bad name!")]
    [TestCase("'Bad_Name' is not a valid compose project name: use lower-case letters, digits, '-' and '_', starting with a letter or digit (--project-name).", "--target=Backup", "--project-name=Bad_Name")]
    [TestCase("Unknown environment 'nope'. Give --env one of dev, staging, production (config/project.json).", "--target=Status", "--env=nope")]
    [TestCase("Unknown environment 'stagign'. Did you mean 'staging'? Give --env one of dev, staging, production (config/project.json).", "--target=Migrate", "--env=stagign", "--dryrun")]
    [TestCase("Error: config/docker.json:4:3: environment 'staging' has no entry here, and this run needs a compose stack for it. Add it under \"environments\" (dev has one), or choose another --env.", "--target=Status", "--env=staging")]
    public void Bad_input_is_one_line_and_exit_code_2(string expected, params string[] args)
    {
        var result = ProgramRun.Run(root, args);

        AssertOneUsageLine(result, expected);
    }

    [Test]
    public void A_host_port_variable_that_is_no_port_is_one_line()
    {
        var result = ProgramRun.Run(root, new Dictionary<string, string> { ["APP_PORT"] = "99999999999" }, "--target=Status");

        AssertOneUsageLine(result, "Error: APP_PORT='99999999999' is not a port number from 1 to 65535 (set in the environment, .env or an overlay).");
    }

    [Test]
    public void A_port_offset_past_the_last_port_is_one_line()
    {
        var result = ProgramRun.Run(root, new Dictionary<string, string> { ["APP_PORT"] = "60000" }, "--target=Status", "--port-offset=10000");

        AssertOneUsageLine(result, "APP_PORT 60000 + --port-offset=10000 = 70000 is outside 1-65535: choose a smaller offset.");
    }

    [Test]
    public void Malformed_json_is_one_line_with_file_line_and_column_and_no_parser_internals()
    {
        Write("config/project.json", "{\n  \"name\": \"usage-kit\"\n  \"environments\": { \"dev\": {} }\n}\n");

        var result = ProgramRun.Run(root, "--target=Status");

        AssertOneUsageLine(result, "Error: config/project.json:3:3: malformed JSON: a comma is missing before '\"environments\": { \"dev\":...'.");
        Assert.That(result.All, Does.Not.Contain("LineNumber").And.Not.Contain("BytePosition"));
    }

    [Test]
    public void A_config_error_in_a_file_the_target_reads_late_is_reported_before_the_run()
    {
        Write("config/ops.json", "{\n  \"prune\": {\n    \"imagesOlderThan\": \"99999999999d\"\n  }\n}\n");

        var result = ProgramRun.Run(root, "--target=Prune");

        AssertOneUsageLine(result, "Error: config/ops.json:3:5: /prune/imagesOlderThan: '99999999999d' is longer than the longest duration, 10675199d.");
    }

    [Test]
    public void A_schema_violation_is_one_line_with_file_line_and_column()
    {
        Write("config/docker.json", "{\n  \"hostPorts\": { \"APP_PORT\": 70000 },\n  \"images\": {},\n  \"environments\": { \"dev\": { \"files\": [\"compose.yaml\"] } }\n}\n");

        var result = ProgramRun.Run(root, "--target=Status");

        AssertOneUsageLine(result, "Error: config/docker.json:2:18: /hostPorts/APP_PORT: 70000 is above the maximum 65535");
    }

    [Test]
    public void The_task_list_shows_whatever_the_configuration_holds()
    {
        Write("config/docker.json", "{ not json");

        var result = ProgramRun.Run(root);

        Assert.That(result.ExitCode, Is.Zero, result.ToString());
        Assert.That(result.Output, Does.Contain("Tasks (run one with"));
    }

    private static void AssertOneUsageLine(ScriptRun.Result result, string expected)
    {
        Assert.Multiple(() =>
        {
            Assert.That(result.ExitCode, Is.EqualTo(2), result.ToString());
            Assert.That(result.Lines, Is.EqualTo(new[] { expected }), result.ToString());
        });
    }

    private void Write(string relative, string text)
    {
        var path = Path.Combine(root, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
    }
}
