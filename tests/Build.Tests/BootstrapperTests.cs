using System.Diagnostics;
using Build.Tests.Support;

namespace Build.Tests;

/// <summary>
/// The real build.sh, on a copy of the build program in a folder whose path has a space, run from another folder:
/// an edit is never served stale, an unchanged tree is not rebuilt, arguments and exit codes pass through. build.ps1
/// beside it: <see cref="PowerShellTests"/>.
/// </summary>
[Category("Bootstrapper")]
[NonParallelizable]
public sealed class BootstrapperTests
{
    private string root = null!;

    [OneTimeSetUp]
    public void CopyTheBuildProgram()
    {
        if (OperatingSystem.IsWindows())
        {
            Assert.Ignore("build.sh is the Linux and macOS bootstrapper.");
        }

        root = Path.Combine(Directory.CreateTempSubdirectory("kit boot ").FullName, "my checkout");
        Directory.CreateDirectory(root);
        foreach (var file in new[] { "build.sh", "global.json", "Directory.Build.props" })
        {
            File.Copy(Path.Combine(RepositoryRoot.Path, file), Path.Combine(root, file));
        }

        CopyDirectory(Path.Combine(RepositoryRoot.Path, "build"), Path.Combine(root, "build"));
        CopyDirectory(Path.Combine(RepositoryRoot.Path, "config"), Path.Combine(root, "config"));
        BuildIntermediates.CopyInto(root);
    }

    [OneTimeTearDown]
    public void Remove()
    {
        if (root is not null)
        {
            Directory.Delete(Path.GetDirectoryName(root)!, recursive: true);
        }
    }

    [Test]
    public void Rebuilds_exactly_when_the_inputs_change_and_passes_arguments_and_exit_codes_through()
    {
        // One scenario in order: each step depends on the state the previous one left.
        var cold = Run("--target=Default");
        Assert.That(cold.ExitCode, Is.Zero, cold.Output);
        Assert.That(cold.Output, Does.Contain("inputs changed: rebuilding").And.Contain("Tasks (run one with"));

        var warm = Run("--target=Default");
        Assert.That(warm.Output, Does.Contain("build program up to date").And.Not.Contain("rebuilding"));

        // Issue 9, case 12: `ln -s <checkout>/build.sh ~/bin/kit` used to look for the checkout in ~/bin.
        var links = Directory.CreateTempSubdirectory("kit links ").FullName;
        try
        {
            Directory.CreateDirectory(Path.Combine(links, "bin"));
            File.CreateSymbolicLink(Path.Combine(links, "bin", "kit"), Path.Combine(root, "build.sh"));
            File.CreateSymbolicLink(Path.Combine(links, "kit-again"), Path.Combine("bin", "kit"));
            foreach (var link in new[] { Path.Combine(links, "bin", "kit"), Path.Combine(links, "kit-again") })
            {
                var linked = RunScript(link, "--target=Default");
                Assert.That(linked.ExitCode, Is.Zero, linked.Output);
                Assert.That(linked.Output, Does.Contain("build program up to date").And.Contain("Tasks (run one with"), $"through {link}");
            }
        }
        finally
        {
            Directory.Delete(links, recursive: true);
        }

        var task = Path.Combine(root, "build", "Tasks", "Core", "DefaultTask.cs");
        File.WriteAllText(task, File.ReadAllText(task).Replace("Tasks (run one with", "Edited tasks (run one with", StringComparison.Ordinal));
        var edited = Run("--target=Default");
        Assert.That(edited.Output, Does.Contain("rebuilding").And.Contain("Edited tasks (run one with"), "an edited task file must never be served stale");

        // The fast check reads status change times: a touch without an edit hashes and finds nothing to rebuild...
        File.SetLastWriteTimeUtc(task, DateTime.UtcNow);
        var touched = Run("--target=Default");
        Assert.That(touched.Output, Does.Contain("up to date (inputs touched, contents unchanged)").And.Not.Contain("rebuilding"), touched.Output);
        Assert.That(Run("--target=Default").Output, Does.Contain("build program up to date").And.Not.Contain("touched"), "the stamp's time moved forward");

        // ...and an edit whose modification time is set back (cp -p, tar, rsync -t of an older file) is still an edit.
        File.WriteAllText(task, File.ReadAllText(task).Replace("Edited tasks (run one with", "Older tasks (run one with", StringComparison.Ordinal));
        File.SetLastWriteTimeUtc(task, new DateTime(2001, 1, 1, 0, 0, 0, DateTimeKind.Utc));
        var older = Run("--target=Default");
        Assert.That(older.Output, Does.Contain("rebuilding").And.Contain("Older tasks (run one with"), "an edit with an old modification time must never be served stale");

        // A removed input changes its folder's status: never served stale either.
        var extra = Path.Combine(root, "build", "Extra.cs");
        File.WriteAllText(extra, "namespace Build; internal static class Extra { }");
        Assert.That(Run("--target=Default").Output, Does.Contain("rebuilding"));
        File.Delete(extra);
        Assert.That(Run("--target=Default").Output, Does.Contain("rebuilding"), "a removed input is a change");

        var usage = Run("--target=Nope");
        Assert.That(usage.ExitCode, Is.EqualTo(2));
        Assert.That(usage.Output, Does.Contain("Unknown target 'Nope'."));

        var broken = Path.Combine(root, "build", "Broken.cs");
        File.WriteAllText(broken, "this is not C#");
        var failed = Run("--target=Default");
        Assert.That(failed.ExitCode, Is.EqualTo(1));
        Assert.That(failed.Output, Does.Contain("did not compile").And.Contain("Broken.cs"));

        Assert.That(Run("--target=Default").ExitCode, Is.EqualTo(1), "a failed build must not update the stamp: the next run tries again");

        File.Delete(broken);
        var restored = Run("--target=Default");
        Assert.That(restored.Output, Does.Contain("up to date").And.Contain("Older tasks (run one with"), "back to the last good inputs: the last good program runs");
    }

    private (int ExitCode, string Output) Run(params string[] args) => RunScript(Path.Combine(root, "build.sh"), args);

    private static (int ExitCode, string Output) RunScript(string script, params string[] args)
    {
        var start = new ProcessStartInfo(script)
        {
            WorkingDirectory = Path.GetTempPath(),
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["KIT_BOOTSTRAP_VERBOSE"] = "1";
        start.Environment["NO_COLOR"] = "1";
        start.Environment.Remove("KIT_ROOT");
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        return (process.ExitCode, output.Result + error.Result);
    }

    private static void CopyDirectory(string source, string target)
    {
        foreach (var directory in Directory.GetDirectories(source, "*", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(source, directory);
            if (relative.Split(Path.DirectorySeparatorChar).Any(p => p is "bin" or "obj"))
            {
                continue;
            }

            Directory.CreateDirectory(Path.Combine(target, relative));
        }

        foreach (var file in Directory.GetFiles(source, "*", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(source, file);
            if (relative.Split(Path.DirectorySeparatorChar).Any(p => p is "bin" or "obj"))
            {
                continue;
            }

            Directory.CreateDirectory(Path.GetDirectoryName(Path.Combine(target, relative))!);
            File.Copy(file, Path.Combine(target, relative));
        }
    }
}
