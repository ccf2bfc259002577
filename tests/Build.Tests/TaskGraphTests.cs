using Build.Tests.Support;

namespace Build.Tests;

/// <summary>What --target=X runs, and in which order: read from the real host's dry-run plan.</summary>
public sealed class TaskGraphTests
{
    [Test]
    public void Test_runs_the_shell_check_first()
    {
        Assert.That(HostRun.PlannedTasks("Test"), Is.EqualTo(new[] { "ShellCheck", "Test" }));
    }

    [Test]
    public void Exclusive_runs_the_target_alone()
    {
        Assert.That(HostRun.PlannedTasks("Test", "--exclusive"), Is.EqualTo(new[] { "Test" }));
    }

    [Test]
    public void A_dry_run_prints_commands_without_running_them()
    {
        var result = HostRun.Run("--target=Test", "--dryrun", "--exclusive");

        Assert.That(result.ExitCode, Is.Zero, result.All);
        Assert.That(result.Output, Does.Contain("run: dotnet test"));
        Assert.That(result.Output, Does.Not.Match(@"tests: \d+ passed"), "nothing ran, so nothing was counted");
    }
}
