using System.Net;
using System.Net.Sockets;
using E2E.Tests.Support;

namespace E2E.Tests;

/// <summary>
/// The Dev tasks against a real Docker engine, on the offline stand-in base images (no registry is needed). Every
/// test runs its own compose project with a random name and port offset and removes it afterwards. Sequential on
/// purpose: the machine is small.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class DevStackTests
{
    private static readonly TimeSpan DevUpTimeout = TimeSpan.FromMinutes(6);
    private readonly List<Stack> stacks = [];

    [OneTimeSetUp]
    public void EngineAndBaseImages()
    {
        Kit.RequireEngine();

        // The base images (the stand-ins and their overlay, or the public ones: Kit.PublicImages), then every configured image.
        Kit.PrepareBaseImages();
        var images = Kit.Run(null, TimeSpan.FromMinutes(15), "--target=BuildImages");
        Assert.That(images.ExitCode, Is.Zero, images.ToString());
    }

    [TearDown]
    public void RemoveStacks()
    {
        foreach (var stack in stacks)
        {
            stack.Dispose();
            Assert.That(stack.Containers(), Is.Empty, $"containers of {stack.Name} left behind");
            Assert.That(stack.Volumes(), Is.Empty, $"volumes of {stack.Name} left behind");
        }

        stacks.Clear();
    }

    [Test]
    public async Task DevUp_reaches_all_healthy_and_prints_the_url_table()
    {
        var stack = NewStack();

        var result = Kit.Run(null, DevUpTimeout, ["--target=DevUp", .. stack.Arguments()]);

        Assert.That(result.ExitCode, Is.Zero, result.ToString());
        Assert.That(result.Output, Does.Contain("All healthy after"));
        foreach (var service in new[] { "api", "db", "cache", "proxy" })
        {
            Assert.That(result.Output, Does.Match($@"(?m)^\s+{service}\s+running \(healthy\)"), result.ToString());
        }

        Assert.That(result.Output, Does.Contain($"http://127.0.0.1:{stack.ApiPort}"));
        Assert.That(result.Output, Does.Not.Contain(Kit.DatabasePassword), "the database password was printed");
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        var health = await http.GetAsync(new Uri($"http://127.0.0.1:{stack.ApiPort}/health"));
        Assert.That(health.StatusCode, Is.EqualTo(HttpStatusCode.OK), await health.Content.ReadAsStringAsync());
        var version = await http.GetStringAsync(new Uri($"http://127.0.0.1:{stack.ApiPort}/version"));
        Assert.That(version, Does.Contain("\"commit\""));

        // DevUp ran Migrate and Seed: the sample's table exists and holds the demo rows.
        var items = await http.GetAsync(new Uri($"http://127.0.0.1:{stack.ApiPort}/items"));
        Assert.That(items.StatusCode, Is.EqualTo(HttpStatusCode.OK), await items.Content.ReadAsStringAsync());
        Assert.That(await items.Content.ReadAsStringAsync(), Does.Contain("Welcome"));
    }

    [Test]
    public async Task Backup_restore_and_reset_run_against_the_compose_database()
    {
        var stack = NewStack();
        var up = Kit.Run(null, DevUpTimeout, ["--target=DevUp", .. stack.Arguments()]);
        Assert.That(up.ExitCode, Is.Zero, up.ToString());
        var created = new List<string>();
        try
        {
            // pg_dump runs inside the stack's own db container, so client and server versions always match.
            var backup = Kit.Run(null, TimeSpan.FromMinutes(3), ["--target=Backup", "--verify", .. stack.Arguments()]);
            created.AddRange(BackupFolders(backup.Output));
            Assert.That(backup.ExitCode, Is.Zero, backup.ToString());
            Assert.That(backup.Output, Does.Match($@"docker compose -p {stack.Name} .* exec -T -e PGPASSWORD db pg_dump"));
            Assert.That(backup.Output, Does.Contain("counts match the manifest").Or.Contain("row counts match"));
            Assert.That(backup.Output, Does.Not.Contain(Kit.DatabasePassword));

            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
            var added = await http.PostAsync(
                new Uri($"http://127.0.0.1:{stack.ApiPort}/items"),
                new StringContent("{\"name\":\"after the backup\"}", System.Text.Encoding.UTF8, "application/json"));
            Assert.That(added.IsSuccessStatusCode, Is.True, await added.Content.ReadAsStringAsync());

            var restore = Kit.Run(null, TimeSpan.FromMinutes(3), ["--target=Restore", "--backup=latest", .. stack.Arguments()]);
            created.AddRange(BackupFolders(restore.Output));
            Assert.That(restore.ExitCode, Is.Zero, restore.ToString());
            var afterRestore = await ItemsAfterSessionsEnded(http, stack);
            Assert.That(afterRestore, Does.Not.Contain("after the backup"), "the restore brought back the state of the backup");

            var reset = Kit.Run(null, TimeSpan.FromMinutes(3), ["--target=DbReset", .. stack.Arguments()]);
            created.AddRange(BackupFolders(reset.Output));
            Assert.That(reset.ExitCode, Is.Zero, reset.ToString());
            // The reset builds the new database beside the live one and swaps it in: the replaced one stays aside.
            Assert.That(reset.Output, Does.Match(@"The new database took the name \w+; the replaced one is aside as \w+__aside__\d{8}_\d{6}"));
            Assert.That(await ItemsAfterSessionsEnded(http, stack), Does.Contain("Welcome"));
        }
        finally
        {
            foreach (var folder in created.Distinct())
            {
                Directory.Delete(Path.Combine(Kit.Root, folder), recursive: true);
            }
        }
    }

    /// <summary>
    /// Restore and DbReset end every other session, the api's pooled connections included: its next request or two
    /// fail while the pool reconnects, as they would for any client.
    /// </summary>
    private static async Task<string> ItemsAfterSessionsEnded(HttpClient http, Stack stack)
    {
        for (var attempt = 1; ; attempt++)
        {
            var response = await http.GetAsync(new Uri($"http://127.0.0.1:{stack.ApiPort}/items"));
            if (response.IsSuccessStatusCode || attempt == 10)
            {
                Assert.That(response.IsSuccessStatusCode, Is.True, await response.Content.ReadAsStringAsync());
                return await response.Content.ReadAsStringAsync();
            }

            await Task.Delay(TimeSpan.FromSeconds(1));
        }
    }

    /// <summary>The backup folders a run reported writing (only those are removed afterwards, never a developer's own).</summary>
    private static IEnumerable<string> BackupFolders(string output) =>
        System.Text.RegularExpressions.Regex.Matches(output, @"(backups/local-prod/\d{8}_\d{6})")
            .Select(m => m.Groups[1].Value)
            .Where(f => Directory.Exists(Path.Combine(Kit.Root, f)));

    [Test]
    public void DevDown_keeps_volumes_and_removes_them_only_with_the_typed_project_name()
    {
        var stack = NewStack();
        var up = Kit.Run(null, DevUpTimeout, ["--target=DevUp", "--skip-build", .. stack.Arguments()]);
        Assert.That(up.ExitCode, Is.Zero, up.ToString());

        var down = Kit.Run(["--target=DevDown", .. stack.Arguments()]);
        Assert.That(down.ExitCode, Is.Zero, down.ToString());
        Assert.That(stack.Containers(), Is.Empty);
        Assert.That(stack.Volumes(), Does.Contain($"{stack.Name}_db-data"));
        Assert.That(down.Output, Does.Contain("volumes kept"));

        var refused = Kit.Run(["--target=DevDown", "--volumes", .. stack.Arguments()]);
        Assert.That(refused.ExitCode, Is.EqualTo(2), refused.ToString());
        var errorLines = refused.Output.Split('\n').Where(l => l.Contains("--confirm", StringComparison.Ordinal)).ToArray();
        Assert.That(errorLines, Has.Length.EqualTo(1), refused.ToString());
        Assert.That(errorLines[0], Does.Contain($"--confirm={stack.Name}"));
        Assert.That(stack.Volumes(), Does.Contain($"{stack.Name}_db-data"), "a refused DevDown removed data");

        var wrong = Kit.Run(["--target=DevDown", "--volumes", "--confirm=someone-else", .. stack.Arguments()]);
        Assert.That(wrong.ExitCode, Is.EqualTo(2), wrong.ToString());

        var removed = Kit.Run(["--target=DevDown", "--volumes", $"--confirm={stack.Name}", .. stack.Arguments()]);
        Assert.That(removed.ExitCode, Is.Zero, removed.ToString());
        Assert.That(stack.Volumes(), Is.Empty);
    }

    [Test]
    public void BuildImages_a_second_time_skips_the_unchanged_images()
    {
        var first = Kit.Run(null, TimeSpan.FromMinutes(15), "--target=BuildImages");
        Assert.That(first.ExitCode, Is.Zero, first.ToString());

        var second = Kit.Run(null, TimeSpan.FromMinutes(5), "--target=BuildImages");

        Assert.That(second.ExitCode, Is.Zero, second.ToString());
        Assert.That(second.Output, Does.Contain("api: unchanged (inputs"), second.ToString());
        Assert.That(second.Output, Does.Contain("api-dev: unchanged (inputs"), second.ToString());
        Assert.That(second.Output, Does.Not.Contain("> docker build"), second.ToString());
        var labels = Kit.Docker("image", "inspect", "--format", "{{index .Config.Labels \"org.example.kit.inputs-hash\"}} {{index .Config.Labels \"org.opencontainers.image.revision\"}}", $"{AppConfig.Repository("api")}:dev");
        Assert.That(labels.Output.Trim(), Does.Match("^[0-9a-f]{64} [0-9a-f]{40}$"), labels.ToString());
    }

    [Test]
    public void A_service_that_turns_unhealthy_fails_DevUp_with_its_health_output_and_logs()
    {
        var stack = NewStack();
        var root = BrokenKitRoot();
        try
        {
            var result = Kit.RunInRoot(root, null, DevUpTimeout, ["--target=DevUp", "--skip-build", "--env=broken", $"--project-name={stack.Name}", $"--port-offset={stack.PortOffset}"]);

            Assert.That(result.ExitCode, Is.Not.Zero, result.ToString());
            Assert.That(result.Duration, Is.LessThan(TimeSpan.FromSeconds(120)), result.ToString());
            Assert.That(result.Output, Does.Contain("--- last health check"), result.ToString());
            Assert.That(result.Output, Does.Contain("e2e probe: /health answered 503"), result.ToString());
            Assert.That(result.Output, Does.Contain("--- last 50 log lines of"), result.ToString());
            Assert.That(result.Output, Does.Match("Service 'api' .*unhealthy|api is running \\(unhealthy\\)"), result.ToString());
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Test]
    public void An_env_overlay_that_moves_the_database_port_moves_the_container_and_the_database_tasks_together()
    {
        var stack = NewStack();
        var root = Kit.ScratchRoot("kit-e2e-");
        try
        {
            // As a team's .env.offline (or any overlay of config/docker.json) would: compose and the kit read it by one rule.
            File.AppendAllText(Path.Combine(root, ".env.offline"), "\nPOSTGRES_PORT=6543\n");
            var expected = 6543 + stack.PortOffset;

            // DevUp's Migrate and Seed connect from this machine: they reach the database only on the port compose published.
            var up = Kit.RunInRoot(root, null, DevUpTimeout, ["--target=DevUp", "--skip-build", .. stack.Arguments()]);
            var published = Kit.Docker("ps", "--filter", $"label=com.docker.compose.project={stack.Name}", "--filter", "label=com.docker.compose.service=db", "--format", "{{.Ports}}");
            var migrate = Kit.RunInRoot(root, null, TimeSpan.FromMinutes(2), ["--target=Migrate", "--verbosity=diagnostic", .. stack.Arguments()]);

            Assert.That(up.ExitCode, Is.Zero, up.ToString());
            Assert.That(published.Output, Does.Contain($":{expected}->5432/tcp"), published.ToString());
            Assert.That(migrate.ExitCode, Is.Zero, migrate.ToString());
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Test]
    public async Task Two_stacks_run_side_by_side()
    {
        var first = NewStack();
        var second = NewStack();

        var upFirst = Kit.Run(null, DevUpTimeout, ["--target=DevUp", "--skip-build", .. first.Arguments()]);
        var upSecond = Kit.Run(null, DevUpTimeout, ["--target=DevUp", "--skip-build", .. second.Arguments()]);

        Assert.That(upFirst.ExitCode, Is.Zero, upFirst.ToString());
        Assert.That(upSecond.ExitCode, Is.Zero, upSecond.ToString());
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        foreach (var stack in new[] { first, second })
        {
            var health = await http.GetAsync(new Uri($"http://127.0.0.1:{stack.ApiPort}/health"));
            Assert.That(health.StatusCode, Is.EqualTo(HttpStatusCode.OK), stack.Name);
        }

        var status = Kit.Run(["--target=Status", .. first.Arguments()]);
        Assert.That(status.ExitCode, Is.Zero, status.ToString());
        Assert.That(status.Output, Does.Match(@"(?m)^\s+api\s+running \(healthy\)"), status.ToString());
        Assert.That(status.Output, Does.Contain($"http://127.0.0.1:{first.ApiPort}"));

        // Without --port-offset, Status still shows the ports the stack really publishes.
        var plain = Kit.Run($"--target=Status", $"--env={Stack.Environment}", $"--project-name={second.Name}");
        Assert.That(plain.ExitCode, Is.Zero, plain.ToString());
        Assert.That(plain.Output, Does.Contain($"http://127.0.0.1:{second.ApiPort}"), plain.ToString());
    }

    [Test]
    public void A_busy_host_port_is_named_in_the_preflight_error()
    {
        var stack = NewStack();
        using var squatter = new TcpListener(IPAddress.Loopback, stack.ApiPort);
        squatter.Start();

        var result = Kit.Run(null, DevUpTimeout, ["--target=DevUp", "--skip-build", .. stack.Arguments()]);

        Assert.That(result.ExitCode, Is.EqualTo(1), result.ToString());
        Assert.That(result.Output, Does.Contain($"Port 127.0.0.1:{stack.ApiPort} (service api, API_PORT) is in use by process"), result.ToString());
        Assert.That(result.Output, Does.Contain($"(pid {Environment.ProcessId})"), result.ToString());
        Assert.That(stack.Containers(), Is.Empty, "the stack started although the preflight failed");
    }

    [Test]
    public void Compose_v1_brings_the_stack_up_and_down()
    {
        var stack = NewStack();
        var v1 = new Dictionary<string, string?> { ["KIT_COMPOSE"] = "v1" };

        var up = Kit.Run(v1, DevUpTimeout, ["--target=DevUp", "--skip-build", .. stack.Arguments()]);

        Assert.That(up.ExitCode, Is.Zero, up.ToString());
        Assert.That(up.Output, Does.Contain("> docker-compose -p " + stack.Name));
        Assert.That(up.Output, Does.Contain("Compose v1"));
        Assert.That(up.Output, Does.Match(@"(?m)^\s+api\s+running \(healthy\)"), up.ToString());
        var down = Kit.Run(v1, TimeSpan.FromMinutes(3), ["--target=DevDown", .. stack.Arguments()]);
        Assert.That(down.ExitCode, Is.Zero, down.ToString());
        Assert.That(stack.Containers(), Is.Empty);
    }

    private Stack NewStack()
    {
        var stack = new Stack();
        stacks.Add(stack);
        return stack;
    }

    /// <summary>A kit root sharing this checkout's compose files and sources, whose config adds an environment 'broken'.</summary>
    private static string BrokenKitRoot()
    {
        var root = Kit.ScratchRoot("kit-e2e-");
        File.Copy(Path.Combine(AppContext.BaseDirectory, "assets", "unhealthy-api.yaml"), Path.Combine(root, "unhealthy-api.yaml"));
        var docker = Path.Combine(root, "config", "docker.json");
        var text = File.ReadAllText(docker);
        const string Anchor = "\"environments\": {";
        Assert.That(text, Does.Contain(Anchor));
        text = text.Replace(
            Anchor,
            Anchor + "\n    \"broken\": { \"files\": [\"compose/compose.yaml\", \"compose/compose.prod.yaml\", \"unhealthy-api.yaml\"], \"images\": [\"api\"] },",
            StringComparison.Ordinal);
        File.WriteAllText(docker, text);

        // Every environment a task uses is declared in project.json too: the run checks it before the first task.
        var project = Path.Combine(root, "config", "project.json");
        var projectText = File.ReadAllText(project);
        Assert.That(projectText, Does.Contain(Anchor));
        File.WriteAllText(project, projectText.Replace(Anchor, Anchor + "\n    \"broken\": { \"description\": \"an api that turns unhealthy\", \"local\": true },", StringComparison.Ordinal));

        // DevUp migrates and seeds: the environment's database is the stack's db service, as for dev.
        var database = Path.Combine(root, "config", "database.json");
        var databaseText = File.ReadAllText(database);
        Assert.That(databaseText, Does.Contain(Anchor));
        File.WriteAllText(database, databaseText.Replace(
            Anchor,
            Anchor + """

                "broken": {
                  "compose": { "service": "db" },
                  "host": "127.0.0.1",
                  "port": { "variable": "POSTGRES_PORT", "default": "5432" },
                  "addPortOffset": true,
                  "database": { "variable": "POSTGRES_DB", "default": "app" },
                  "username": { "variable": "POSTGRES_USER", "default": "app" },
                  "password": { "variable": "POSTGRES_PASSWORD" }
                },
            """,
            StringComparison.Ordinal));
        return root;
    }
}
