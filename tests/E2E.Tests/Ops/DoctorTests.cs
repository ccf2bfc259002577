using E2E.Tests.Support;

namespace E2E.Tests.Ops;

/// <summary>Doctor as a user runs it: on a machine whose engine does not answer, and on this one.</summary>
[TestFixture]
[NonParallelizable]
public sealed class DoctorTests
{
    [Test]
    public void Without_an_engine_Doctor_names_the_problem_and_the_fix_and_exits_non_zero_quickly()
    {
        var result = Kit.Run(new Dictionary<string, string?> { ["DOCKER_HOST"] = "unix:///nonexistent.sock" }, TimeSpan.FromMinutes(5), "--target=Doctor");

        Assert.That(result.ExitCode, Is.Not.Zero, result.ToString());
        var engine = OpsKit.Lines(result).FirstOrDefault(l => l.StartsWith("FAIL  Docker engine", StringComparison.Ordinal));
        Assert.That(engine, Does.Contain("not reachable at DOCKER_HOST=unix:///nonexistent.sock"), result.ToString());
        Assert.That(result.Output, Does.Contain("fix: Start it: sudo systemctl start docker"), result.ToString());
        Assert.That(result.Output, Does.Contain("Blocking DevUp: Docker engine"), result.ToString());
        Assert.That(result.Output, Does.Contain("skip  Disk for images"), result.ToString());
    }

    [Test]
    public void On_this_machine_nothing_blocks_DevUp_and_every_check_is_reported()
    {
        Kit.RequireEngine();
        var offset = (Stack.NextPortOffset() + 31).ToString(System.Globalization.CultureInfo.InvariantCulture);

        var result = Kit.Run(
            new Dictionary<string, string?> { ["KIT_PORT_OFFSET"] = offset, ["KIT_PROJECT_NAME"] = "doctor-" + Guid.NewGuid().ToString("N")[..8] },
            TimeSpan.FromMinutes(5),
            "--target=Doctor");

        Assert.That(result.ExitCode, Is.Zero, result.ToString());
        Assert.That(result.Output, Does.Contain("Nothing blocks DevUp."), result.ToString());
        foreach (var check in new[] { ".NET SDK", "Docker engine", "Compose", "buildx", "Disk for images", ".env", "Host ports", "File watching (inotify)", "git", "gcloud (deploy)", "PostgreSQL client" })
        {
            Assert.That(OpsKit.Lines(result).Any(l => Regex(check).IsMatch(l)), Is.True, $"no line for {check}:\n{result}");
        }
    }

    private static System.Text.RegularExpressions.Regex Regex(string check) =>
        new($@"^(ok|WARN|FAIL|skip)\s+{System.Text.RegularExpressions.Regex.Escape(check)}\s");
}
