using System.Net;
using System.Net.Sockets;
using Build.Docker;

namespace Build.Tests.Docker;

public sealed class ComposeStateTests
{
    [Test]
    public void Compose_v2_config_gives_services_and_long_syntax_ports_without_disabled_profiles()
    {
        const string Yaml = """
            name: p1
            services:
              api:
                ports:
                  - mode: ingress
                    host_ip: 127.0.0.1
                    target: 8080
                    published: "8180"
                    protocol: tcp
              db:
                image: postgres:15
              pgadmin:
                profiles: ["tools"]
                ports:
                  - published: "5050"
                    target: 80
            """;

        var model = ComposeModel.Parse(Yaml, []);

        Assert.That(model.Services, Is.EqualTo(new[] { "api", "db" }));
        Assert.That(model.Ports, Is.EqualTo(new[] { new PublishedPort("api", "127.0.0.1", 8180, 8080) }));
        Assert.That(ComposeModel.Parse(Yaml, ["tools"]).Services, Does.Contain("pgadmin"));
    }

    [Test]
    public void Compose_v1_short_port_syntax_is_understood()
    {
        const string Yaml = """
            services:
              cache:
                ports:
                - 127.0.0.1:6479:6379/tcp
                - 7000:7000
                - "9000"
            version: '3.9'
            """;

        Assert.That(ComposeModel.Parse(Yaml, []).Ports, Is.EqualTo(new[]
        {
            new PublishedPort("cache", "127.0.0.1", 6479, 6379),
            new PublishedPort("cache", "0.0.0.0", 7000, 7000),
        }));
    }

    [Test]
    public void The_model_knows_each_service_s_image_networks_and_file_watchers_in_either_compose_s_words()
    {
        // v1 prints no default network and may list labels as "key=value".
        const string V1 = """
            services:
              api:
                image: kit-sample/api-dev:dev
                labels:
                - org.example.kit.file-watcher=dotnet watch
              db:
                image: postgres:15
                networks:
                  backend: {}
              tool:
                image: busybox
                network_mode: host
            networks:
              backend:
                name: shared-backend
            version: '3.9'
            """;

        var model = ComposeModel.Parse(V1, [], "p1");

        Assert.That(model.Images, Is.EqualTo(new Dictionary<string, string> { ["api"] = "kit-sample/api-dev:dev", ["db"] = "postgres:15", ["tool"] = "busybox" }));
        Assert.That(model.Networks["api"], Is.EqualTo(new[] { "p1_default" }));
        Assert.That(model.Networks["db"], Is.EqualTo(new[] { "shared-backend" }));
        Assert.That(model.Networks.ContainsKey("tool"), Is.False, "network_mode: no network of its own to lose");
        Assert.That(model.FileWatchers, Is.EqualTo(new[] { "api" }));

        var states = ContainState("api", "running", "p1_default").Concat(ContainState("db", "running")).Concat(ContainState("tool", "running")).ToArray();
        Assert.That(model.LostNetworks(states).Select(p => (p.Container.Service, string.Join(",", p.Missing))), Is.EqualTo(new[] { ("db", "shared-backend") }));
        Assert.That(model.LostNetworks(ContainState("db", "exited").ToArray()), Is.Empty, "a stopped container is not judged");
    }

    [Test]
    public void A_file_watcher_without_the_polling_variable_in_its_environment_is_one_that_cannot_poll()
    {
        // v2 prints the environment as a mapping; v1 (or a file as written) may list "KEY=value".
        const string Yaml = """
            services:
              api:
                environment:
                  KIT_WATCH_POLLING: "0"
                labels:
                  org.example.kit.file-watcher: uvicorn --reload
              web:
                environment:
                - KIT_WATCH_POLLING=1
                labels:
                - org.example.kit.file-watcher=vite
              node:
                environment:
                  PORT: "8080"
                  KIT_WATCH_POLLING_EXTRA: "1"
                labels:
                  org.example.kit.file-watcher: node --watch
              db:
                image: postgres:15
            """;

        var model = ComposeModel.Parse(Yaml, []);

        Assert.That(model.FileWatchers, Is.EqualTo(new[] { "api", "web", "node" }));
        Assert.That(model.WatchersThatCannotPoll, Is.EqualTo(new[] { "node" }));
        Assert.That(DevStack.CannotPoll(model), Does.StartWith("node cannot be told to poll: the dev overlay gives it no KIT_WATCH_POLLING")
            .And.Contain("`KIT_WATCH_POLLING: ${KIT_WATCH_POLLING:-0}`"));
    }

    [Test]
    public void The_model_knows_each_service_s_bind_mounts_but_not_its_named_volumes_in_either_compose_s_words()
    {
        // v2 prints the long syntax with absolute sources; v1 may print "source:target:mode".
        const string V2 = """
            name: p1
            services:
              api:
                image: kit-sample/api-dev:local
                volumes:
                  - type: bind
                    source: /home/dev/kit/samples/api
                    target: /src
                    bind:
                      create_host_path: true
                  - type: volume
                    source: nuget-packages
                    target: /root/.nuget/packages
              db:
                image: postgres:15
                volumes:
                  - type: volume
                    source: db-data
                    target: /var/lib/postgresql/data
            """;
        const string V1 = """
            services:
              worker:
                image: kit-python-sample/api-dev:local
                volumes:
                - /home/dev/kit/samples/python/service:/app:rw
                - C:\kit\service:/app2:rw
                - pip-cache:/root/.cache:rw
            version: '3.9'
            """;

        var v2 = ComposeModel.Parse(V2, [], "p1");
        var v1 = ComposeModel.Parse(V1, [], "p1");

        Assert.That(v2.BindMounts.Keys, Is.EqualTo(new[] { "api" }), "named volumes are not bind mounts");
        Assert.That(v2.BindMounts["api"], Is.EqualTo(new[] { "/home/dev/kit/samples/api" }));
        Assert.That(v1.BindMounts["worker"], Is.EqualTo(new[] { "/home/dev/kit/samples/python/service", "C:\\kit\\service" }));
    }

    private static IEnumerable<ContainerState> ContainState(string service, string status, params string[] networks) =>
        [new ContainerState { Id = service, Name = service, Service = service, Project = "p1", Status = status, Networks = networks }];

    [Test]
    public void Container_states_come_from_docker_inspect_with_the_last_health_probe()
    {
        const string Json = """
            [
              {"Id":"a1","Name":"/p1-api-1","State":{"Status":"running","ExitCode":0,"Health":{"Status":"unhealthy","Log":[
                 {"ExitCode":0,"Output":"ok"},{"ExitCode":1,"Output":"probe failed\n"}]}},
               "Config":{"Labels":{"com.docker.compose.project":"p1","com.docker.compose.service":"api"}}},
              {"Id":"b2","Name":"/p1-db-1","State":{"Status":"running","ExitCode":0,"Health":{"Status":"healthy","Log":[]}},
               "NetworkSettings":{"Networks":{"p1_default":{"IPAddress":"172.18.0.3"}},"Ports":{"5432/tcp":[{"HostIp":"127.0.0.1","HostPort":"25432"}],"9999/udp":null}},
               "Config":{"Labels":{"com.docker.compose.project":"p1","com.docker.compose.service":"db"}}},
              {"Id":"c3","Name":"/p1-cache-1","State":{"Status":"running","ExitCode":0},
               "Config":{"Labels":{"com.docker.compose.project":"p1","com.docker.compose.service":"cache"}}},
              {"Id":"d4","Name":"/p1-seed-1","State":{"Status":"exited","ExitCode":3},
               "Config":{"Labels":{"com.docker.compose.project":"p1","com.docker.compose.service":"seed","com.docker.compose.oneoff":"True"}}}
            ]
            """;

        var states = ContainerState.ParseInspect(Json);

        Assert.That(states.Select(s => (s.Service, s.Phase)), Is.EqualTo(new[]
        {
            ("api", ServicePhase.Failed), ("db", ServicePhase.Healthy), ("cache", ServicePhase.Healthy), ("seed", ServicePhase.Failed),
        }));
        Assert.That(states[0].LastHealthOutput, Is.EqualTo("probe failed\n"));
        Assert.That(states[0].LastHealthExitCode, Is.EqualTo(1));
        Assert.That(states[0].Describe(), Is.EqualTo("running (unhealthy)"));
        Assert.That(states[1].HostPorts, Is.EqualTo(new Dictionary<int, int> { [5432] = 25432 }));
        Assert.That(states[1].Networks, Is.EqualTo(new[] { "p1_default" }));
        Assert.That(states[3].IsOneOff, Is.True);
        Assert.That(states[3].Describe(), Is.EqualTo("exited (3)"));
    }

    [TestCase("running", "starting", 0, ServicePhase.Starting)]
    [TestCase("created", null, 0, ServicePhase.Starting)]
    [TestCase("restarting", null, 1, ServicePhase.Failed)]
    [TestCase("exited", null, 0, ServicePhase.Completed)]
    [TestCase("exited", null, 137, ServicePhase.Failed)]
    public void Phases(string status, string? health, int exitCode, ServicePhase expected) =>
        Assert.That(new ContainerState { Id = "x", Name = "x", Service = "s", Project = "p", Status = status, Health = health, ExitCode = exitCode }.Phase,
            Is.EqualTo(expected));

    [Test]
    public void Published_ports_of_running_containers_name_the_container_and_its_project()
    {
        var holders = PortPreflight.ParsePublished(
            "abc\tother-api-1\tother\t127.0.0.1:8080->8080/tcp, 127.0.0.1:4711->4711/tcp\n" +
            "def\tlonely\t\t0.0.0.0:5432->5432/tcp, :::5432->5432/tcp\n" +
            "ghi\tquiet\t\t8080/tcp\n");

        Assert.That(holders.Keys, Is.EquivalentTo(new[] { 8080, 4711, 5432 }));
        Assert.That(holders[8080], Is.EqualTo(new PortHolder("container 'other-api-1' (compose project 'other')", "other")));
        Assert.That(holders[5432].Description, Is.EqualTo("container 'lonely'"));
    }

    [Test]
    public void A_listening_process_is_found_and_named_from_proc()
    {
        if (!File.Exists("/proc/net/tcp"))
        {
            Assert.Ignore("no /proc (not Linux)");
        }

        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;

        Assert.That(PortPreflight.IsFree("127.0.0.1", port), Is.False);
        var holder = PortPreflight.FindProcess(port);
        Assert.That(holder?.Description, Does.Contain($"(pid {Environment.ProcessId})"));
        listener.Stop();
        Assert.That(PortPreflight.IsFree("127.0.0.1", port), Is.True);
    }
}
