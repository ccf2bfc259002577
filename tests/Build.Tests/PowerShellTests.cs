using System.Security.Cryptography;
using System.Text.RegularExpressions;
using Build.Tests.Support;

namespace Build.Tests;

/// <summary>
/// The Windows entry points under real PowerShell (pwsh), on a copy of this checkout built once by build.sh and then
/// moved between a folder whose path has spaces and one under a folder named <c>bin</c> with <c>[1]</c> in its name:
/// build.ps1 answers the bootstrapper parity set exactly as build.sh does (naming itself where the program names
/// its bootstrapper), both bootstrappers share one stamp so alternating them rebuilds nothing, and onboard.ps1 has
/// help and, on a machine whose Docker engine does not answer, stops after Doctor with the fix, having written .env
/// once; a second run changes nothing.
/// </summary>
[Category("Bootstrapper")]
[NonParallelizable]
public sealed partial class PowerShellTests
{
    // The bootstrapper parity set of issue 14.
    private static readonly (string[] Args, int ExitCode)[] ParitySet =
    [
        ([], 0),
        (["--target=Nope"], 2),
        (["--target=Deploy", "--env=staging", "--dryrun"], 0),
        (["--help"], 0),
        (["--tree"], 0),
    ];

    private string parent = null!;
    private string checkout = null!;
    private string spaces = null!;
    private string brackets = null!;
    private string elsewhere = null!;

    [OneTimeSetUp]
    public void CopyAndBuildTheCheckout()
    {
        if (OperatingSystem.IsWindows())
        {
            // The comparison needs build.sh; the Windows CI job runs build.ps1 itself (listing, dry runs, unit tests).
            Assert.Ignore("build.ps1 is compared with build.sh where both run (Linux, macOS).");
        }

        ScriptRun.RequirePwsh();
        parent = Directory.CreateTempSubdirectory("kit ps ").FullName;
        spaces = Path.Combine(parent, "my checkout");
        // A clone under any folder named bin or obj used to never rebuild (build.ps1 excluded every such path).
        brackets = Path.Combine(parent, "bin", "kit [1] checkout");
        elsewhere = Path.Combine(parent, "elsewhere");
        Directory.CreateDirectory(elsewhere);
        Directory.CreateDirectory(Path.GetDirectoryName(brackets)!);
        checkout = spaces;
        CopyCheckout(RepositoryRoot.Path, checkout);
        BuildIntermediates.CopyInto(checkout);

        var built = Bash("--target=Default");
        Assert.That(built.ExitCode, Is.Zero, built.ToString());
        Assert.That(built.Error, Does.Contain("build.sh: inputs changed: rebuilding"), built.ToString());
    }

    [OneTimeTearDown]
    public void Remove()
    {
        if (parent is not null && Directory.Exists(parent))
        {
            Directory.Delete(parent, recursive: true);
        }
    }

    [Test]
    public void Build_ps1_answers_the_parity_set_as_build_sh_does_from_another_folder_in_paths_with_spaces_and_brackets()
    {
        foreach (var location in new[] { spaces, brackets })
        {
            MoveTo(location);
            foreach (var (args, exitCode) in ParitySet)
            {
                var shell = Bash(args);
                var power = PowerShell(args);
                var what = $"{string.Join(' ', args)} in '{location}'";

                Assert.That(shell.ExitCode, Is.EqualTo(exitCode), $"{what}: {shell}");
                Assert.That(power.Error, Does.Not.Contain("rebuilding"), $"{what}: the stamp build.sh wrote must do for build.ps1\n{power}");
                Assert.That(power.ExitCode, Is.EqualTo(shell.ExitCode), $"{what}\nbuild.sh: {shell}\nbuild.ps1: {power}");
                Assert.That(Comparable(power.Output), Is.EqualTo(Comparable(shell.Output)), $"{what}: standard output");
                Assert.That(Comparable(power.Error), Is.EqualTo(Comparable(shell.Error)), $"{what}: standard error");
                Assert.That(shell.All, Does.Not.Contain("build.ps1"), $"{what}: build.sh's program names build.sh");
            }
        }

        // The program names the bootstrapper that started it.
        Assert.That(PowerShell().Output, Does.Contain("(run one with ./build.ps1 --target=<Task>)"));
        Assert.That(PowerShell("--help").Output, Does.StartWith("Usage: ./build.ps1 "));
    }

    [Test]
    public void Alternating_build_sh_and_build_ps1_rebuilds_nothing_and_an_edit_is_never_served_stale()
    {
        MoveTo(brackets);
        var stamp = Path.Combine(checkout, ".build", "bootstrap.stamp");
        var program = Path.Combine(checkout, ".build", "bin", "Build");
        Assert.That(Bash("--target=Default").Error, Does.Contain("build.sh: build program up to date"));
        var built = File.GetLastWriteTimeUtc(program);

        var power = PowerShell("--target=Default");
        Assert.That(power.Error, Does.Contain("build.ps1: build program up to date").And.Not.Contain("rebuilding"), power.ToString());

        // An edit (under a folder named bin, with brackets in the path) and an empty stamp: build.ps1 rebuilds, and
        // build.sh then takes the stamp build.ps1 wrote as its own.
        var task = Path.Combine(checkout, "build", "Tasks", "Core", "DefaultTask.cs");
        File.WriteAllText(task, File.ReadAllText(task).Replace("Tasks (run one with", "Edited tasks (run one with", StringComparison.Ordinal));
        File.WriteAllText(stamp, string.Empty);
        var edited = PowerShell("--target=Default");
        Assert.That(edited.ExitCode, Is.Zero, edited.ToString());
        Assert.That(edited.Error, Does.Contain("build.ps1: inputs changed: rebuilding"), edited.ToString());
        Assert.That(edited.Output, Does.Contain("Edited tasks (run one with ./build.ps1"), "an edited task file must never be served stale");
        Assert.That(File.ReadAllText(stamp), Does.Match("^[0-9a-f]{64}\n$"), "the canonical stamp: lower-case SHA-256 hex and a newline");
        var rebuilt = File.GetLastWriteTimeUtc(program);
        Assert.That(rebuilt, Is.GreaterThan(built));

        var stampAfterPowerShell = File.ReadAllText(stamp);
        foreach (var run in new Func<ScriptRun.Result>[] { () => Bash("--target=Default"), () => PowerShell("--target=Default"), () => Bash("--target=Default") })
        {
            var result = run();
            Assert.That(result.ExitCode, Is.Zero, result.ToString());
            Assert.That(result.Error, Does.Contain("build program up to date").And.Not.Contain("rebuilding"), result.ToString());
            Assert.That(result.Output, Does.Contain("Edited tasks (run one with"));
        }

        Assert.That(File.ReadAllText(stamp), Is.EqualTo(stampAfterPowerShell), "build.sh and build.ps1 write the same stamp");
        Assert.That(File.GetLastWriteTimeUtc(program), Is.EqualTo(rebuilt), "alternating the bootstrappers rebuilt the program");

        // A build that fails: the compiler's log and one line, exit 1, no PowerShell error record; the stamp stays.
        var broken = Path.Combine(checkout, "build", "Broken.cs");
        File.WriteAllText(broken, "this is not C#");
        try
        {
            var failed = PowerShell("--target=Default");
            Assert.That(failed.ExitCode, Is.EqualTo(1), failed.ToString());
            Assert.That(failed.Error, Does.Contain("Broken.cs").And.Contain("build.ps1: the build program did not compile (log: "), failed.ToString());
            Assert.That(failed.All, Does.Not.Contain("Exception").And.Not.Contain("Line |"), failed.ToString());
            Assert.That(File.ReadAllText(stamp), Is.EqualTo(stampAfterPowerShell));
        }
        finally
        {
            File.Delete(broken);
        }

        Assert.That(Bash("--target=Default").Error, Does.Contain("up to date"), "back to the last good inputs: the last good program runs");
    }

    [Test]
    public void Build_ps1_hands_back_exit_codes_under_a_profile_that_throws_on_native_failures_and_through_a_symlink()
    {
        MoveTo(spaces);
        // What a user's profile may set: without build.ps1's own setting, exit 2 became an exception (exit 1).
        var profile = ScriptRun.Run(
            ScriptRun.Pwsh, elsewhere, null, "-NoProfile", "-NonInteractive", "-Command",
            $"$PSNativeCommandUseErrorActionPreference = $true; $ErrorActionPreference = 'Stop'; & {Quoted(Path.Combine(checkout, "build.ps1"))} --target=Nope; exit $LASTEXITCODE");
        Assert.That(profile.ExitCode, Is.EqualTo(2), profile.ToString());
        Assert.That(profile.Error.Trim(), Is.EqualTo("Unknown target 'Nope'. Run without --target to list the tasks."), profile.ToString());

        var links = Path.Combine(parent, "links");
        Directory.CreateDirectory(links);
        var link = Path.Combine(links, "kit.ps1");
        File.Delete(link);
        File.CreateSymbolicLink(link, Path.Combine(checkout, "build.ps1"));
        var linked = ScriptRun.PowerShell(link, elsewhere, Verbose, "--target=Default");
        Assert.That(linked.ExitCode, Is.Zero, linked.ToString());
        Assert.That(linked.Error, Does.Contain("build program up to date"), linked.ToString());
        Assert.That(linked.Output, Does.Contain("(run one with ./build.ps1 --target=<Task>)"));
    }

    [Test]
    public void Onboard_ps1_has_help_and_refuses_what_it_does_not_know()
    {
        var onboard = Path.Combine(checkout, "scripts", "onboard.ps1");
        foreach (var spelling in new[] { "-Help", "--help", "-h" })
        {
            var help = ScriptRun.PowerShell(onboard, elsewhere, null, spelling);
            Assert.That(help.ExitCode, Is.Zero, $"{spelling}: {help}");
            Assert.That(help.Output, Does.StartWith("scripts/onboard.ps1 [-Yes] [-Help]").And.Contain("5. DevUp"), spelling);
        }

        var syntax = ScriptRun.PowerShell(onboard, elsewhere, null, "-?");
        Assert.That(syntax.ExitCode, Is.Zero, syntax.ToString());
        Assert.That(syntax.Output, Does.Contain("SYNOPSIS").And.Contain("DESCRIPTION").And.Contain("1. Doctor"), "-? shows the help, not only the syntax");

        var unknown = ScriptRun.PowerShell(onboard, elsewhere, null, "--frobnicate");
        Assert.That(unknown.ExitCode, Is.EqualTo(2), unknown.ToString());
        Assert.That(unknown.Output, Is.Empty);
        Assert.That(unknown.Error.TrimEnd().Split('\n'), Has.Length.EqualTo(1), unknown.ToString());
        Assert.That(unknown.Error, Does.Contain("unknown argument '--frobnicate'").And.Contain("-Help"));
    }

    [Test]
    public void Onboard_ps1_without_a_docker_engine_shows_doctor_writes_env_once_and_stops_with_the_fix_and_a_second_run_changes_nothing()
    {
        MoveTo(brackets);
        var env = Path.Combine(checkout, ".env");
        File.Delete(env);
        var environment = new Dictionary<string, string?>
        {
            ["DOCKER_HOST"] = "unix:///nonexistent.sock",
            ["KIT_PROJECT_NAME"] = "hps-onboard",
            ["KIT_PORT_OFFSET"] = "33500",
            ["POSTGRES_PASSWORD"] = null,
        };

        var first = Onboard(environment);
        Assert.That(first.ExitCode, Is.EqualTo(1), first.ToString());
        Assert.That(first.Output, Does.Contain("FAIL  Docker engine").And.Contain("fix: ").And.Contain("Doctor: "), "the Doctor table with its fixes");
        Assert.That(first.Output, Does.Contain("onboard: 3/5 .env"));
        Assert.That(WroteEnvFile().Matches(first.Output), Has.Count.EqualTo(1), first.ToString());
        Assert.That(first.Error, Does.Contain("onboard: error: Doctor still finds what blocks DevUp"), first.ToString());
        Assert.That(first.Output, Does.Not.Contain("4/5"), "it stops before the base images");
        Assert.That(first.Output, Does.EndWith($"location: {elsewhere}\n"), "the caller's session keeps its location");
        Assert.That(File.ReadAllText(env), Does.Match("(?m)^POSTGRES_PASSWORD=[0-9a-f]{32}$"));
        var before = Snapshot(checkout);

        var second = Onboard(environment);
        Assert.That(second.ExitCode, Is.EqualTo(1), second.ToString());
        Assert.That(second.Output, Does.Contain("Skipped: .env exists").And.Contain("FAIL  Docker engine"), second.ToString());
        Assert.That(WroteEnvFile().Matches(second.Output), Is.Empty);
        Assert.That(second.Error, Does.Contain("onboard: error: Doctor still finds what blocks DevUp"), second.ToString());
        Assert.That(Snapshot(checkout), Is.EqualTo(before), "the second run changed files in the checkout");
    }

    [Test]
    public void The_tools_a_run_starts_keep_the_runtime_defaults_the_bootstrappers_changed_for_the_program_alone()
    {
        // An app whose one test suite is a command that writes its environment down.
        var app = Directory.CreateTempSubdirectory("kit-env-app-").FullName;
        try
        {
            Directory.CreateDirectory(Path.Combine(app, "config"));
            File.WriteAllText(Path.Combine(app, "config", "project.json"), """
                {
                  "name": "envcheck",
                  "defaultEnvironment": "dev",
                  "environments": { "dev": { "description": "local", "local": true } },
                  "tests": [ { "name": "env", "command": ["sh", "-c", "env > env.txt && printf '<testsuites><testsuite name=\"e\" tests=\"1\"><testcase name=\"t\"/></testsuite></testsuites>' > r.xml"], "results": "r.xml" } ]
                }
                """);
            string[] Seen() => File.ReadAllLines(Path.Combine(app, "env.txt"));

            var bash = Bash("--target=Test", $"--app={app}");
            Assert.That(bash.ExitCode, Is.Zero, bash.ToString());
            Assert.That(Seen(), Has.None.StartsWith("DOTNET_EnableWriteXorExecute=").And.None.StartsWith("KIT_RUNTIME_DEFAULTS="), "build.sh turned W^X off for the program, not for its tools");

            var powerShell = PowerShell("--target=Test", $"--app={app}");
            Assert.That(powerShell.ExitCode, Is.Zero, powerShell.ToString());
            Assert.That(Seen(), Has.None.StartsWith("DOTNET_EnableWriteXorExecute=").And.None.StartsWith("KIT_RUNTIME_DEFAULTS="), "build.ps1 likewise");

            var own = ScriptRun.Run(Path.Combine(checkout, "build.sh"), elsewhere, new Dictionary<string, string?> { ["DOTNET_EnableWriteXorExecute"] = "0" }, "--target=Test", $"--app={app}");
            Assert.That(own.ExitCode, Is.Zero, own.ToString());
            Assert.That(Seen(), Has.Some.EqualTo("DOTNET_EnableWriteXorExecute=0"), "a value the user set reaches every tool");
        }
        finally
        {
            Directory.Delete(app, recursive: true);
        }
    }

    [GeneratedRegex(@"Wrote \.env from \.env\.example")]
    private static partial Regex WroteEnvFile();

    [GeneratedRegex(@"\d\d:\d\d:\d\d\.\d+")]
    private static partial Regex Duration();

    private static IReadOnlyDictionary<string, string?> Verbose => new Dictionary<string, string?> { ["KIT_BOOTSTRAP_VERBOSE"] = "1" };

    private ScriptRun.Result Bash(params string[] args) => ScriptRun.Run(Path.Combine(checkout, "build.sh"), elsewhere, Verbose, args);

    private ScriptRun.Result PowerShell(params string[] args) => ScriptRun.PowerShell(Path.Combine(checkout, "build.ps1"), elsewhere, Verbose, args);

    /// <summary>onboard.ps1 -Yes from another folder, in a session that reports its location afterwards.</summary>
    private ScriptRun.Result Onboard(IReadOnlyDictionary<string, string?> environment) =>
        ScriptRun.Run(
            ScriptRun.Pwsh, elsewhere, environment, "-NoProfile", "-NonInteractive", "-Command",
            $"& {Quoted(Path.Combine(checkout, "scripts", "onboard.ps1"))} -Yes; $code = $LASTEXITCODE; Write-Output \"location: $((Get-Location).Path)\"; exit $code");

    /// <summary>What may differ between two runs of the same command: the bootstrapper's name and the timings.</summary>
    private static string Comparable(string text) =>
        Duration().Replace(text.Replace("build.ps1", "build.sh", StringComparison.Ordinal), "<duration>");

    private static string Quoted(string path) => "'" + path.Replace("'", "''", StringComparison.Ordinal) + "'";

    /// <summary>The checkout moves as a whole: the stamp holds no absolute path, so the program stays current.</summary>
    private void MoveTo(string location)
    {
        if (checkout != location)
        {
            Directory.Move(checkout, location);
            checkout = location;
        }
    }

    /// <summary>Every file's content hash and write time, by relative path.</summary>
    private static SortedDictionary<string, string> Snapshot(string root)
    {
        var files = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var file in Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories))
        {
            var hash = Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(file)));
            files[Path.GetRelativePath(root, file)] = $"{hash} {File.GetLastWriteTimeUtc(file):O}";
        }

        return files;
    }

    /// <summary>
    /// The files git knows in this checkout (committed or not, never ignored ones; the tests left out), committed in a
    /// repository of their own: a clone as a user has it, with a commit for Deploy's dry run to tag the image with.
    /// </summary>
    private static void CopyCheckout(string source, string target)
    {
        var listing = Git(source, "ls-files", "-z", "--cached", "--others", "--exclude-standard");
        foreach (var relative in listing.Split('\0', StringSplitOptions.RemoveEmptyEntries))
        {
            var from = Path.Combine(source, relative);
            if (!File.Exists(from) || relative.StartsWith("tests/", StringComparison.Ordinal))
            {
                continue;
            }

            var to = Path.Combine(target, relative);
            Directory.CreateDirectory(Path.GetDirectoryName(to)!);
            File.Copy(from, to);
            if (!OperatingSystem.IsWindows())
            {
                // Executable bits (build.sh) come along.
                File.SetUnixFileMode(to, File.GetUnixFileMode(from));
            }
        }

        Git(target, "init", "--quiet");
        Git(target, "add", "--all");
        Git(target, "-c", "user.name=kit tests", "-c", "user.email=tests@kit.invalid", "commit", "--quiet", "--no-verify", "--message=copy");
    }

    private static string Git(string workingDirectory, params string[] args)
    {
        var git = ScriptRun.Run("git", workingDirectory, null, args);
        Assert.That(git.ExitCode, Is.Zero, $"git {string.Join(' ', args)}: {git}");
        return git.Output;
    }
}
