using Build.Configuration;
using Build.Host;

namespace Build.Tests.Support;

/// <summary>Runs the real host in-process, as ./build.sh would, and captures what it prints.</summary>
public static class HostRun
{
    private static readonly Lock ConsoleGate = new();

    public sealed record Result(int ExitCode, string Output, string Error)
    {
        public string All => Output + Error;
    }

    public static Result Run(params string[] args) => RunIn(null, args);

    /// <summary>Runs with <paramref name="appRoot"/> as the kit's root (as the bootstrapper's KIT_ROOT would), e.g. a <see cref="FixtureApp"/>.</summary>
    public static Result RunIn(string? appRoot, params string[] args) => RunWith(appRoot, null, args);

    /// <summary>
    /// As <see cref="RunIn"/>, with <paramref name="environment"/> set for the run: the test's own KIT_* choices (e.g.
    /// KIT_DEPLOY_APPROVED), applied after the caller's are left out.
    /// </summary>
    public static Result RunWith(string? appRoot, IReadOnlyDictionary<string, string?>? environment, params string[] args)
    {
        lock (ConsoleGate)
        {
            var output = new StringWriter();
            var error = new StringWriter();
            var (originalOut, originalError) = (Console.Out, Console.Error);
            var previousNoColor = Environment.GetEnvironmentVariable("NO_COLOR");
            var previousRoot = Environment.GetEnvironmentVariable("KIT_ROOT");
            // The caller's own choices (KIT_APP, KIT_ENV, KIT_CONNECTION ... in a developer's shell) are not the test's:
            // left out for the run, as ScriptRun leaves them out of a child process, and put back after.
            var callers = Environment.GetEnvironmentVariables().Keys.OfType<string>()
                .Where(name => name.StartsWith("KIT_", StringComparison.Ordinal) && name != "KIT_ROOT")
                .Concat(environment?.Keys ?? [])
                .Distinct(StringComparer.Ordinal)
                .ToDictionary(name => name, Environment.GetEnvironmentVariable, StringComparer.Ordinal);
            foreach (var name in callers.Keys)
            {
                Environment.SetEnvironmentVariable(name, null);
            }

            foreach (var (name, value) in environment ?? new Dictionary<string, string?>())
            {
                Environment.SetEnvironmentVariable(name, value);
            }

            Console.SetOut(output);
            Console.SetError(error);
            Environment.SetEnvironmentVariable("NO_COLOR", "1");
            if (appRoot is not null)
            {
                Environment.SetEnvironmentVariable("KIT_ROOT", appRoot);
            }

            try
            {
                var exitCode = Build.KitHost.Create().Run(args);
                return new Result(exitCode, output.ToString(), error.ToString());
            }
            finally
            {
                Console.SetOut(originalOut);
                Console.SetError(originalError);
                Environment.SetEnvironmentVariable("NO_COLOR", previousNoColor);
                Environment.SetEnvironmentVariable("KIT_ROOT", previousRoot);
                foreach (var (name, value) in callers)
                {
                    Environment.SetEnvironmentVariable(name, value);
                }
            }
        }
    }

    /// <summary>The task names a dry run lists, in order ("1. Name: ...").</summary>
    public static IReadOnlyList<string> PlannedTasks(string target, params string[] extra)
    {
        var result = Run([$"--target={target}", "--dryrun", .. extra]);
        Assert.That(result.ExitCode, Is.Zero, result.All);
        return result.Output.Split('\n')
            .Select(l => System.Text.RegularExpressions.Regex.Match(l, @"^\d+\. (\w+):"))
            .Where(m => m.Success)
            .Select(m => m.Groups[1].Value)
            .ToArray();
    }
}
