using E2E.Tests.Support;

namespace E2E.Tests;

/// <summary>
/// The kit with a docker CLI but no engine answering (<c>DOCKER_HOST</c> pointing nowhere) and no database: a dry run
/// still prints the whole plan, and the tasks that need the engine say so in the one line Doctor and DevUp give. From
/// a scratch root without .env, so a dry run's .env (which it must not write) would show.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class NoEngineTests
{
    private const string Nowhere = "unix:///nonexistent.sock";
    private string root = string.Empty;

    [OneTimeSetUp]
    public void DockerClientAndScratchRoot()
    {
        var compose = Kit.Process("docker", Kit.Root, null, TimeSpan.FromMinutes(1), "compose", "version");
        if (compose.ExitCode != 0)
        {
            var reason = "no docker CLI with Compose v2 here: " + compose.Output.Trim();
            if (Kit.IsCi)
            {
                Assert.Fail(reason);
            }

            Assert.Ignore(reason);
        }

        root = Kit.ScratchRoot("kit-noengine-", withOverlay: false);
    }

    [OneTimeTearDown]
    public void RemoveRoot()
    {
        if (Directory.Exists(root))
        {
            Directory.Delete(root, recursive: true);
        }
    }

    private Kit.Result Run(string? password, params string[] arguments)
    {
        // A port offset no stack uses: the dry run's database probe finds nothing listening.
        var offset = Stack.NextPortOffset().ToString(System.Globalization.CultureInfo.InvariantCulture);
        var result = Kit.RunInRoot(
            root,
            new Dictionary<string, string?> { ["DOCKER_HOST"] = Nowhere, ["POSTGRES_PASSWORD"] = password },
            TimeSpan.FromMinutes(3),
            [.. arguments, "--project-name=noengine", $"--port-offset={offset}"]);
        TestContext.Out.WriteLine(result.ToString());
        return result;
    }

    [Test]
    public void DevUp_dry_run_prints_the_whole_plan_without_engine_database_or_env()
    {
        var result = Run(null, "--target=DevUp", "--dryrun");

        Assert.That(result.ExitCode, Is.Zero, result.ToString());
        Assert.That(result.Output, Does.Contain("No .env: would write it from .env.example, generating POSTGRES_PASSWORD"));
        Assert.That(result.Output, Does.Contain("check: Docker engine answers;"));
        Assert.That(result.Output, Does.Contain("run: docker compose -p noengine -f compose/compose.yaml -f compose/compose.dev.yaml up --detach"));
        Assert.That(result.Output, Does.Contain("Would apply <pending migrations, read at run time>"));
        Assert.That(result.Output, Does.Contain("wait: api, cache, db healthy"));
        Assert.That(result.Output, Does.Not.Contain("Error"), result.ToString());
        Assert.That(File.Exists(Path.Combine(root, ".env")), Is.False, "a dry run wrote .env");
    }

    [TestCase("Migrate", "Would apply <pending migrations, read at run time>", "dry-run-password")]
    [TestCase("DbReset", "Reset app@127.0.0.1:", "dry-run-password")]
    // A fresh clone: no .env, so no password either; a dry run plans without one.
    [TestCase("Migrate", "Would apply <pending migrations, read at run time>", null)]
    [TestCase("DbReset", "Reset app@127.0.0.1:", null)]
    [TestCase("Seed", "Would seed profile", null)]
    [TestCase("Backup", "back up app@127.0.0.1:", null)]
    public void Database_dry_runs_need_no_database(string target, string plan, string? password)
    {
        var result = Run(password, $"--target={target}", "--dryrun");

        Assert.That(result.ExitCode, Is.Zero, result.ToString());
        Assert.That(result.Output, Does.Contain(plan), result.ToString());
    }

    [TestCase("Status")]
    [TestCase("Prune")]
    [TestCase("Logs")]
    [TestCase("DevDown")]
    public void Without_an_engine_the_task_gives_the_same_one_line_fix_as_DevUp_and_Doctor(string target)
    {
        var result = Run("any-password", $"--target={target}");

        Assert.That(result.ExitCode, Is.EqualTo(1), result.ToString());
        var errors = result.Output.Split('\n').Where(l => l.StartsWith("Error", StringComparison.Ordinal)).ToArray();
        Assert.That(errors, Has.Length.EqualTo(1), result.ToString());
        Assert.That(errors[0], Does.StartWith($"Error: The Docker engine is not reachable at DOCKER_HOST={Nowhere} (Cannot connect to the Docker daemon"));
        Assert.That(errors[0], Does.Contain("Start it: sudo systemctl start docker").And.Contain($"Or unset DOCKER_HOST if {Nowhere}"));
        Assert.That(result.Output.Split('\n').Count(l => l.Contains("Cannot connect", StringComparison.Ordinal)), Is.EqualTo(1), "the raw daemon error printed besides");
    }
}
