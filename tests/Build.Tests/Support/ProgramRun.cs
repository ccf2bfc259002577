using System.Diagnostics;

namespace Build.Tests.Support;

/// <summary>
/// The build program as ./build.sh runs it: its own process, with its own runtime settings (the published program has
/// no .NET message texts, only resource keys), against a kit root of the test's choosing, from another folder.
/// </summary>
public static class ProgramRun
{
    public sealed record Result(int ExitCode, string Output, string Error)
    {
        public string All => Output + Error;

        /// <summary>Everything printed, output and error, as lines (without a trailing empty one).</summary>
        public IReadOnlyList<string> Lines => All.TrimEnd('\n', '\r').Split('\n').Select(l => l.TrimEnd('\r')).ToArray();

        public override string ToString() => $"exit code {ExitCode}\n{All}";
    }

    public static Result Run(string root, IReadOnlyDictionary<string, string>? environment, params string[] args)
    {
        var program = Path.Combine(AppContext.BaseDirectory, OperatingSystem.IsWindows() ? "Build.exe" : "Build");
        var start = new ProcessStartInfo(program)
        {
            WorkingDirectory = Path.GetTempPath(),
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
        };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        // Nothing of the caller's own kit settings leaks in.
        foreach (var name in start.Environment.Keys.Where(k => k.StartsWith("KIT_", StringComparison.Ordinal)).ToArray())
        {
            start.Environment.Remove(name);
        }

        start.Environment["KIT_ROOT"] = root;
        start.Environment["NO_COLOR"] = "1";
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start)!;
        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(2)))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"the program did not end within 2 minutes: {string.Join(' ', args)}");
        }

        return new Result(process.ExitCode, output.Result, error.Result);
    }

    public static Result Run(string root, params string[] args) => Run(root, null, args);
}
