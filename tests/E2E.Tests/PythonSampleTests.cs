using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using E2E.Tests.Support;

namespace E2E.Tests;

/// <summary>
/// The Python sample (samples/python: FastAPI api, Redis-queue worker, PostgreSQL with pgvector) adopted by its app
/// folder alone, on a real Docker engine with the offline stand-ins (kit-offline/python, kit-offline/pgvector). One
/// dev stack for the whole class, brought up once. Each test holds on its own against it; they run in a chain
/// (DependsOnTest, each one even when the one before failed) so that DevDown --volumes comes last. The class adds one
/// dev stack start and three image builds (dev, test-results for Test, final; they share the dependency layers) to a
/// run. A source edit (the FastAPI title in sample_app/api.py) is served by uvicorn --reload and restored afterwards.
/// E2E_STACK_PREFIX and E2E_PORT_OFFSET pick the compose project's prefix and the host-port offset when the engine is
/// shared with other stacks.
/// </summary>
[TestFixture]
[NonParallelizable]
// The sample classes' order: see WebSampleTests.
[DependsOnFixture(typeof(DjangoSampleTests), AllowFailure = true)]
public sealed class PythonSampleTests
{
    private const string App = "samples/python";
    private static readonly TimeSpan DevUpTimeout = TimeSpan.FromMinutes(8);
    private static readonly string AppRoot = Path.Combine(Kit.Root, App);
    private static readonly string Service = Path.Combine(AppRoot, "service");
    private static readonly string ApiFile = Path.Combine(Service, "sample_app", "api.py");
    private string? apiOriginal;
    private readonly List<string> backupFolders = [];
    private Stack stack = null!;
    private Kit.Result up = null!;

    private Uri Api(string pathAndQuery) => new($"http://127.0.0.1:{8000 + stack.PortOffset}{pathAndQuery}");

    private string[] Arguments(params string[] more) => SampleApp.Arguments(App, stack, more);

    [OneTimeSetUp]
    public void StandInsAndOneDevStack()
    {
        stack = SampleApp.NewStack("py");
        up = SampleApp.DevUp(App, stack, DevUpTimeout);
    }

    /// <summary>Whatever a failed test left: the stack (plain docker commands) and the backups this class wrote.</summary>
    [OneTimeTearDown]
    public void RemoveStackAndBackups()
    {
        RestoreApi();
        stack?.Dispose();
        RemoveBackups();
    }

    private void RestoreApi()
    {
        if (apiOriginal is not null)
        {
            File.WriteAllText(ApiFile, apiOriginal);
            apiOriginal = null;
        }
    }

    private void RemoveBackups()
    {
        foreach (var folder in backupFolders.Distinct())
        {
            var path = Path.Combine(AppRoot, folder);
            if (Directory.Exists(path))
            {
                Directory.Delete(path, recursive: true);
            }
        }

        // The folders the kit created for them, when nothing else is in them (a developer's own backups stay).
        foreach (var folder in new[] { Path.Combine(AppRoot, "backups", "dev"), Path.Combine(AppRoot, "backups") })
        {
            if (Directory.Exists(folder) && !Directory.EnumerateFileSystemEntries(folder).Any())
            {
                Directory.Delete(folder);
            }
        }
    }

    [Test]
    public async Task DevUp_brings_the_api_the_worker_and_pgvector_to_healthy()
    {
        Assert.That(up.ExitCode, Is.Zero, up.ToString());
        foreach (var service in new[] { "api", "worker", "db", "cache" })
        {
            Assert.That(up.Output, Does.Match($@"(?m)^\s+{service}\s+running \(healthy\)"), up.ToString());
        }

        Assert.That(up.Output, Does.Contain("Applying scripts/db/migrations/0001_create_items.sql"), up.ToString());
        Assert.That(up.Output, Does.Not.Contain(Kit.DatabasePassword), "the database password was printed");
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        var health = await http.GetAsync(Api("/healthz"));
        var body = await health.Content.ReadAsStringAsync();
        Assert.That(health.StatusCode, Is.EqualTo(HttpStatusCode.OK), body);
        Assert.That(body, Does.Contain("\"mockMode\":true"), "MOCK_MODE is on by default: no cloud credentials needed");
    }

    [Test]
    [DependsOnTest(nameof(DevUp_brings_the_api_the_worker_and_pgvector_to_healthy), AllowFailure = true)]
    public async Task The_nearest_neighbour_query_answers_with_the_seeded_rows()
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };

        var names = await NearestAsync(http, "embedding=1,0.1,0&k=3");

        Assert.That(names, Is.EqualTo(new[] { "red", "orange", "yellow" }));
    }

    [Test]
    [DependsOnTest(nameof(The_nearest_neighbour_query_answers_with_the_seeded_rows), AllowFailure = true)]
    public async Task The_worker_embeds_a_queued_item_and_stores_it()
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        var queued = await http.PostAsync(Api("/items"), Json("{\"name\":\"teal\"}"));
        Assert.That(queued.StatusCode, Is.EqualTo(HttpStatusCode.Accepted), await queued.Content.ReadAsStringAsync());

        // The worker pops the name off the Redis list, embeds it (mock mode) and inserts it: the same text finds it.
        var names = Array.Empty<string>();
        for (var attempt = 0; attempt < 30 && (names.Length == 0 || names[0] != "teal"); attempt++)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(500));
            names = await NearestAsync(http, "text=teal&k=1");
        }

        Assert.That(names, Is.EqualTo(new[] { "teal" }), "the worker did not store the queued item");
    }

    [Test]
    [DependsOnTest(nameof(The_worker_embeds_a_queued_item_and_stores_it), AllowFailure = true)]
    public async Task A_source_edit_is_served_by_the_dev_stack_without_a_new_image()
    {
        var before = stack.Container("api");
        apiOriginal = await File.ReadAllTextAsync(ApiFile);
        var marker = "edited-" + Guid.NewGuid().ToString("N")[..8];
        var clock = Stopwatch.StartNew();
        await File.WriteAllTextAsync(ApiFile, Regex.Replace(apiOriginal, "app = FastAPI\\(title=\"[^\"]*\"", $"app = FastAPI(title=\"{marker}\""));

        // uvicorn --reload restarts its worker process inside the running container; /openapi.json shows the title.
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        var served = await SampleApp.ServesAsync(http, Api("/openapi.json"), marker, clock);

        TestContext.Progress.WriteLine($"PythonSampleTests: edit served after {clock.Elapsed.TotalSeconds:0.0} s");
        Assert.That(served, Is.True, $"GET /openapi.json did not show '{marker}' within {clock.Elapsed.TotalSeconds:0} s");
        Assert.That(stack.Container("api"), Is.EqualTo(before), "the api container was replaced: the edit should be served by the running one");

        // The kit agrees: the dev image's inputs leave out the bind-mounted source, so no new image is built.
        var build = Kit.Run(null, TimeSpan.FromMinutes(5), "--target=BuildImages", $"--app={App}");
        Assert.That(build.ExitCode, Is.Zero, build.ToString());
        Assert.That(build.Output, Does.Contain("api-dev: unchanged"), build.ToString());
        RestoreApi();
    }

    [Test]
    [DependsOnTest(nameof(A_source_edit_is_served_by_the_dev_stack_without_a_new_image), AllowFailure = true)]
    public void Test_counts_the_pytest_tests_of_the_sample()
    {
        // As many as the sample declares: every def test_ in its tests/*.py (none is parametrized).
        var declared = Directory.GetFiles(Path.Combine(Service, "tests"), "test_*.py")
            .Sum(file => Regex.Matches(File.ReadAllText(file), @"(?m)^def test_\w+\(").Count);
        Assert.That(declared, Is.GreaterThanOrEqualTo(6));

        var test = Kit.Run(null, TimeSpan.FromMinutes(10), "--target=Test", $"--app={App}");

        Assert.That(test.ExitCode, Is.Zero, test.ToString());
        Assert.That(test.Output, Does.Contain($"tests: {declared} passed, 0 failed"), test.ToString());
    }

    [Test]
    [DependsOnTest(nameof(Test_counts_the_pytest_tests_of_the_sample), AllowFailure = true)]
    public async Task Backup_DbReset_and_Restore_keep_the_vector_table_answering()
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };

        var backup = Kit.Run(null, TimeSpan.FromMinutes(3), ["--target=Backup", "--verify", .. Arguments()]);
        backupFolders.AddRange(BackupFolders(backup.Output));
        Assert.That(backup.ExitCode, Is.Zero, backup.ToString());
        Assert.That(backup.Output, Does.Contain("row counts match"), backup.ToString());
        var stamp = Regex.Match(backup.Output, @"Backup: backups/dev/(\d{8}_\d{6})").Groups[1].Value;
        Assert.That(stamp, Is.Not.Empty, backup.ToString());

        var added = await http.PostAsync(Api("/items"), Json("{\"name\":\"after the backup\",\"embedding\":[0.9,0.9,0.9]}"));
        Assert.That(added.StatusCode, Is.EqualTo(HttpStatusCode.Created), await added.Content.ReadAsStringAsync());
        Assert.That(await NearestAsync(http, "embedding=0.9,0.9,0.9&k=1"), Is.EqualTo(new[] { "after the backup" }));

        var reset = Kit.Run(null, TimeSpan.FromMinutes(3), ["--target=DbReset", .. Arguments()]);
        backupFolders.AddRange(BackupFolders(reset.Output));
        Assert.That(reset.ExitCode, Is.Zero, reset.ToString());
        // The extension survives the reset (it lives in public); the table is recreated and seeded again.
        Assert.That(await NearestAsync(http, "embedding=0.9,0.9,0.9&k=1"), Is.EqualTo(new[] { "white" }), "the reset kept a row");

        var restore = Kit.Run(null, TimeSpan.FromMinutes(3), ["--target=Restore", $"--backup={stamp}", .. Arguments()]);
        backupFolders.AddRange(BackupFolders(restore.Output));
        Assert.That(restore.ExitCode, Is.Zero, restore.ToString());
        Assert.That(restore.Output, Does.Contain("counts match the manifest"), restore.ToString());
        Assert.That(await NearestAsync(http, "embedding=1,0.1,0&k=3"), Is.EqualTo(new[] { "red", "orange", "yellow" }));
        Assert.That(await NearestAsync(http, "embedding=0.9,0.9,0.9&k=1"), Is.EqualTo(new[] { "white" }), "a row added after the backup survived the restore");
    }

    [Test]
    [DependsOnTest(nameof(Backup_DbReset_and_Restore_keep_the_vector_table_answering), AllowFailure = true)]
    public void The_final_image_runs_gunicorn_as_a_non_root_user()
    {
        // local-prod's image (the final target); its dependency layers are the dev image's, so this build is short.
        var build = Kit.Run(null, TimeSpan.FromMinutes(10), "--target=BuildImages", $"--app={App}", "--env=local-prod");
        Assert.That(build.ExitCode, Is.Zero, build.ToString());

        var user = Kit.Docker("image", "inspect", "--format", "{{.Config.User}}", "kit-python-sample/api:dev");
        Assert.That(user.Output.Trim(), Is.EqualTo("10001:10001"), user.ToString());
        var probe = Kit.Docker("run", "--rm", "--network", "none", "kit-python-sample/api:dev",
            "python", "-c", "import os, gunicorn, uvicorn.workers; print(os.getuid())");
        Assert.That(probe.ExitCode, Is.Zero, probe.ToString());
        Assert.That(probe.Output.Trim(), Is.EqualTo("10001"), probe.ToString());
    }

    [Test]
    [DependsOnTest(nameof(The_final_image_runs_gunicorn_as_a_non_root_user), AllowFailure = true)]
    public void DevDown_with_volumes_removes_the_stack_last() => SampleApp.AssertDevDownRemovesEverything(App, stack);

    private async Task<string[]> NearestAsync(HttpClient http, string query)
    {
        // Restore and DbReset end every session; the api connects per request, so at most a request or two fail.
        for (var attempt = 1; ; attempt++)
        {
            var response = await http.GetAsync(Api("/items/nearest?" + query));
            var body = await response.Content.ReadAsStringAsync();
            if (response.IsSuccessStatusCode)
            {
                using var document = JsonDocument.Parse(body);
                return document.RootElement.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("name").GetString()!).ToArray();
            }

            Assert.That(attempt, Is.LessThan(10), $"GET /items/nearest?{query}: {(int)response.StatusCode} {body}");
            await Task.Delay(TimeSpan.FromSeconds(1));
        }
    }

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    /// <summary>The backup folders a run reported writing (only those are removed afterwards, never a developer's own).</summary>
    private static IEnumerable<string> BackupFolders(string output) =>
        Regex.Matches(output, @"(backups/dev/\d{8}_\d{6})").Select(m => m.Groups[1].Value);
}
