using System.Text.RegularExpressions;
using E2E.Tests.Support;

namespace E2E.Tests.Ops;

/// <summary>
/// scripts/onboard.sh --yes on a fresh clone with no .env: a healthy dev stack; a second run changes nothing (same
/// containers, same start times, same .env) and builds nothing. Its own project name and port offset, removed after.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class OnboardTests
{
    private readonly string project = "onboard-" + Guid.NewGuid().ToString("N")[..8];
    private readonly int portOffset = Stack.NextPortOffset() + 17;
    private string clone = string.Empty;

    private Dictionary<string, string?> Environment => new()
    {
        ["KIT_PROJECT_NAME"] = project,
        ["KIT_PORT_OFFSET"] = portOffset.ToString(System.Globalization.CultureInfo.InvariantCulture),
        // Nothing of the caller's stack settings: the clone's own .env must carry the password.
        ["POSTGRES_PASSWORD"] = null,
        ["CI"] = System.Environment.GetEnvironmentVariable("CI"),
        ["NO_COLOR"] = "1",
        ["HEALTH_INTERVAL"] = Kit.HealthInterval,
    };

    [OneTimeSetUp]
    public void Engine() => Kit.RequireEngine();

    [SetUp]
    public void Clone()
    {
        clone = Path.Combine(Path.GetTempPath(), project);
        var result = Kit.Process("git", Kit.Root, null, TimeSpan.FromMinutes(2), "clone", "--quiet", Kit.Root, clone);
        Assert.That(result.ExitCode, Is.Zero, result.ToString());
        Assert.That(File.Exists(Path.Combine(clone, ".env")), Is.False, "a clone must start without .env");

        // Its bootstrapper still compiles the program (no stamp, as on any clone), without crossgen of the dependencies.
        BuildIntermediates.CopyInto(clone);
    }

    [TearDown]
    public void RemoveStackAndClone()
    {
        if (File.Exists(Path.Combine(clone, "build.sh")))
        {
            var down = Kit.Process(Path.Combine(clone, "build.sh"), clone, Environment, TimeSpan.FromMinutes(3), "--target=DevDown", "--volumes", $"--confirm={project}");
            TestContext.Out.WriteLine(down.ToString());
        }

        using (var leftovers = new StackName(project))
        {
            // Whatever DevDown could not remove goes with plain docker commands.
        }

        if (Directory.Exists(clone))
        {
            Directory.Delete(clone, recursive: true);
        }
    }

    [Test]
    public void Onboard_reaches_a_healthy_stack_from_a_clean_clone_and_a_second_run_changes_nothing()
    {
        var first = Kit.Process("bash", clone, Environment, TimeSpan.FromMinutes(20), "scripts/onboard.sh", "--yes");

        Assert.That(first.ExitCode, Is.Zero, first.ToString());
        Assert.That(first.Output, Does.Contain("All healthy after"), first.ToString());
        Assert.That(first.Output, Does.Contain("ready in"), first.ToString());
        Assert.That(first.Output, Does.Contain($"http://127.0.0.1:{AppConfig.ExamplePort("API_PORT") + portOffset}"), first.ToString());
        var env = File.ReadAllText(Path.Combine(clone, ".env"));
        var password = Regex.Match(env, "(?m)^POSTGRES_PASSWORD=([0-9a-f]{32})$");
        Assert.That(password.Success, Is.True, "POSTGRES_PASSWORD was not generated:\n" + env);
        Assert.That(first.Output, Does.Not.Contain(password.Groups[1].Value), "the generated password was printed");
        var containers = Containers();
        Assert.That(containers, Is.Not.Empty);

        var second = Kit.Process("bash", clone, Environment, TimeSpan.FromMinutes(10), "scripts/onboard.sh", "--yes");

        Assert.That(second.ExitCode, Is.Zero, second.ToString());
        Assert.That(second.Output, Does.Contain("Skipped: .env exists"), second.ToString());
        Assert.That(second.Output, Does.Not.Contain("> docker build"), "the second run built an image:\n" + second);
        Assert.That(second.Output, Does.Contain("up to date: nothing to do"), "a second run on the healthy, unchanged stack takes DevUp's fast path:\n" + second);
        Assert.That(File.ReadAllText(Path.Combine(clone, ".env")), Is.EqualTo(env), "the second run changed .env");
        Assert.That(Containers(), Is.EqualTo(containers), "the second run recreated or restarted containers");
        Assert.That(second.Duration, Is.LessThan(TimeSpan.FromSeconds(120)), second.ToString());
        TestContext.Out.WriteLine($"first run {first.Duration.TotalSeconds:0} s, second run {second.Duration.TotalSeconds:0} s");
    }

    /// <summary>Each container of the stack with its id and start time: equal lists mean nothing was recreated or restarted.</summary>
    private IReadOnlyList<string> Containers()
    {
        var ids = Kit.Docker("ps", "--all", "--quiet", "--no-trunc", "--filter", $"label=com.docker.compose.project={project}").Output
            .Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (ids.Length == 0)
        {
            return [];
        }

        return Kit.Docker(["inspect", "--format", "{{.Name}} {{.Id}} {{.State.StartedAt}}", .. ids]).Output
            .Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Order(StringComparer.Ordinal)
            .ToArray();
    }

    /// <summary>Removes a compose project's containers, volumes and network by label, whatever state it is in.</summary>
    private sealed class StackName(string name) : IDisposable
    {
        public void Dispose()
        {
            var filter = $"label=com.docker.compose.project={name}";
            string[] Ids(params string[] command) =>
                Kit.Docker(command).Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            if (Ids("ps", "--all", "--quiet", "--filter", filter) is { Length: > 0 } containers)
            {
                Kit.Docker(["rm", "--force", .. containers]);
            }

            if (Ids("volume", "ls", "--quiet", "--filter", filter) is { Length: > 0 } volumes)
            {
                Kit.Docker(["volume", "rm", "--force", .. volumes]);
            }

            if (Ids("network", "ls", "--quiet", "--filter", filter) is { Length: > 0 } networks)
            {
                Kit.Docker(["network", "rm", .. networks]);
            }
        }
    }
}
