using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using Build.Tests.Support;

namespace Build.Tests.Deploy.Support;

/// <summary>
/// One deploy scenario: a scratch checkout (the fixture app's config/ plus a one-commit git repository, so the commit is
/// always the same), the recording gcloud stand-in first on PATH, and its state. The real host and tasks run
/// in-process; the stand-in is the only fake.
/// </summary>
public sealed class DeployScenario : IDisposable
{
    public const string StagingProject = "acme-sample-staging";
    public const string Image = "europe-west1-docker.pkg.dev/acme-sample-staging/sample/sample-api@sha256:1111111111111111111111111111111111111111111111111111111111111111";
    public const string OldImage = "europe-west1-docker.pkg.dev/acme-sample-staging/sample/sample-api@sha256:0000000000000000000000000000000000000000000000000000000000000000";
    public const string BuildDigest = "sha256:2222222222222222222222222222222222222222222222222222222222222222";

    // Variables a run reads from the process: set for the run only, restored afterwards.
    private static readonly string[] Variables = ["KIT_ROOT", "PATH", "GCLOUD_STANDIN_LOG", "GCLOUD_STANDIN_SCENARIO", "CLOUDSDK_CONFIG", "CI", "KIT_DEPLOY_APPROVED", "KIT_ENV", "CLOUDSDK_AUTH_ACCESS_TOKEN_FILE", "CLOUDSDK_AUTH_CREDENTIAL_FILE_OVERRIDE"];
    private static readonly Lock Gate = new();

    public DeployScenario()
    {
        Root = Path.Combine(Path.GetTempPath(), "kit-deploy-" + Guid.NewGuid().ToString("N")[..12]);
        Folder = Path.Combine(Root, ".scenario");
        Directory.CreateDirectory(Path.Combine(Root, "config", "schema"));
        Directory.CreateDirectory(Folder);
        // The scenarios' own app config (a team's edits to the repository's config/ never change these tests); the
        // schemas are the kit's, so the config is validated exactly as a real run validates it.
        foreach (var file in new[] { "project.json", "deploy.json", "cloudbuild.yaml" })
        {
            File.Copy(Path.Combine(FixtureDirectory, "config", file), Path.Combine(Root, "config", file));
        }

        foreach (var file in new[] { "schema/project.schema.json", "schema/deploy.schema.json" })
        {
            File.Copy(Path.Combine(RepositoryRoot.Path, "config", file), Path.Combine(Root, "config", file));
        }

        File.WriteAllText(Path.Combine(Root, "global.json"), "{}");
        // Fast health gates: two answers in a row, no pause, one second before giving up.
        EditDeployConfig(config =>
        {
            foreach (var (_, environment) in config["environments"]!.AsObject())
            {
                environment!["health"] = new JsonObject { ["path"] = "/health", ["consecutive"] = 2, ["intervalSeconds"] = 0.01, ["timeoutSeconds"] = 1 };
                // Short soaks: twenty requests through the service URL, one failure in twenty allowed.
                environment["soak"] = new JsonObject { ["seconds"] = 0.02, ["minimumRequests"] = 20, ["maxFailedPercent"] = 5, ["maxLatencyMilliseconds"] = 2000 };
            }
        });
        InitGit();
        State = new JsonObject
        {
            ["account"] = "deployer@example.com",
            ["configProject"] = StagingProject,
            ["buildDigest"] = BuildDigest,
            ["services"] = new JsonObject(),
            ["failures"] = new JsonArray(),
        };
    }

    public string Root { get; }

    public string Folder { get; }

    public JsonObject State { get; set; }

    public string LogPath => Path.Combine(Folder, "gcloud.log");

    public static string FixtureDirectory => Path.Combine(RepositoryRoot.Path, "tests", "Build.Tests", "Deploy", "fixture");

    public static string StandInDirectory => Path.Combine(RepositoryRoot.Path, "tests", "Build.Tests", "Deploy", "stand-in");

    // The stand-in's `#!/usr/bin/env python3` through a version manager's shim (pyenv's is a shell script that runs
    // pyenv) cost 0.3 s of CPU per gcloud call, ten times Python's own start: the interpreter the shim resolves is
    // found once and linked as python3 into a folder put after the stand-in's on PATH. Null where there is no python3
    // (the stand-in then fails as it would).
    private static readonly Lazy<string?> InterpreterDirectory = new(() =>
    {
        try
        {
            var start = new ProcessStartInfo("python3") { RedirectStandardOutput = true, RedirectStandardError = true };
            start.ArgumentList.Add("-c");
            start.ArgumentList.Add("import sys; print(sys.executable)");
            using var process = Process.Start(start)!;
            var executable = process.StandardOutput.ReadToEnd().Trim();
            process.WaitForExit();
            if (process.ExitCode != 0 || !File.Exists(executable))
            {
                return null;
            }

            var folder = Directory.CreateTempSubdirectory("kit-standin-python-").FullName;
            File.CreateSymbolicLink(Path.Combine(folder, "python3"), executable);
            AppDomain.CurrentDomain.ProcessExit += (_, _) => Directory.Delete(folder, recursive: true);
            return folder;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null;
        }
    });

    /// <summary>The PATH a scenario runs with: the stand-in first, then its interpreter, then the caller's.</summary>
    private static string StandInPath(string? callers) =>
        string.Join(Path.PathSeparator, new[] { StandInDirectory, InterpreterDirectory.Value, callers }.Where(p => !string.IsNullOrEmpty(p)));

    /// <summary>An existing service with one revision serving all traffic (following the latest revision).</summary>
    public DeployScenario WithService(string serving = "sample-api-00001-abc", bool followsLatest = true, string service = "sample-api")
    {
        State["services"]![service] = new JsonObject
        {
            ["revisions"] = new JsonArray(Revision(serving, OldImage, 0)),
            ["traffic"] = followsLatest
                ? new JsonArray(new JsonObject { ["latestRevision"] = true, ["percent"] = 100 })
                : new JsonArray(new JsonObject { ["revisionName"] = serving, ["percent"] = 100 }),
        };
        return this;
    }

    public DeployScenario WithRevision(string name)
    {
        State["services"]!["sample-api"]!["revisions"]!.AsArray().Add(Revision(name, OldImage, State["services"]!["sample-api"]!["revisions"]!.AsArray().Count));
        return this;
    }

    public DeployScenario WithUrls(HealthServer? service, HealthServer? candidate)
    {
        if (service is not null)
        {
            State["serviceUrl"] = service.Url;
        }

        if (candidate is not null)
        {
            State["tagUrls"] = new JsonObject { ["candidate"] = candidate.Url };
        }

        return this;
    }

    /// <summary>
    /// A service URL that routes like Cloud Run's split: request n goes to the revision of <see cref="Image"/> while its
    /// share of the answers so far is below its percentage in the stand-in's current traffic.
    /// </summary>
    public HealthServer RoutedService(int candidateStatus, int previousStatus = 200)
    {
        var served = 0;
        var toCandidate = 0;
        return new HealthServer(_ =>
        {
            var percent = CandidatePercent();
            served++;
            if (toCandidate * 100 < served * percent)
            {
                toCandidate++;
                return candidateStatus;
            }

            return previousStatus;
        });
    }

    private int CandidatePercent()
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                var service = JsonNode.Parse(File.ReadAllText(Path.Combine(Folder, "state.json")))!["services"]!["sample-api"]!;
                var latest = service["revisions"]!.AsArray().Select(r => (string)r!["name"]!).LastOrDefault();
                return service["traffic"]!.AsArray()
                    .Where(t => ((bool?)t!["latestRevision"] == true ? latest : (string?)t["revisionName"])?.StartsWith("sample-api-1111111111", StringComparison.Ordinal) == true)
                    .Sum(t => (int)t!["percent"]!);
            }
            catch (Exception exception) when (attempt < 5 && exception is JsonException or IOException)
            {
                // The stand-in is rewriting the file: read again.
                Thread.Sleep(10);
            }
        }
    }

    public DeployScenario Failing(string match, string stderr, int exitCode = 1)
    {
        State["failures"]!.AsArray().Add(new JsonObject { ["match"] = match, ["stderr"] = stderr, ["exit"] = exitCode });
        return this;
    }

    public void EditDeployConfig(Action<JsonObject> edit)
    {
        var path = Path.Combine(Root, "config", "deploy.json");
        var config = JsonNode.Parse(File.ReadAllText(path))!.AsObject();
        edit(config);
        File.WriteAllText(path, config.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
    }

    /// <summary>Runs the real host with the stand-in first on PATH (or, with <paramref name="path"/>, exactly that PATH).</summary>
    public HostRun.Result Run(string[] args, IReadOnlyDictionary<string, string?>? environment = null, string? path = null)
    {
        File.WriteAllText(Path.Combine(Folder, "state.json"), State.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        lock (Gate)
        {
            var saved = Variables.ToDictionary(v => v, Environment.GetEnvironmentVariable);
            try
            {
                Environment.SetEnvironmentVariable("KIT_ROOT", Root);
                Environment.SetEnvironmentVariable("PATH", path ?? StandInPath(saved["PATH"]));
                Environment.SetEnvironmentVariable("GCLOUD_STANDIN_LOG", LogPath);
                Environment.SetEnvironmentVariable("GCLOUD_STANDIN_SCENARIO", Folder);
                // Even a real gcloud reached by mistake would find no credentials here.
                Environment.SetEnvironmentVariable("CLOUDSDK_CONFIG", Path.Combine(Folder, "cloudsdk"));
                Environment.SetEnvironmentVariable("CI", null);
                Environment.SetEnvironmentVariable("KIT_DEPLOY_APPROVED", null);
                Environment.SetEnvironmentVariable("KIT_ENV", null);
                Environment.SetEnvironmentVariable("CLOUDSDK_AUTH_ACCESS_TOKEN_FILE", null);
                Environment.SetEnvironmentVariable("CLOUDSDK_AUTH_CREDENTIAL_FILE_OVERRIDE", null);
                var result = HostRun.RunWith(null, environment, args);
                State = JsonNode.Parse(File.ReadAllText(Path.Combine(Folder, "state.json")))!.AsObject();
                TestContext.Out.WriteLine(result.All);
                return result;
            }
            finally
            {
                foreach (var (name, value) in saved)
                {
                    Environment.SetEnvironmentVariable(name, value);
                }
            }
        }
    }

    public HostRun.Result Run(params string[] args) => Run(args, null, null);

    /// <summary>Every gcloud command the run made, in order, as shell lines.</summary>
    public IReadOnlyList<string> Commands =>
        File.Exists(LogPath)
            ? File.ReadAllLines(LogPath).Select(l => "gcloud " + string.Join(' ', JsonSerializer.Deserialize<string[]>(l)!.Select(Build.Tools.ToolCommand.Quote))).ToArray()
            : [];

    /// <summary>gcloud calls that only read the local CLI state: allowed before a protected environment is confirmed.</summary>
    public static bool IsReadOnlyQuery(string command) =>
        command.StartsWith("gcloud auth list ", StringComparison.Ordinal) || command.StartsWith("gcloud config get-value ", StringComparison.Ordinal);

    private static readonly string[] AnswerCacheFolders = ["config", "compose"];

    /// <summary>Every file of the scratch checkout outside git, the stand-in's own folder and the kit's answer caches, with its length and write time.</summary>
    public IReadOnlyList<string> Files() =>
        Directory.EnumerateFiles(Root, "*", SearchOption.AllDirectories)
            .Where(f => !f.StartsWith(Folder + Path.DirectorySeparatorChar, StringComparison.Ordinal)
                        && !f.StartsWith(Path.Combine(Root, ".git") + Path.DirectorySeparatorChar, StringComparison.Ordinal)
                        // The kit's kept answers (config verdicts, compose answers) are caches, not state: any run may write them.
                        && !AnswerCacheFolders.Any(folder => f.StartsWith(Path.Combine(Root, ".build", folder) + Path.DirectorySeparatorChar, StringComparison.Ordinal)))
            .Select(f => $"{Path.GetRelativePath(Root, f)} {new FileInfo(f).Length} {File.GetLastWriteTimeUtc(f):O}")
            .Order(StringComparer.Ordinal)
            .ToArray();

    /// <summary>The service's traffic as "revision=percent" (latest resolved), as the stand-in now holds it.</summary>
    public IReadOnlyList<string> Traffic(string name = "sample-api")
    {
        var service = State["services"]![name]!;
        var latest = service["revisions"]!.AsArray().Where(r => (bool?)r!["ready"] ?? true).Select(r => (string)r!["name"]!).LastOrDefault();
        return service["traffic"]!.AsArray()
            .Where(t => (int)t!["percent"]! > 0)
            .Select(t => $"{((bool?)t!["latestRevision"] == true ? latest + " (latest)" : (string)t!["revisionName"]!)}={(int)t["percent"]!}")
            .ToArray();
    }

    public JsonObject? Record(string environment = "staging")
    {
        var path = Path.Combine(Root, ".build", "deploy", environment + ".json");
        return File.Exists(path) ? JsonNode.Parse(File.ReadAllText(path))!.AsObject() : null;
    }

    public void WriteRecord(string environment, object record)
    {
        Directory.CreateDirectory(Path.Combine(Root, ".build", "deploy"));
        File.WriteAllText(Path.Combine(Root, ".build", "deploy", environment + ".json"), JsonSerializer.Serialize(record));
    }

    private static JsonObject Revision(string name, string image, int index) => new()
    {
        ["name"] = name,
        ["image"] = image,
        ["ready"] = true,
        ["created"] = $"2024-12-01T00:{index:00}:00Z",
    };

    private void InitGit()
    {
        File.WriteAllText(Path.Combine(Root, "README"), "scratch checkout of a deploy scenario\n");
        // Only README is tracked, and everything else is excluded, so the tree is clean and the commit id never changes.
        Git("init", "-q");
        File.WriteAllText(Path.Combine(Root, ".git", "info", "exclude"), "*\n");
        Git("add", "-f", "README");
        Git("-c", "user.name=kit", "-c", "user.email=kit@example.invalid", "-c", "commit.gpgsign=false", "commit", "-q", "-m", "scenario");
    }

    private void Git(params string[] args)
    {
        var start = new ProcessStartInfo("git") { WorkingDirectory = Root, RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["GIT_AUTHOR_DATE"] = "2025-01-01T00:00:00Z";
        start.Environment["GIT_COMMITTER_DATE"] = "2025-01-01T00:00:00Z";
        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        Assert.That(process.ExitCode, Is.Zero, $"git {string.Join(' ', args)}: {error}");
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
            // A scratch folder left in /tmp is harmless.
        }
    }
}
