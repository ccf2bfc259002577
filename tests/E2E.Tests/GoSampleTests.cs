using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using E2E.Tests.Support;

namespace E2E.Tests;

/// <summary>
/// The Go sample (samples/go: a standard-library api with PostgreSQL and Redis) adopted by its app folder alone, on a
/// real Docker engine with the offline stand-ins (kit-offline/golang: Debian's Go with entr and delve). One stack for
/// the whole class: DevUp once (the dev image), an edit served by the running dev stack, the Go tests counted through
/// the template's test-results stage, then the same project switched to local-prod (the final image) and removed.
/// The tests run in a chain (DependsOnTest, each one even when the one before failed) so DevDown --volumes comes last.
/// The class adds two image builds to a run (dev, final; they share the module layer and the Go build cache mount)
/// and the test-results stage (on top of the dev image).
/// E2E_STACK_PREFIX and E2E_PORT_OFFSET pick the compose project's prefix and the host-port offset when the engine is
/// shared with other stacks.
/// </summary>
[TestFixture]
[NonParallelizable]
// The sample classes' order: see WebSampleTests.
[DependsOnFixture(typeof(PythonSampleTests), AllowFailure = true)]
public sealed class GoSampleTests
{
    private const string App = "samples/go";
    private static readonly TimeSpan DevUpTimeout = TimeSpan.FromMinutes(10);
    private static readonly string Service = Path.Combine(Kit.Root, App, "service");
    private static readonly string GreetingFile = Path.Combine(Service, "greeting.go");
    private Stack stack = null!;
    private Kit.Result up = null!;
    private string? greetingOriginal;

    private Uri Api(string pathAndQuery) => new($"http://127.0.0.1:{AppConfig.HostPort(App, "API_PORT") + stack.PortOffset}{pathAndQuery}");

    private string[] Arguments(params string[] more) => SampleApp.Arguments(App, stack, more);

    [OneTimeSetUp]
    public void StandInsAndOneDevStack()
    {
        stack = SampleApp.NewStack("go");
        up = SampleApp.DevUp(App, stack, DevUpTimeout);
        TestContext.Progress.WriteLine($"GoSampleTests: DevUp took {up.Duration.TotalSeconds:0.0} s");
    }

    [OneTimeTearDown]
    public void RemoveStackAndRestoreSource()
    {
        RestoreGreeting();
        stack?.Dispose();
    }

    [Test]
    public async Task DevUp_brings_the_api_postgres_and_redis_to_healthy()
    {
        Assert.That(up.ExitCode, Is.Zero, up.ToString());
        foreach (var service in new[] { "api", "db", "cache" })
        {
            Assert.That(up.Output, Does.Match($@"(?m)^\s+{service}\s+running \(healthy\)"), up.ToString());
        }

        Assert.That(up.Output, Does.Contain("Applying scripts/db/migrations/0001_create_items.sql"), up.ToString());
        Assert.That(up.Output, Does.Not.Contain(Kit.DatabasePassword), "the database password was printed");
        using var http = Http();
        var health = await http.GetAsync(Api("/healthz"));
        var body = await health.Content.ReadAsStringAsync();
        Assert.That(health.StatusCode, Is.EqualTo(HttpStatusCode.OK), body);
        Assert.That(body, Does.Contain("\"database\":\"ok\"").And.Contain("\"cache\":\"ok\""));
    }

    [Test]
    [DependsOnTest(nameof(DevUp_brings_the_api_postgres_and_redis_to_healthy), AllowFailure = true)]
    public async Task The_api_reads_and_writes_postgres_and_counts_in_redis()
    {
        using var http = Http();

        // PostgreSQL through the sample's own wire-protocol client: the seeded rows, then an insert.
        var seeded = await Names(http);
        Assert.That(seeded, Does.Contain("red").And.Contain("orange"), "the demo seed is not served");
        var added = await http.PostAsync(Api("/items"), Json("{\"name\":\"teal\"}"));
        Assert.That(added.StatusCode, Is.EqualTo(HttpStatusCode.Created), await added.Content.ReadAsStringAsync());
        var duplicate = await http.PostAsync(Api("/items"), Json("{\"name\":\"teal\"}"));
        Assert.That(duplicate.StatusCode, Is.EqualTo(HttpStatusCode.Conflict), "a unique violation is not a 409");
        Assert.That(await Names(http), Does.Contain("teal"));

        // Redis through the RESP client: INCR counts up by one per request.
        var first = await Visits(http);
        Assert.That(await Visits(http), Is.EqualTo(first + 1));
    }

    [Test]
    [DependsOnTest(nameof(The_api_reads_and_writes_postgres_and_counts_in_redis), AllowFailure = true)]
    public async Task A_source_edit_is_served_by_the_dev_stack_without_a_new_image()
    {
        var before = ApiContainer();
        greetingOriginal = await File.ReadAllTextAsync(GreetingFile);
        var marker = "edited-" + Guid.NewGuid().ToString("N")[..8];
        var clock = Stopwatch.StartNew();
        await File.WriteAllTextAsync(GreetingFile, Regex.Replace(greetingOriginal, "const greeting = \".*\"", $"const greeting = \"{marker}\""));

        // The watcher rebuilds and restarts the api inside the running container (a second or two on an idle machine).
        using var http = Http();
        var served = await SampleApp.ServesAsync(http, Api("/hello"), marker, clock);

        TestContext.Progress.WriteLine($"GoSampleTests: edit served after {clock.Elapsed.TotalSeconds:0.0} s");
        Assert.That(served, Is.True, $"GET /hello did not answer '{marker}' within {clock.Elapsed.TotalSeconds:0} s");
        Assert.That(ApiContainer(), Is.EqualTo(before), "the api container was replaced: the edit should be served by the running one");

        // The kit agrees: the dev image's inputs leave out the bind-mounted source, so no new image is built.
        var build = Kit.Run(null, TimeSpan.FromMinutes(5), "--target=BuildImages", $"--app={App}");
        Assert.That(build.ExitCode, Is.Zero, build.ToString());
        Assert.That(build.Output, Does.Contain("api-dev: unchanged"), build.ToString());
        RestoreGreeting();
    }

    [Test]
    [DependsOnTest(nameof(A_source_edit_is_served_by_the_dev_stack_without_a_new_image), AllowFailure = true)]
    public void Test_counts_the_go_tests_of_the_sample()
    {
        // As many as the sample declares: every func TestXxx in its *_test.go files.
        var declared = Directory.GetFiles(Service, "*_test.go", SearchOption.AllDirectories)
            .Sum(file => Regex.Matches(File.ReadAllText(file), @"(?m)^func Test\w+\(t \*testing\.T\)").Count);
        Assert.That(declared, Is.GreaterThan(10));

        var test = Kit.Run(null, TimeSpan.FromMinutes(10), "--target=Test", $"--app={App}");

        Assert.That(test.ExitCode, Is.Zero, test.ToString());
        Assert.That(test.Output, Does.Contain($"tests: {declared} passed, 0 failed"), test.ToString());
    }

    [Test]
    [DependsOnTest(nameof(Test_counts_the_go_tests_of_the_sample), AllowFailure = true)]
    public async Task Local_prod_runs_the_static_binary_as_user_10001()
    {
        // The same project switched to the final image: db and cache keep their volumes, the api is recreated.
        var prod = Kit.Run(null, DevUpTimeout, ["--target=DevUp", "--env=local-prod", .. Arguments()]);
        TestContext.Progress.WriteLine($"GoSampleTests: local-prod DevUp took {prod.Duration.TotalSeconds:0.0} s");
        Assert.That(prod.ExitCode, Is.Zero, prod.ToString());
        Assert.That(prod.Output, Does.Match(@"(?m)^\s+api\s+running \(healthy\)"), prod.ToString());

        var image = Kit.Docker("inspect", "--format", "{{.Config.Image}}", ApiContainer());
        Assert.That(image.Output.Trim(), Does.StartWith("kit-go-sample/api:"), image.ToString());
        var user = Kit.Docker("image", "inspect", "--format", "{{.Config.User}}", image.Output.Trim());
        Assert.That(user.Output.Trim(), Is.EqualTo("10001:10001"), user.ToString());
        // The process itself, as the kernel sees it (the image has no shell to ask).
        var top = Kit.Docker("top", ApiContainer(), "-o", "pid,uid,comm");
        Assert.That(top.Output, Does.Match(@"(?m)^\s*\d+\s+10001\s+app\s*$"), top.ToString());

        using var http = Http();
        var version = await http.GetStringAsync(Api("/version"));
        var head = Kit.Process("git", Kit.Root, null, TimeSpan.FromSeconds(30), "rev-parse", "HEAD").Output.Trim();
        // The kit's {commit}: the short hash, "-dirty" when the tree has changes.
        Assert.That(version, Does.Contain($"\"commit\":\"{head[..12]}"), "the commit is not stamped into the binary (-ldflags -X)");
        Assert.That(await Names(http), Does.Contain("teal"), "the data written in dev is gone");
    }

    [Test]
    [DependsOnTest(nameof(Local_prod_runs_the_static_binary_as_user_10001), AllowFailure = true)]
    public void DevDown_with_volumes_removes_the_stack_last() =>
        // With the dev files (the default environment): they name every volume, the dev overlay's build cache too.
        SampleApp.AssertDevDownRemovesEverything(App, stack);

    private string ApiContainer()
    {
        var ids = Kit.Docker("ps", "--quiet", "--filter", $"label=com.docker.compose.project={stack.Name}",
            "--filter", "label=com.docker.compose.service=api").Output.Trim();
        Assert.That(ids, Is.Not.Empty.And.Not.Contain('\n'), "expected one running api container");
        return ids;
    }

    private void RestoreGreeting()
    {
        if (greetingOriginal is not null)
        {
            File.WriteAllText(GreetingFile, greetingOriginal);
            greetingOriginal = null;
        }
    }

    private static HttpClient Http() => new() { Timeout = TimeSpan.FromSeconds(10) };

    private async Task<string[]> Names(HttpClient http)
    {
        using var document = JsonDocument.Parse(await http.GetStringAsync(Api("/items")));
        return document.RootElement.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("name").GetString()!).ToArray();
    }

    private async Task<long> Visits(HttpClient http)
    {
        var response = await http.PostAsync(Api("/visits"), null);
        var body = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), body);
        using var document = JsonDocument.Parse(body);
        return document.RootElement.GetProperty("visits").GetInt64();
    }

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");
}
