using System.Diagnostics;
using System.Net;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using E2E.Tests.Support;

namespace E2E.Tests;

/// <summary>
/// The Django sample (samples/django: Django, a Celery worker and beat, a React + Vite front end, nginx in front of
/// both, PostgreSQL, Redis; pgAdmin and Flower in the tools profile: nine services) adopted by its app folder alone, on
/// a real Docker engine with the offline stand-ins (kit-offline/python-django: Debian trixie's Django and Celery;
/// kit-offline/node and kit-offline/nginx for the front end). One dev stack first: DevUp (the dev images; Django's own
/// migrate and loaddata as the app's migration and seed commands), the Vite page and its hot module reload websocket
/// through nginx, a front-end edit served without a rebuild, a job queued through nginx and processed by the worker,
/// beat's heartbeat, the worker restarted by watchmedo on a source edit, Migrate, DbReset and Seed through manage.py,
/// Test (pytest and vitest counted together), the final images (gunicorn WSGI and the static build, non-root), DevDown;
/// then the local-prod stack on the same ports (never both at once) and its DevDown. The tests run in a chain
/// (DependsOnTest, each one even when the one before failed) so that each stack's DevDown comes after its checks. The
/// class adds four image builds (backend and frontend, dev and final; each pair shares its dependency layers), the two
/// test images and two stack starts to a run.
/// E2E_STACK_PREFIX and E2E_PORT_OFFSET pick the compose project's prefix and the host-port offset when the engine is
/// shared with other stacks.
/// </summary>
[TestFixture]
[NonParallelizable]
// The sample classes' order: see WebSampleTests.
[DependsOnFixture(typeof(WebSampleTests), AllowFailure = true)]
public sealed class DjangoSampleTests
{
    private const string App = "samples/django";
    private static readonly TimeSpan DevUpTimeout = TimeSpan.FromMinutes(10);
    private static readonly string TasksFile = Path.Combine(Kit.Root, App, "backend", "jobs", "tasks.py");

    // beat's schedule, short so the heartbeat test waits seconds, not the default 10 s per beat
    private static readonly Dictionary<string, string?> FastBeat = new() { ["BEAT_INTERVAL_SECONDS"] = "2" };
    private static readonly string SummaryFile = Path.Combine(Kit.Root, App, "frontend", "src", "summary.js");
    private Stack stack = null!;
    private Stack prod = null!;
    private Kit.Result up = null!;
    private string? tasksOriginal;

    private Uri Site(string pathAndQuery) => Site(stack, pathAndQuery);

    private static Uri Site(Stack on, string pathAndQuery) => new($"http://127.0.0.1:{AppConfig.HostPort(App, "HTTP_PORT") + on.PortOffset}{pathAndQuery}");

    private string[] Arguments(params string[] more) => SampleApp.Arguments(App, stack, more);

    [OneTimeSetUp]
    public void StandInsAndOneDevStack()
    {
        stack = SampleApp.NewStack("dj");
        // local-prod after the dev stack is down, on the same host ports
        prod = new Stack(stack.Name + "-prod", stack.PortOffset);
        up = SampleApp.DevUp(App, stack, DevUpTimeout, FastBeat);
        TestContext.Progress.WriteLine($"DjangoSampleTests: DevUp took {up.Duration.TotalSeconds:0.0} s");
    }

    [OneTimeTearDown]
    public void RemoveStackAndRestoreSource()
    {
        RestoreTasks();
        stack?.Dispose();
        prod?.Dispose();
    }

    [Test]
    public async Task DevUp_brings_django_the_worker_beat_and_nginx_up_migrated_and_seeded_by_manage_py()
    {
        Assert.That(up.ExitCode, Is.Zero, up.ToString());
        foreach (var service in new[] { "backend", "worker", "frontend", "nginx", "db", "redis" })
        {
            Assert.That(up.Output, Does.Match($@"(?m)^\s+{service}\s+running \(healthy\)"), up.ToString());
        }

        Assert.That(up.Output, Does.Match(@"(?m)^\s+beat\s+running"), up.ToString());
        Assert.That(up.Output, Does.Contain("run --rm --no-deps -T backend python manage.py migrate --noinput"), up.ToString());
        Assert.That(up.Output, Does.Contain("Applying jobs.0001_initial"), "Django's migrate ran the sample's migration");
        Assert.That(up.Output, Does.Contain("python manage.py loaddata demo"), up.ToString());
        Assert.That(up.Output, Does.Not.Contain(Kit.DatabasePassword), "the database password was printed");

        using var http = Http();
        var health = await http.GetAsync(Site("/healthz"));
        Assert.That(health.StatusCode, Is.EqualTo(HttpStatusCode.OK), await health.Content.ReadAsStringAsync());
        var jobs = await JobsAsync(http);
        Assert.That(jobs.Select(j => j.GetProperty("text").GetString()), Does.Contain("celery workers count words"), "the demo fixture is served through nginx");
    }

    [Test]
    public void The_compose_files_declare_nine_services_with_pgadmin_and_flower_in_the_tools_profile()
    {
        // pgAdmin and Flower come from public images only (in no Debian release; PyPI is unreachable here): never
        // started here, but both files must still hold together with them.
        var compose = Path.Combine(Kit.Root, App, "compose");
        string[] Services(params string[] more)
        {
            var result = Kit.Docker(["compose", "--env-file", Path.Combine(Kit.Root, App, ".env.example"), "-f", Path.Combine(compose, "compose.yaml"),
                "-f", Path.Combine(compose, "compose.dev.yaml"), .. more, "config", "--services"]);
            Assert.That(result.ExitCode, Is.Zero, result.ToString());
            return result.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Order(StringComparer.Ordinal).ToArray();
        }

        Assert.That(Services("--profile", "tools"), Is.EqualTo(new[] { "backend", "beat", "db", "flower", "frontend", "nginx", "pgadmin", "redis", "worker" }));
        Assert.That(Services(), Is.EqualTo(new[] { "backend", "beat", "db", "frontend", "nginx", "redis", "worker" }), "DevUp starts the seven without the tools profile");
    }

    [Test]
    [DependsOnTest(nameof(DevUp_brings_django_the_worker_beat_and_nginx_up_migrated_and_seeded_by_manage_py), AllowFailure = true)]
    public async Task Nginx_serves_the_vite_page_its_hot_module_reload_websocket_and_django()
    {
        using var http = Http();

        var page = await http.GetStringAsync(Site("/"));
        Assert.That(page, Does.Contain("<div id=\"root\"></div>").And.Contain("/@vite/client"), "Vite's dev page through nginx");
        Assert.That(await http.GetStringAsync(Site("/src/summary.js")), Does.Contain("export const headline"), "a module as Vite serves it");
        var css = await http.GetAsync(Site("/static/admin/css/base.css"));
        Assert.That(css.StatusCode, Is.EqualTo(HttpStatusCode.OK), "/static/ goes to Django");
        Assert.That(await http.GetStringAsync(Site("/api/version")), Does.Contain("\"service\""), "/api/ goes to Django");

        // What the browser's HMR client opens: a websocket to the page's own origin, through nginx's upgrade to Vite,
        // which greets it with {"type":"connected"}.
        using var socket = new ClientWebSocket();
        socket.Options.AddSubProtocol("vite-hmr");
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var site = Site("/");
        await socket.ConnectAsync(new Uri($"ws://{site.Authority}/"), timeout.Token);
        var buffer = new byte[4096];
        var received = await socket.ReceiveAsync(buffer, timeout.Token);
        Assert.That(Encoding.UTF8.GetString(buffer, 0, received.Count), Does.Contain("\"type\":\"connected\""), "Vite's HMR greeting through nginx");
        await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", timeout.Token);
    }

    [Test]
    [DependsOnTest(nameof(Nginx_serves_the_vite_page_its_hot_module_reload_websocket_and_django), AllowFailure = true)]
    public async Task A_front_end_edit_is_served_by_vite_through_nginx_without_a_rebuild_or_restart()
    {
        var container = stack.Container("frontend");
        var before = Kit.Docker("inspect", "--format", "{{.Image}} {{.State.StartedAt}}", container).Output.Trim();
        var original = await File.ReadAllTextAsync(SummaryFile);
        var marker = "Edited by the E2E test " + Guid.NewGuid().ToString("N")[..8];
        using var http = Http();
        try
        {
            await File.WriteAllTextAsync(SummaryFile, Regex.Replace(original, "(?m)^export const headline = .*$", $"export const headline = '{marker}';"));

            // What the browser's hot module reload fetches: the module as Vite serves it from the bind-mounted source.
            var clock = Stopwatch.StartNew();
            var served = await SampleApp.ServesAsync(http, Site("/src/summary.js"), marker, clock, TimeSpan.FromSeconds(30));

            Assert.That(served, Is.True, $"the edit was not served within {clock.Elapsed.TotalSeconds:0} s");
            TestContext.Progress.WriteLine($"DjangoSampleTests: the front-end edit was served after {clock.Elapsed.TotalSeconds:0.00} s");
        }
        finally
        {
            await File.WriteAllTextAsync(SummaryFile, original);
        }

        var after = Kit.Docker("inspect", "--format", "{{.Image}} {{.State.StartedAt}}", container).Output.Trim();
        Assert.That(after, Is.EqualTo(before), "the frontend container was recreated or restarted for a source edit");
    }

    [Test]
    [DependsOnTest(nameof(A_front_end_edit_is_served_by_vite_through_nginx_without_a_rebuild_or_restart), AllowFailure = true)]
    public async Task A_job_the_web_app_queues_is_processed_by_the_celery_worker()
    {
        using var http = Http();

        var job = await ProcessAsync(http, "one two three four", TimeSpan.FromMinutes(2));

        Assert.That(job.GetProperty("words").GetInt32(), Is.EqualTo(4));
        Assert.That(job.GetProperty("processedBy").GetString(), Does.StartWith("jobs-v1@"), "processed by the worker's code (tasks.PROCESSOR)");
    }

    [Test]
    [DependsOnTest(nameof(A_job_the_web_app_queues_is_processed_by_the_celery_worker), AllowFailure = true)]
    public async Task Beat_schedules_the_heartbeat_and_the_worker_runs_it()
    {
        using var http = Http();
        var beats = 0;
        var clock = Stopwatch.StartNew();
        while (beats < 2 && clock.Elapsed < TimeSpan.FromMinutes(1))
        {
            using var document = JsonDocument.Parse(await http.GetStringAsync(Site("/api/heartbeat")));
            beats = document.RootElement.GetProperty("beats").GetInt32();
            if (beats < 2)
            {
                await Task.Delay(TimeSpan.FromSeconds(1));
            }
        }

        Assert.That(beats, Is.GreaterThanOrEqualTo(2), "beat sends the heartbeat every BEAT_INTERVAL_SECONDS (2 s here) and the worker runs it");
    }

    [Test]
    [DependsOnTest(nameof(Beat_schedules_the_heartbeat_and_the_worker_runs_it), AllowFailure = true)]
    public async Task The_worker_restarts_on_a_source_edit_and_runs_the_new_code()
    {
        var before = stack.Container("worker");
        Assert.That(before, Is.Not.Empty.And.Not.Contain('\n'), "expected one running worker container");
        tasksOriginal = await File.ReadAllTextAsync(TasksFile);
        var marker = "edited-" + Guid.NewGuid().ToString("N")[..8];
        var clock = Stopwatch.StartNew();
        await File.WriteAllTextAsync(TasksFile, Regex.Replace(tasksOriginal, "PROCESSOR = \".*\"", $"PROCESSOR = \"{marker}\""));

        // watchmedo sees the edit on the bind mount and restarts the worker process inside the running container; a job
        // queued meanwhile waits in Redis for it.
        using var http = Http();
        var processedBy = "";
        while (!processedBy.StartsWith(marker, StringComparison.Ordinal) && clock.Elapsed < TimeSpan.FromMinutes(3))
        {
            var job = await ProcessAsync(http, "after the edit", TimeSpan.FromMinutes(2));
            processedBy = job.GetProperty("processedBy").GetString() ?? "";
        }

        TestContext.Progress.WriteLine($"DjangoSampleTests: the worker ran the edited task after {clock.Elapsed.TotalSeconds:0.0} s");
        Assert.That(processedBy, Does.StartWith(marker), "the worker still runs the old code after the edit");
        Assert.That(stack.Container("worker"), Is.EqualTo(before), "the worker container was replaced: the running one should restart its process");
        RestoreTasks();
    }

    [Test]
    [DependsOnTest(nameof(The_worker_restarts_on_a_source_edit_and_runs_the_new_code), AllowFailure = true)]
    public void Migrate_DbReset_and_Seed_run_manage_py_in_one_off_containers()
    {
        var migrate = Kit.Run(null, TimeSpan.FromMinutes(3), ["--target=Migrate", .. Arguments()]);
        Assert.That(migrate.ExitCode, Is.Zero, migrate.ToString());
        Assert.That(migrate.Output, Does.Contain("run --rm --no-deps -T backend python manage.py migrate --noinput"), migrate.ToString());
        Assert.That(migrate.Output, Does.Contain("No migrations to apply"), "DevUp migrated already: Django's own history says so");

        // DbReset drops the public schema, then Django's migrate recreates every table and loaddata seeds the profile.
        var reset = Kit.Run(null, TimeSpan.FromMinutes(3), ["--target=DbReset", "--seed=base", .. Arguments()]);
        Assert.That(reset.ExitCode, Is.Zero, reset.ToString());
        Assert.That(reset.Output, Does.Contain("Applying jobs.0001_initial"), reset.ToString());
        Assert.That(reset.Output, Does.Contain("the app's migration command ran, seeded profile 'base'"), reset.ToString());
        Assert.That(Sql("SELECT to_regclass('public.jobs_job') IS NOT NULL"), Is.EqualTo("t"), "manage.py migrate created the table");
        Assert.That(Sql("SELECT count(*) FROM django_migrations WHERE app = 'jobs' AND name = '0001_initial'"), Is.EqualTo("1"));
        Assert.That(Sql("SELECT count(*) FROM jobs_job"), Is.EqualTo("1"), "the base fixture holds one job (the jobs queued before the reset are gone)");

        var seed = Kit.Run(null, TimeSpan.FromMinutes(3), ["--target=Seed", "--seed=demo", .. Arguments()]);
        Assert.That(seed.ExitCode, Is.Zero, seed.ToString());
        Assert.That(seed.Output, Does.Contain("python manage.py loaddata demo"), seed.ToString());
        Assert.That(Sql("SELECT count(*) FROM jobs_job"), Is.EqualTo("3"), "loaddata demo installed the demo fixture");
    }

    [Test]
    [DependsOnTest(nameof(Migrate_DbReset_and_Seed_run_manage_py_in_one_off_containers), AllowFailure = true)]
    public void Test_counts_the_django_and_the_front_end_tests()
    {
        var test = Kit.Run(null, TimeSpan.FromMinutes(10), "--target=Test", $"--app={App}");

        Assert.That(test.ExitCode, Is.Zero, test.ToString());
        Assert.That(test.Output, Does.Contain("tests: 11 passed, 0 failed"), "3 pytest and 8 vitest tests, from their JUnit reports\n" + test);
    }

    [Test]
    [DependsOnTest(nameof(Test_counts_the_django_and_the_front_end_tests), AllowFailure = true)]
    public void The_final_image_serves_django_with_gunicorn_as_a_non_root_user()
    {
        // local-prod's image (the final target); its dependency layers are the dev image's, so this build is short.
        var build = Kit.Run(null, TimeSpan.FromMinutes(10), "--target=BuildImages", $"--app={App}", "--env=local-prod");
        Assert.That(build.ExitCode, Is.Zero, build.ToString());

        const string image = "kit-django-sample/backend:dev";
        var user = Kit.Docker("image", "inspect", "--format", "{{.Config.User}} {{range .Config.Env}}{{.}} {{end}}", image);
        Assert.That(user.Output, Does.StartWith("10001:10001 ").And.Contain("APP_SERVER=wsgi"), user.ToString());
        // What python-serve runs: gunicorn's WSGI app loads (Django set up from the settings, no database needed).
        var probe = Kit.Docker("run", "--rm", "--network", "none", "--read-only", image,
            "python", "-c", "import os, gunicorn, project.wsgi; print(os.getuid(), type(project.wsgi.application).__name__)");
        Assert.That(probe.ExitCode, Is.Zero, probe.ToString());
        Assert.That(probe.Output.Trim(), Is.EqualTo("10001 WSGIHandler"), probe.ToString());

        var frontend = Kit.Docker("image", "inspect", "--format", "{{.Config.User}}", "kit-django-sample/frontend:dev");
        Assert.That(frontend.Output.Trim(), Is.EqualTo("101:101"), "the front end's final image (nginx serving the build): " + frontend);
    }

    [Test]
    [DependsOnTest(nameof(The_final_image_serves_django_with_gunicorn_as_a_non_root_user), AllowFailure = true)]
    public void DevDown_with_volumes_removes_the_dev_stack() => SampleApp.AssertDevDownRemovesEverything(App, stack);

    [Test]
    [DependsOnTest(nameof(DevDown_with_volumes_removes_the_dev_stack), AllowFailure = true)]
    public async Task Local_prod_serves_the_built_page_and_django_with_every_process_non_root()
    {
        var up = Kit.Run(null, DevUpTimeout, ["--target=DevUp", "--env=local-prod", .. SampleApp.Arguments(App, prod)]);
        Assert.That(up.ExitCode, Is.Zero, up.ToString());
        foreach (var (service, user) in new[] { ("nginx", "101"), ("frontend", "101"), ("backend", "10001"), ("worker", "10001"), ("beat", "10001") })
        {
            // PID 1's real user: what the service runs as, whatever `docker exec` would default to
            var status = Kit.Docker("exec", prod.Container(service), "sh", "-c", "grep '^Uid:' /proc/1/status");
            Assert.That(status.Output, Does.Match($@"^Uid:\s+{user}\s"), $"{service}: {status}");
        }

        using var http = Http();
        var page = await http.GetStringAsync(Site(prod, "/"));
        Assert.That(page, Does.Not.Contain("/@vite/client"), "the built page, not Vite's");
        var asset = Regex.Match(page, "/assets/[^\"]+\\.js").Value;
        Assert.That(asset, Is.Not.Empty, "the built index.html names a hashed script: " + page);
        using var request = new HttpRequestMessage(HttpMethod.Get, Site(prod, asset));
        request.Headers.AcceptEncoding.ParseAdd("gzip");
        using var script = await http.SendAsync(request);
        Assert.That(script.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(script.Content.Headers.ContentEncoding, Does.Contain("gzip"));
        Assert.That(script.Headers.CacheControl?.ToString(), Does.Contain("immutable"), "the front end's image caches hashed assets");

        var jobs = await JsonDocument.ParseAsync(await http.GetStreamAsync(Site(prod, "/api/jobs")));
        Assert.That(jobs.RootElement.GetProperty("jobs").GetArrayLength(), Is.EqualTo(3), "gunicorn serves the demo fixture through nginx");
        var css = await http.GetAsync(Site(prod, "/static/admin/css/base.css"));
        Assert.That(css.StatusCode, Is.EqualTo(HttpStatusCode.OK), "the admin's static files under gunicorn");
    }

    [Test]
    [DependsOnTest(nameof(Local_prod_serves_the_built_page_and_django_with_every_process_non_root), AllowFailure = true)]
    public void DevDown_removes_the_local_prod_stack_last()
    {
        var down = Kit.Run(["--target=DevDown", "--env=local-prod", "--volumes", $"--confirm={prod.Name}", .. SampleApp.Arguments(App, prod)]);

        Assert.That(down.ExitCode, Is.Zero, down.ToString());
        Assert.That(prod.Containers(), Is.Empty, "DevDown --volumes left containers");
    }

    /// <summary>
    /// POST /api/jobs through nginx, then GET /api/jobs/{id} until the worker marks it done. runserver restarts too when
    /// a source file changes: while it does, nginx answers 502 and the request is tried again.
    /// </summary>
    private async Task<JsonElement> ProcessAsync(HttpClient http, string text, TimeSpan timeout)
    {
        var id = await RetriedWhileRestartingAsync(async () =>
        {
            var queued = await http.PostAsync(Site("/api/jobs"), new StringContent(JsonSerializer.Serialize(new { text }), Encoding.UTF8, "application/json"));
            var body = await queued.Content.ReadAsStringAsync();
            if ((int)queued.StatusCode >= 500)
            {
                return (long?)null;
            }

            Assert.That(queued.StatusCode, Is.EqualTo(HttpStatusCode.Accepted), body);
            return JsonDocument.Parse(body).RootElement.GetProperty("id").GetInt64();
        });

        var clock = Stopwatch.StartNew();
        while (true)
        {
            var job = await RetriedWhileRestartingAsync(async () =>
            {
                var response = await http.GetAsync(Site($"/api/jobs/{id}"));
                return (int)response.StatusCode >= 500 ? (JsonElement?)null : JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
            });
            if (job.GetProperty("status").GetString() == "done")
            {
                return job;
            }

            Assert.That(clock.Elapsed, Is.LessThan(timeout), $"job {id} was not processed within {timeout.TotalSeconds:0} s: {job}");
            await Task.Delay(TimeSpan.FromMilliseconds(500));
        }
    }

    /// <summary>
    /// The request's answer, asked again (for at most a minute) while the server restarts: null, no connection, or no
    /// answer within the client's timeout.
    /// </summary>
    private static async Task<T> RetriedWhileRestartingAsync<T>(Func<Task<T?>> request)
        where T : struct
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                if (await request() is { } answer)
                {
                    return answer;
                }
            }
            catch (HttpRequestException) when (clock.Elapsed < TimeSpan.FromMinutes(1))
            {
                // nginx is up, Django is restarting: no answer yet
            }
            catch (TaskCanceledException) when (clock.Elapsed < TimeSpan.FromMinutes(1))
            {
                // the client's 10 s passed while runserver was still starting (a loaded machine): ask again
            }

            Assert.That(clock.Elapsed, Is.LessThan(TimeSpan.FromMinutes(1)), "Django did not answer for a minute");
            await Task.Delay(TimeSpan.FromMilliseconds(500));
        }
    }

    private async Task<JsonElement[]> JobsAsync(HttpClient http) =>
        JsonDocument.Parse(await http.GetStringAsync(Site("/api/jobs"))).RootElement.GetProperty("jobs").EnumerateArray().ToArray();

    /// <summary>One value from psql inside the stack's db container.</summary>
    private string Sql(string query)
    {
        var result = Kit.Docker("exec", stack.Container("db"), "psql", "-U", "app", "-d", "app", "-tAc", query);
        Assert.That(result.ExitCode, Is.Zero, result.ToString());
        return result.Output.Trim();
    }

    private void RestoreTasks()
    {
        if (tasksOriginal is not null)
        {
            File.WriteAllText(TasksFile, tasksOriginal);
            tasksOriginal = null;
        }
    }

    private static HttpClient Http() => new() { Timeout = TimeSpan.FromSeconds(10) };
}
