using System.Diagnostics;
using System.Text;
using E2E.Tests.Support;

namespace E2E.Tests.Ops;

/// <summary>
/// What the Ops tests need beyond <see cref="Kit"/>: the built program run against another kit root (a temporary one
/// with its own config/), any process with its output, and the engine gate every real-engine test starts with.
/// </summary>
public static class OpsKit
{
    private static readonly Lazy<Kit.Result> Built = new(() => Kit.Run(null, TimeSpan.FromMinutes(10), "--target=Default"));

    public static bool IsCi => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    /// <summary>Fails in CI, ignores elsewhere: a missing engine is never a silent pass.</summary>
    public static void RequireEngine()
    {
        var engine = Kit.Docker("version", "--format", "{{.Server.Version}}");
        if (engine.ExitCode != 0)
        {
            var reason = "no Docker engine answers (start one: bash scripts/ci/install-docker.sh): " + engine.Output.Trim();
            if (IsCi)
            {
                Assert.Fail(reason);
            }

            Assert.Ignore(reason);
        }
    }

    /// <summary>The program build.sh publishes, against <paramref name="root"/> (KIT_ROOT), built first if needed.</summary>
    public static Kit.Result RunInRoot(string root, IReadOnlyDictionary<string, string?>? environment, params string[] arguments)
    {
        Assert.That(Built.Value.ExitCode, Is.Zero, Built.Value.ToString());
        var variables = new Dictionary<string, string?>(environment ?? new Dictionary<string, string?>()) { ["KIT_ROOT"] = root, ["NO_COLOR"] = "1" };
        return Run(Path.Combine(Kit.Root, ".build", "bin", "Build"), root, variables, TimeSpan.FromMinutes(5), arguments);
    }

    /// <summary>Any process, output and error interleaved; killed after <paramref name="timeout"/>.</summary>
    public static Kit.Result Run(string executable, string workingDirectory, IReadOnlyDictionary<string, string?>? environment, TimeSpan timeout, params string[] arguments)
    {
        var startInfo = new ProcessStartInfo(executable)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        foreach (var name in new[] { "KIT_ENV", "KIT_PROJECT_NAME", "KIT_PORT_OFFSET", "KIT_COMPOSE", "KIT_CONNECTION", "KIT_ROOT" })
        {
            startInfo.Environment.Remove(name);
        }

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
        process.StandardInput.Close();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
            Append($"<<killed by the test after {timeout.TotalSeconds:0} s>>");
            return new Kit.Result(-1, output.ToString(), clock.Elapsed);
        }

        process.WaitForExit();
        return new Kit.Result(process.ExitCode, output.ToString(), clock.Elapsed);

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

    public static IReadOnlyList<string> Lines(Kit.Result result) =>
        result.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    /// <summary>True when docker knows the object (image, container, volume, network).</summary>
    public static bool Exists(string kind, string name) => Kit.Docker(kind, "inspect", name).ExitCode == 0;
}
