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

    public static string Root => RepositoryRoot.Path;

    /// <summary>A password for the stacks of this test run (the kit must never print it).</summary>
    public static string DatabasePassword { get; } = "e2e-" + Guid.NewGuid().ToString("N")[..12];

    private static readonly Lazy<Result> Built = new(() => Run(null, TimeSpan.FromMinutes(10), "--target=Default"));

    /// <summary>
    /// A kit root like a fresh clone of this checkout, to change without touching it: compose files, sources, docker
    /// templates and scripts linked; config/ and .env.example copied; the env overlay (.env.offline) copied when asked
    /// for and present; no .env.
    /// </summary>
    public static string ScratchRoot(string prefix, bool withOverlay = true)
    {
        var root = Path.Combine(Path.GetTempPath(), prefix + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(root);
        foreach (var folder in new[] { "compose", "samples", "docker", "scripts" })
        {
            Directory.CreateSymbolicLink(Path.Combine(root, folder), Path.Combine(Root, folder));
        }

        foreach (var file in Directory.GetFiles(Path.Combine(Root, "config"), "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(root, Path.GetRelativePath(Root, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }

        foreach (var file in withOverlay ? new[] { ".env.example", ".env.offline" } : [".env.example"])
        {
            if (File.Exists(Path.Combine(Root, file)))
            {
                File.Copy(Path.Combine(Root, file), Path.Combine(root, file));
            }
        }

        return root;
    }

    /// <summary>
    /// The base images the suites run on: the offline stand-ins (the default, as .ci/run on a machine without a
    /// registry), or with <c>E2E_IMAGES=public</c> (the GitHub workflow) the public images a user's machine pulls.
    /// </summary>
    public static bool PublicImages => string.Equals(System.Environment.GetEnvironmentVariable("E2E_IMAGES"), "public", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// The base images of the root app or of <paramref name="app"/>: the stand-ins and the overlay pointing at them
    /// (OfflineImages), or with public images nothing: compose and BuildKit pull them. Once per app and test run: every
    /// class of an app shares the first one's result (warm, each call costs seconds; a failure fails each class).
    /// </summary>
    public static void PrepareBaseImages(string? app = null)
    {
        if (PublicImages)
        {
            TestContext.Out.WriteLine("E2E_IMAGES=public: the public base images, pulled as needed");
            return;
        }

        var offline = Prepared.GetOrAdd(app ?? string.Empty, _ => new Lazy<Result>(() => OfflineImages(app))).Value;
        Assert.That(offline.ExitCode, Is.Zero, offline.ToString());
    }

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, Lazy<Result>> Prepared = new();

    // A cold build on a new machine takes many minutes, and .ci/run starts one in the background: this call builds the
    // app's own stand-ins, waiting for any of them the background build is making (docker/offline/build.sh builds each
    // image once per engine at a time): a generous limit.
    private static Result OfflineImages(string? app) =>
        Run(null, TimeSpan.FromMinutes(45), app is null ? ["--target=OfflineImages"] : ["--target=OfflineImages", $"--app={app}"]);

    public static bool IsCi => string.Equals(System.Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    /// <summary>Fails in CI, ignores elsewhere: a missing engine is never a silent pass.</summary>
    public static void RequireEngine()
    {
        var engine = Docker("version", "--format", "{{.Server.Version}}");
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

    /// <summary>./build.sh of this checkout, with this test run's database password.</summary>
    public static Result Run(IReadOnlyDictionary<string, string?>? environment, TimeSpan timeout, params string[] arguments) =>
        Process(Path.Combine(Root, "build.sh"), Root, WithTestSettings(environment), timeout, arguments);

    public static Result Run(params string[] arguments) => Run(null, TimeSpan.FromMinutes(5), arguments);

    /// <summary>
    /// The program build.sh built (in .build/bin) against another kit root (a copy with its own config/). Run
    /// ./build.sh once first, as every fixture's set-up does, so it is current.
    /// </summary>
    public static Result RunInRoot(string root, IReadOnlyDictionary<string, string?>? environment, TimeSpan timeout, params string[] arguments)
    {
        Assert.That(Built.Value.ExitCode, Is.Zero, Built.Value.ToString());
        var variables = new Dictionary<string, string?>(WithTestSettings(environment)) { ["KIT_ROOT"] = root };
        return Process(Path.Combine(Root, ".build", "bin", "Build"), root, variables, timeout, arguments);
    }

    public static Result Docker(params string[] arguments) => Process("docker", Root, null, TimeSpan.FromMinutes(2), arguments);

    /// <summary>
    /// Any process, output and error interleaved, standard input closed, killed after <paramref name="timeout"/>.
    /// Nothing of the caller's own kit settings leaks in.
    /// </summary>
    public static Result Process(string executable, string workingDirectory, IReadOnlyDictionary<string, string?>? environment, TimeSpan timeout, params string[] arguments)
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

        startInfo.Environment["NO_COLOR"] = "1";
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

    /// <summary>
    /// A run's variables with this test run's database password and <see cref="HealthInterval"/> added where the test
    /// did not set its own.
    /// </summary>
    private static Dictionary<string, string?> WithTestSettings(IReadOnlyDictionary<string, string?>? environment)
    {
        var variables = new Dictionary<string, string?>(environment ?? new Dictionary<string, string?>());
        variables.TryAdd("POSTGRES_PASSWORD", DatabasePassword);
        variables.TryAdd("HEALTH_INTERVAL", HealthInterval);
        return variables;
    }

    /// <summary>
    /// HEALTH_INTERVAL of the root app's stacks (.env.example): compose starts a service's dependants when it turns
    /// healthy, and the first probe runs one interval after the start, so at the default 5 s a fresh local-prod stack
    /// waits about 9 s for its api and proxy (measured: DevUp 22-23 s at 5 s, 17 s at 2 s, 14 s at 1 s). Not 1 s: every
    /// probe is a runc exec (about 0.12 s of CPU here), and on a 2-core machine running the suites side by side the
    /// probes of the stacks that stay up through a test would take back what the shorter wait saves.
    /// </summary>
    public const string HealthInterval = "2s";
}
