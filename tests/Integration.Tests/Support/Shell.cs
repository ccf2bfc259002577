using System.Diagnostics;

namespace Integration.Tests.Support;

/// <summary>Starts the few processes the fixture itself needs (initdb, pg_ctl, mount), optionally as another user.</summary>
public static class Shell
{
    public sealed record Result(int ExitCode, string Output, string Error)
    {
        public string All => Output + Error;
    }

    public static Result Run(string executable, IEnumerable<string> arguments, string? asUser = null, TimeSpan? timeout = null, bool check = true)
    {
        var startInfo = new ProcessStartInfo(asUser is null ? executable : "runuser")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (asUser is not null)
        {
            foreach (var part in new[] { "-u", asUser, "--", executable })
            {
                startInfo.ArgumentList.Add(part);
            }
        }

        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        using var process = Process.Start(startInfo)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeout ?? TimeSpan.FromMinutes(2)))
        {
            process.Kill(entireProcessTree: true);
            throw new InvalidOperationException($"{executable} did not finish in time.");
        }

        var result = new Result(process.ExitCode, output.Result, error.Result);
        if (check && result.ExitCode != 0)
        {
            throw new InvalidOperationException($"{executable} {string.Join(' ', arguments)} failed with exit code {result.ExitCode}:\n{result.All}");
        }

        return result;
    }

    public static bool IsRoot => Environment.IsPrivilegedProcess;

    public static bool IsCi => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    /// <summary>Outside CI a missing prerequisite skips the test with the reason; in CI it fails it.</summary>
    public static void Unavailable(string reason)
    {
        if (IsCi)
        {
            Assert.Fail($"{reason} (CI=true: a missing prerequisite fails the tests instead of skipping them)");
        }

        Assert.Ignore(reason);
    }
}
