using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using E2E.Tests.Support;

namespace E2E.Tests;

/// <summary>
/// The Django sample (samples/django: Django, a Celery worker and beat, nginx in front, PostgreSQL, Redis) adopted by
/// its app folder alone, on a real Docker engine with the offline stand-ins (kit-offline/python-django: Debian trixie's
/// Django and Celery). One dev stack for the whole class: DevUp once (the dev image; Django's own migrate and loaddata
/// as the app's migration and seed commands), a job queued through nginx and processed by the worker, beat's
/// heartbeat, the worker restarted by watchmedo on a source edit, Migrate, DbReset and Seed through manage.py, the
/// final image (gunicorn WSGI, non-root), then DevDown. The tests run in a chain (DependsOnTest, each one even when the one before failed) so that DevDown
/// --volumes comes last. The class adds two image builds (dev, final; they share the dependency layers) and one dev
/// stack start to a run.
/// E2E_STACK_PREFIX and E2E_PORT_OFFSET pick the compose project's prefix and the host-port offset when the engine is
/// shared with other stacks.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class DjangoSampleTests
{
    private const string App = "samples/django";
    private static readonly TimeSpan DevUpTimeout = TimeSpan.FromMinutes(10);
    private static readonly string TasksFile = Path.Combine(Kit.Root, App, "backend", "jobs", "tasks.py");

    // beat's schedule, short so the heartbeat test waits seconds, not the default 10 s per beat
    private static readonly Dictionary<string, string?> FastBeat = new() { ["BEAT_INTERVAL_SECONDS"] = "2" };
    private Stack stack = null!;
    private Kit.Result up = null!;
    private string? tasksOriginal;

    private Uri Site(string pathAndQuery) => new($"http://127.0.0.1:{AppConfig.HostPort(App, "HTTP_PORT") + stack.PortOffset}{pathAndQuery}");

    private string[] Arguments(params string[] more) => SampleApp.Arguments(App, stack, more);

    [OneTimeSetUp]
    public void StandInsAndOneDevStack()
    {
        Kit.RequireEngine();
        stack = SampleApp.NewStack("dj");
        Kit.PrepareBaseImages(App);
        up = Kit.Run(FastBeat, DevUpTimeout, ["--target=DevUp", .. Arguments()]);
        TestContext.Progress.WriteLine($"DjangoSampleTests: DevUp took {up.Duration.TotalSeconds:0.0} s");
    }

    [OneTimeTearDown]
    public void RemoveStackAndRestoreSource()
    {
        RestoreTasks();
        stack?.Dispose();
    }

    [Test]
    public async Task DevUp_brings_django_the_worker_beat_and_nginx_up_migrated_and_seeded_by_manage_py()
    {
        Assert.That(up.ExitCode, Is.Zero, up.ToString());
        foreach (var service in new[] { "backend", "worker", "nginx", "db", "redis" })
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
    [DependsOnTest(nameof(DevUp_brings_django_the_worker_beat_and_nginx_up_migrated_and_seeded_by_manage_py), AllowFailure = true)]
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
    }

    [Test]
    [DependsOnTest(nameof(The_final_image_serves_django_with_gunicorn_as_a_non_root_user), AllowFailure = true)]
    public void DevDown_with_volumes_removes_the_stack_last() => SampleApp.AssertDevDownRemovesEverything(App, stack);

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

    /// <summary>The request's answer, asked again (for at most a minute) while the server restarts: null or no connection.</summary>
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
