using System.Net;
using System.Text.RegularExpressions;
using E2E.Tests.Support;

namespace E2E.Tests;

/// <summary>
/// The web sample (samples/web: a React + Vite front end and the Node API it calls through /api, no database) adopted
/// by its app folder alone, on a real Docker engine with the offline stand-ins (kit-offline/node, kit-offline/nginx).
/// One dev stack first, then the local-prod stack on the same ports, never both at once. The tests run in a chain
/// (DependsOnTest, each one even when the one before failed) so that each stack's DevDown comes after its checks.
/// The class adds two stack starts and four image builds (web and api, dev and final; they share the dependency
/// layers) to a run, and the two vitest suites.
/// E2E_STACK_PREFIX and E2E_PORT_OFFSET pick the compose projects' prefix and the host-port offset when the engine is
/// shared with other stacks.
/// </summary>
[TestFixture]
[NonParallelizable]
// On a new machine the sample classes run in the order scripts/ci/install-offline-images.sh builds their stand-ins
// (web, django, python, go: the golang stand-in, the slowest to build, last; DependsOnFixture on the next three), so
// each class finds its images built.
public sealed class WebSampleTests
{
    private const string App = "samples/web";
    private static readonly TimeSpan UpTimeout = TimeSpan.FromMinutes(10);
    private static readonly string AppRoot = Path.Combine(Kit.Root, App);
    private Stack dev = null!;
    private Stack prod = null!;
    private Kit.Result up = null!;

    private Uri Page(Stack stack, string pathAndQuery) => new($"http://127.0.0.1:{5173 + stack.PortOffset}{pathAndQuery}");

    private static string[] Arguments(Stack stack, params string[] more) => SampleApp.Arguments(App, stack, more);

    [OneTimeSetUp]
    public void StandInsAndTheDevStack()
    {
        dev = SampleApp.NewStack("web");
        // local-prod after the dev stack is down, on the same host ports
        prod = new Stack(dev.Name + "-prod", dev.PortOffset);
        up = SampleApp.DevUp(App, dev, UpTimeout);
    }

    /// <summary>Whatever a failed test left: both stacks (plain docker commands), the edited source put back.</summary>
    [OneTimeTearDown]
    public void RemoveStacks()
    {
        dev?.Dispose();
        prod?.Dispose();
    }

    [Test]
    public void DevUp_brings_the_dev_server_and_the_api_to_healthy_without_a_database()
    {
        Assert.That(up.ExitCode, Is.Zero, up.ToString());
        foreach (var service in new[] { "web", "api" })
        {
            Assert.That(up.Output, Does.Match($@"(?m)^\s+{service}\s+running \(healthy\)"), up.ToString());
        }

        Assert.That(up.Output, Does.Contain("Skipped: this app has no database (no config/database.json)"), up.ToString());
    }

    [Test]
    [DependsOnTest(nameof(DevUp_brings_the_dev_server_and_the_api_to_healthy_without_a_database), AllowFailure = true)]
    public async Task The_page_and_the_api_answer_through_the_dev_server()
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(20) };

        var page = await http.GetStringAsync(Page(dev, "/"));
        var greeting = await http.GetStringAsync(Page(dev, "/api/greeting?name=E2E"));

        Assert.That(page, Does.Contain("<div id=\"root\"></div>").And.Contain("/@vite/client"), "Vite's dev page");
        Assert.That(greeting, Does.Contain("\"message\":\"Hello, E2E\""), "the API through Vite's /api proxy");
    }

    [Test]
    [DependsOnTest(nameof(The_page_and_the_api_answer_through_the_dev_server), AllowFailure = true)]
    public async Task A_source_edit_is_served_by_the_dev_server_without_a_new_image_or_restart()
    {
        var container = dev.Container("web");
        var before = Kit.Docker("inspect", "--format", "{{.Image}} {{.State.StartedAt}}", container).Output.Trim();
        var source = Path.Combine(AppRoot, "frontend", "src", "greeting.js");
        var original = await File.ReadAllTextAsync(source);
        var marker = "Edited by the E2E test " + Guid.NewGuid().ToString("N")[..8];
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        try
        {
            await File.WriteAllTextAsync(source, Regex.Replace(original, "(?m)^export const headline = .*$", $"export const headline = '{marker}';"));

            // What the browser's hot module reload fetches: the module as Vite serves it from the bind-mounted source.
            var clock = System.Diagnostics.Stopwatch.StartNew();
            var served = await SampleApp.ServesAsync(http, Page(dev, "/src/greeting.js"), marker, clock, TimeSpan.FromSeconds(30));

            Assert.That(served, Is.True, $"the edit was not served within {clock.Elapsed.TotalSeconds:0} s");
            TestContext.Out.WriteLine($"edit served after {clock.Elapsed.TotalSeconds:0.00} s");
        }
        finally
        {
            await File.WriteAllTextAsync(source, original);
        }

        var after = Kit.Docker("inspect", "--format", "{{.Image}} {{.State.StartedAt}}", container).Output.Trim();
        Assert.That(after, Is.EqualTo(before), "the web container was recreated or restarted for a source edit");
    }

    [Test]
    [DependsOnTest(nameof(A_source_edit_is_served_by_the_dev_server_without_a_new_image_or_restart), AllowFailure = true)]
    public void Test_counts_both_vitest_suites()
    {
        var test = Kit.Run(null, TimeSpan.FromMinutes(10), "--target=Test", $"--app={App}");

        Assert.That(test.ExitCode, Is.Zero, test.ToString());
        Assert.That(test.Output, Does.Contain("tests: 10 passed, 0 failed"), "5 front-end and 5 API tests, from their JUnit reports\n" + test);
    }

    [Test]
    [DependsOnTest(nameof(Test_counts_both_vitest_suites), AllowFailure = true)]
    public void DevDown_removes_the_dev_stack()
    {
        var down = Kit.Run(["--target=DevDown", "--volumes", $"--confirm={dev.Name}", .. Arguments(dev)]);

        Assert.That(down.ExitCode, Is.Zero, down.ToString());
        Assert.That(dev.Containers(), Is.Empty, "DevDown --volumes left containers");
        Assert.That(dev.Volumes(), Is.Empty, "DevDown --volumes left the node_modules volumes");
    }

    [Test]
    [DependsOnTest(nameof(DevDown_removes_the_dev_stack), AllowFailure = true)]
    public async Task Local_prod_serves_the_static_build_from_nginx_as_a_non_root_user()
    {
        var prodUp = Kit.Run(null, UpTimeout, ["--target=DevUp", "--env=local-prod", .. Arguments(prod)]);
        Assert.That(prodUp.ExitCode, Is.Zero, prodUp.ToString());
        Assert.That(Kit.Docker("exec", prod.Container("web"), "id", "-u").Output.Trim(), Is.EqualTo("101"), "nginx's user");
        Assert.That(Kit.Docker("exec", prod.Container("api"), "id", "-u").Output.Trim(), Is.EqualTo("10001"), "the API's user");

        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        var index = await GetGzipAsync(http, Page(prod, "/"));
        Assert.That(index.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(index.Content.Headers.ContentEncoding, Does.Contain("gzip"));
        Assert.That(index.Headers.CacheControl?.NoCache, Is.True, "index.html is revalidated: " + index.Headers.CacheControl);
        var html = await http.GetStringAsync(Page(prod, "/"));
        var asset = Regex.Match(html, "/assets/[^\"]+\\.js").Value;
        Assert.That(asset, Is.Not.Empty, "the built index.html names a hashed script: " + html);

        var script = await GetGzipAsync(http, Page(prod, asset));
        Assert.That(script.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(script.Content.Headers.ContentEncoding, Does.Contain("gzip"));
        Assert.That(script.Headers.CacheControl?.ToString(), Does.Contain("max-age=31536000").And.Contain("immutable"));

        var route = await GetGzipAsync(http, Page(prod, "/some/client/route"));
        Assert.That(route.StatusCode, Is.EqualTo(HttpStatusCode.OK), "SPA fallback");
        Assert.That(route.Content.Headers.ContentEncoding, Does.Contain("gzip"));
        Assert.That(route.Headers.CacheControl?.NoCache, Is.True);

        Assert.That(await http.GetStringAsync(Page(prod, "/healthz")), Does.StartWith("ok"));
        Assert.That(await http.GetStringAsync(Page(prod, "/api/greeting?name=nginx")), Does.Contain("\"message\":\"Hello, nginx\""), "/api/ proxied to the API");
    }

    [Test]
    [DependsOnTest(nameof(Local_prod_serves_the_static_build_from_nginx_as_a_non_root_user), AllowFailure = true)]
    public void DevDown_removes_the_local_prod_stack_last()
    {
        var down = Kit.Run(["--target=DevDown", "--env=local-prod", "--volumes", $"--confirm={prod.Name}", .. Arguments(prod)]);

        Assert.That(down.ExitCode, Is.Zero, down.ToString());
        Assert.That(prod.Containers(), Is.Empty, "DevDown --volumes left containers");
    }

    private static async Task<HttpResponseMessage> GetGzipAsync(HttpClient http, Uri uri)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, uri);
        request.Headers.AcceptEncoding.ParseAdd("gzip");
        return await http.SendAsync(request);
    }
}
