using System.Text.Json.Nodes;
using E2E.Tests.Support;

namespace E2E.Tests.Ops;

/// <summary>
/// Prune on the real (shared) engine. The kit runs against a temporary root whose config names image repositories
/// unique to this test and a build cache cap no engine reaches, so it can never touch another engineer's images or
/// cache; a "foreign" compose project and images sit beside "ours" and must survive.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class PruneTests
{
    private static string BaseImage => Kit.PublicImages ? "debian:bookworm-slim" : "kit-offline/debian:bookworm";
    private readonly string id = Guid.NewGuid().ToString("N")[..8];
    private string root = string.Empty;

    private string Ours => $"ops-e2e-{id}";

    private string Foreign => $"ops-foreign-{id}";

    [OneTimeSetUp]
    public void Engine()
    {
        Kit.RequireEngine();
        if (!OpsKit.Exists("image", BaseImage))
        {
            Kit.PrepareBaseImages();
        }
    }

    [SetUp]
    public void KitRoot()
    {
        root = Directory.CreateTempSubdirectory("kit-prune-").FullName;
        Directory.CreateDirectory(Path.Combine(root, "config"));
        CopyDirectory(Path.Combine(Kit.Root, "config", "schema"), Path.Combine(root, "config", "schema"));
        File.Copy(Path.Combine(Kit.Root, "config", "project.json"), Path.Combine(root, "config", "project.json"));
        var docker = JsonNode.Parse(File.ReadAllText(Path.Combine(Kit.Root, "config", "docker.json")))!.AsObject();
        docker["projectName"] = Ours;
        foreach (var (name, image) in docker["images"]!.AsObject())
        {
            image!["repository"] = $"{Ours}/{name}";
        }

        File.WriteAllText(Path.Combine(root, "config", "docker.json"), docker.ToJsonString());
        File.WriteAllText(Path.Combine(root, "config", "ops.json"), """
            {
              "$schema": "./schema/ops.schema.json",
              "prune": { "buildCacheCapGb": 1000000, "keepTags": ["dev"] }
            }
            """);
        File.WriteAllText(Path.Combine(root, "compose.yaml"), $$"""
            services:
              app:
                image: {{BaseImage}}
                command: ["sleep", "infinity"]
                init: true
                volumes:
                  - data:/data
            volumes:
              data: {}
            """);
    }

    [TearDown]
    public void RemoveEverythingCreated()
    {
        foreach (var project in new[] { Ours, Foreign })
        {
            Docker("compose", "--project-name", project, "--file", Path.Combine(root, "compose.yaml"), "down", "--volumes", "--timeout", "1");
        }

        foreach (var image in Docker("image", "ls", "--format", "{{.Repository}}:{{.Tag}}").Output.Split('\n', StringSplitOptions.TrimEntries))
        {
            if (image.StartsWith(Ours + "/", StringComparison.Ordinal) || image.StartsWith(Foreign + "/", StringComparison.Ordinal))
            {
                Docker("image", "rm", "--force", image);
            }
        }

        Directory.Delete(root, recursive: true);
    }

    [Test]
    public void Prune_previews_then_removes_only_this_projects_resources_and_volumes_only_when_confirmed()
    {
        var ourContainer = StoppedProject(Ours);
        var foreignContainer = StoppedProject(Foreign);
        // Ours: an old image (goes), the tag compose runs (kept), an image someone tagged for their own project too (untagged only).
        Commit(ourContainer, $"{Ours}/api:old", "org.example.kit.inputs-hash=old");
        Commit(ourContainer, $"{Ours}/api-dev:dev", "org.example.kit.inputs-hash=dev");
        Commit(ourContainer, $"{Ours}/api-dev:shared", "org.example.kit.inputs-hash=shared");
        Assert.That(Docker("tag", $"{Ours}/api-dev:shared", $"{Foreign}/copy:1").ExitCode, Is.Zero);
        // Foreign: its own image, with its own project label.
        Commit(foreignContainer, $"{Foreign}/tool:1", $"org.example.kit.project={Foreign}");
        string[] scope = ["--target=Prune", $"--project-name={Ours}", "--older-than=0s"];

        var preview = Kit.RunInRoot(root, null, TimeSpan.FromMinutes(5), scope);

        Assert.That(preview.ExitCode, Is.Zero, preview.ToString());
        Assert.That(preview.Output, Does.Contain("Would remove:"), preview.ToString());
        Assert.That(preview.Output, Does.Match($@"(?m)^\s*container\s+.*{Ours}[-_]app[-_]1"), preview.ToString());
        Assert.That(preview.Output, Does.Match($@"(?m)^\s*network\s+.*{Ours}_default"), preview.ToString());
        Assert.That(preview.Output, Does.Match($@"(?m)^\s*image\s+.*{Ours}/api:old"), preview.ToString());
        Assert.That(preview.Output, Does.Contain($"{Ours}/api-dev:shared  (untag only: also tagged {Foreign}/copy:1)"), preview.ToString());
        Assert.That(preview.Output, Does.Contain($"{Ours}/api-dev:dev: tagged 'dev'"), preview.ToString());
        Assert.That(preview.Output, Does.Contain($"{Ours}_data: data volume: only with --volumes --confirm={Ours}"), preview.ToString());
        Assert.That(preview.Output, Does.Match(@"Would reclaim about \d"), preview.ToString());
        Assert.That(preview.Output, Does.Not.Contain(foreignContainer), "the preview lists a foreign container");
        Assert.That(preview.Output, Does.Not.Contain($"{Foreign}/tool"), "the preview lists a foreign image");
        Assert.That(OpsKit.Exists("container", ourContainer) && OpsKit.Exists("image", $"{Ours}/api:old"), Is.True, "the preview removed something");

        var applied = Kit.RunInRoot(root, null, TimeSpan.FromMinutes(5), [.. scope, "--yes"]);

        Assert.That(applied.ExitCode, Is.Zero, applied.ToString());
        Assert.That(OpsKit.Exists("container", ourContainer), Is.False, "our stopped container survived");
        Assert.That(OpsKit.Exists("network", $"{Ours}_default"), Is.False, "our network survived");
        Assert.That(OpsKit.Exists("image", $"{Ours}/api:old"), Is.False, "our old image survived");
        Assert.That(OpsKit.Exists("image", $"{Ours}/api-dev:shared"), Is.False, "our tag of the shared image survived");
        Assert.That(OpsKit.Exists("image", $"{Ours}/api-dev:dev"), Is.True, "the kept tag was removed");
        Assert.That(OpsKit.Exists("volume", $"{Ours}_data"), Is.True, "our volume went without --volumes --confirm");
        AssertForeignIntact(foreignContainer);

        var refused = Kit.RunInRoot(root, null, TimeSpan.FromMinutes(5), [.. scope, "--yes", "--volumes"]);

        Assert.That(refused.ExitCode, Is.EqualTo(2), refused.ToString());
        Assert.That(refused.Output, Does.Contain($"--confirm=<project>, one of {Ours}"), refused.ToString());
        Assert.That(OpsKit.Exists("volume", $"{Ours}_data"), Is.True, "a refused Prune removed the volume");

        var wrong = Kit.RunInRoot(root, null, TimeSpan.FromMinutes(5), [.. scope, "--yes", "--volumes", $"--confirm={Foreign}"]);

        Assert.That(wrong.ExitCode, Is.EqualTo(2), wrong.ToString());
        AssertForeignIntact(foreignContainer);

        var volumes = Kit.RunInRoot(root, null, TimeSpan.FromMinutes(5), [.. scope, "--yes", "--volumes", $"--confirm={Ours}"]);

        Assert.That(volumes.ExitCode, Is.Zero, volumes.ToString());
        Assert.That(OpsKit.Exists("volume", $"{Ours}_data"), Is.False, "--volumes --confirm left our volume");
        AssertForeignIntact(foreignContainer);
    }

    private void AssertForeignIntact(string foreignContainer)
    {
        Assert.That(OpsKit.Exists("container", foreignContainer), Is.True, "the foreign container was removed");
        Assert.That(OpsKit.Exists("volume", $"{Foreign}_data"), Is.True, "the foreign volume was removed");
        Assert.That(OpsKit.Exists("network", $"{Foreign}_default"), Is.True, "the foreign network was removed");
        Assert.That(OpsKit.Exists("image", $"{Foreign}/tool:1"), Is.True, "the foreign image was removed");
        Assert.That(OpsKit.Exists("image", $"{Foreign}/copy:1"), Is.True, "the foreign tag of a shared image was removed");
    }

    /// <summary>A compose project with one container and a named volume, stopped (Prune removes only stopped containers).</summary>
    private string StoppedProject(string project)
    {
        string[] compose = ["compose", "--project-name", project, "--file", Path.Combine(root, "compose.yaml")];
        var up = Docker([.. compose, "up", "--detach"]);
        Assert.That(up.ExitCode, Is.Zero, up.ToString());
        var stop = Docker([.. compose, "stop", "--timeout", "1"]);
        Assert.That(stop.ExitCode, Is.Zero, stop.ToString());
        var name = Docker("ps", "--all", "--filter", $"label=com.docker.compose.project={project}", "--format", "{{.Names}}").Output.Trim();
        Assert.That(name, Is.Not.Empty);
        return name;
    }

    private static void Commit(string container, string image, string label)
    {
        var commit = Docker("commit", "--change", $"LABEL {label}", container, image);
        Assert.That(commit.ExitCode, Is.Zero, commit.ToString());
    }

    private static Kit.Result Docker(params string[] arguments) => Kit.Docker(arguments);

    private static void CopyDirectory(string source, string target)
    {
        Directory.CreateDirectory(target);
        foreach (var file in Directory.EnumerateFiles(source))
        {
            File.Copy(file, Path.Combine(target, Path.GetFileName(file)));
        }
    }
}
