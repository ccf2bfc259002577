using System.Diagnostics;
using System.Text;

namespace E2E.Tests.Support;

/// <summary>Runs the kit (./build.sh, or its program against another root) and captures its output.</summary>
public static class Kit
{
    public sealed record Result(int ExitCode, string Output, TimeSpan Duration)
    {
        public override string ToString() => $"exit code {ExitCode} after {Duration.TotalSeconds:0.0} s\n{Output}";
    }

    public static string Root { get; } = FindRoot();

    /// <summary>A password for the stacks of this test run (the kit must never print it).</summary>
    public static string DatabasePassword { get; } = "e2e-" + Guid.NewGuid().ToString("N")[..12];

    public static Result Run(IReadOnlyDictionary<string, string?>? environment, TimeSpan timeout, params string[] arguments) =>
        Start(Path.Combine(Root, "build.sh"), Root, environment, timeout, arguments);

    public static Result Run(params string[] arguments) => Run(null, TimeSpan.FromMinutes(5), arguments);

    /// <summary>The built program against another kit root (a copy with its own config/).</summary>
    public static Result RunInRoot(string root, IReadOnlyDictionary<string, string?>? environment, TimeSpan timeout, params string[] arguments)
    {
        var variables = new Dictionary<string, string?>(environment ?? new Dictionary<string, string?>()) { ["KIT_ROOT"] = root };
        return Start(Path.Combine(Root, "build", "bin", "Build"), root, variables, timeout, arguments);
    }

    public static Result Docker(params string[] arguments) => Start("docker", Root, null, TimeSpan.FromMinutes(2), arguments);

    private static Result Start(string executable, string workingDirectory, IReadOnlyDictionary<string, string?>? environment, TimeSpan timeout, string[] arguments)
    {
        var startInfo = new ProcessStartInfo(executable)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        // Nothing of the caller's own kit settings leaks into a test run.
        foreach (var name in new[] { "KIT_ENV", "KIT_PROJECT_NAME", "KIT_PORT_OFFSET", "KIT_COMPOSE", "KIT_CONNECTION" })
        {
            startInfo.Environment.Remove(name);
        }

        startInfo.Environment["NO_COLOR"] = "1";
        startInfo.Environment["POSTGRES_PASSWORD"] = DatabasePassword;
        foreach (var (name, value) in environment ?? new Dictionary<string, string?>())
        {
            if (value is null)
            {
                startInfo.Environment.Remove(name);
            }
            else
            {
                startInfo.Environment[name] = value;
            }
        }

        var output = new StringBuilder();
        var clock = Stopwatch.StartNew();
        using var process = new Process { StartInfo = startInfo };
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
            Append($"<<killed by the test after {timeout.TotalSeconds:0} s>>");
            return new Result(-1, output.ToString(), clock.Elapsed);
        }

        process.WaitForExit();
        return new Result(process.ExitCode, output.ToString(), clock.Elapsed);

        void Append(string? line)
        {
            if (line is not null)
            {
                lock (output)
                {
                    output.AppendLine(line);
                }
            }
        }
    }

    private static string FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "build.sh")) && File.Exists(Path.Combine(directory.FullName, "global.json")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("The repository root (with build.sh) was not found above " + AppContext.BaseDirectory);
    }
}
