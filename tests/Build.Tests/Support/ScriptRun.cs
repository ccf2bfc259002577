using System.Diagnostics;

namespace Build.Tests.Support;

/// <summary>
/// A script or program run as a user runs it: its own process from another folder, output and error kept apart, with
/// none of the caller's kit settings (KIT_*) and no colour. PowerShell is the real pwsh: <see cref="Pwsh"/>.
/// </summary>
public static class ScriptRun
{
    public sealed record Result(int ExitCode, string Output, string Error)
    {
        public string All => Output + Error;

        /// <summary>Everything printed, output and error, as lines (without a trailing empty one).</summary>
        public IReadOnlyList<string> Lines => All.TrimEnd('\n', '\r').Split('\n').Select(l => l.TrimEnd('\r')).ToArray();

        public override string ToString() => $"exit code {ExitCode}\n{All}";
    }

    /// <summary>pwsh: on PATH, else where scripts/ci/install-pwsh.sh puts it. Missing fails in CI, else the test is ignored.</summary>
    public static string Pwsh { get; } = FindPwsh() ?? string.Empty;

    public static void RequirePwsh()
    {
        if (Pwsh.Length > 0)
        {
            return;
        }

        // CI installs it (scripts/ci/install-pwsh.sh): there a missing pwsh is a failure, never a skipped test.
        if (string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase))
        {
            Assert.Fail("pwsh is not installed: bash scripts/ci/install-pwsh.sh installs it (a .NET global tool in ~/.dotnet/tools).");
        }

        Assert.Ignore("pwsh is not installed (bash scripts/ci/install-pwsh.sh): build.ps1 and onboard.ps1 are checked where PowerShell is.");
    }

    /// <summary>A PowerShell script with <c>pwsh -NoProfile -NonInteractive -File</c>.</summary>
    public static Result PowerShell(string script, string workingDirectory, IReadOnlyDictionary<string, string?>? environment, params string[] args) =>
        Run(Pwsh, workingDirectory, environment, ["-NoProfile", "-NonInteractive", "-File", script, .. args]);

    public static Result Run(string program, string workingDirectory, IReadOnlyDictionary<string, string?>? environment, params string[] args) =>
        Run(program, workingDirectory, environment, TimeSpan.FromMinutes(10), args);

    /// <summary>As above, stopped (and the test failed) after <paramref name="limit"/>. A null value removes that variable.</summary>
    public static Result Run(string program, string workingDirectory, IReadOnlyDictionary<string, string?>? environment, TimeSpan limit, params string[] args)
    {
        var start = new ProcessStartInfo(program)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
        };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        foreach (var name in start.Environment.Keys.Where(k => k.StartsWith("KIT_", StringComparison.Ordinal)).ToArray())
        {
            start.Environment.Remove(name);
        }

        start.Environment["NO_COLOR"] = "1";
        foreach (var (name, value) in environment ?? new Dictionary<string, string?>())
        {
            if (value is null)
            {
                start.Environment.Remove(name);
            }
            else
            {
                start.Environment[name] = value;
            }
        }

        using var process = Process.Start(start)!;
        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(limit))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"{program} {string.Join(' ', args)} did not end within {limit.TotalMinutes:0} minutes");
        }

        return new Result(process.ExitCode, output.Result, error.Result);
    }

    private static string? FindPwsh()
    {
        var name = OperatingSystem.IsWindows() ? "pwsh.exe" : "pwsh";
        var folders = (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Append(Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".dotnet", "tools"));
        return folders.Select(folder => Path.Combine(folder, name)).FirstOrDefault(File.Exists);
    }
}
