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

    [Test]
    public void A_run_is_framed_by_its_banners_and_ends_with_the_table_of_its_tasks()
    {
        var result = HostRun.Run("--target=Test", "--dryrun", "--exclusive");
        var lines = result.Output.Replace("\r", string.Empty, StringComparison.Ordinal).Split('\n');

        Assert.That(result.ExitCode, Is.Zero, result.All);
        var rule = new string('-', 80);
        foreach (var lifecycle in new[] { "Setup", "TearDown" })
        {
            var at = Array.IndexOf(lines, " " + lifecycle);
            Assert.That(at, Is.GreaterThan(0), result.Output);
            Assert.That((lines[at - 1], lines[at + 1]), Is.EqualTo((rule, rule)), result.Output);
        }

        Assert.That(lines, Has.Some.Match(@"^  Task {23}Duration {25}Status$"), result.Output);
        Assert.That(lines.Count(l => l == new string('─', 80)), Is.EqualTo(2), result.Output);
        Assert.That(lines, Has.Some.Match(@"^  Setup {22}\d\d:\d\d:\d\d\.\d{7} {17}Succeeded$"), result.Output);
        Assert.That(lines, Has.Some.Match(@"^  Test {23}\d\d:\d\d:\d\d\.\d{7} {17}Succeeded$"), result.Output);
        Assert.That(lines, Has.Some.Match(@"^  Total: {21}\d\d:\d\d:\d\d\.\d{7}$"), result.Output);
    }
}
