using Build.Docker;
using Build.Tools;
using Build.Tools.Compose;

namespace Build.Tests.Docker;

/// <summary>The answers of compose the kit keeps: read back exactly, and asked again whenever an input changed.</summary>
[TestFixture]
public sealed class ComposeAnswersTests
{
    private string root = null!;

    [SetUp]
    public void Folder()
    {
        root = Path.Combine(Path.GetTempPath(), "kit-answers-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(Path.Combine(root, "compose"));
        File.WriteAllText(Path.Combine(root, "compose", "compose.yaml"), "services:\n  db:\n    image: ${POSTGRES_IMAGE:-postgres:15}\n");
        File.WriteAllText(Path.Combine(root, ".env"), "POSTGRES_IMAGE=postgres:15\n");
    }

    [TearDown]
    public void Remove() => Directory.Delete(root, recursive: true);

    private static readonly ComposeVersion V2 = new(ComposeFlavor.V2, "2.26.1");

    private ToolCommand Command(IReadOnlyDictionary<string, string?>? environment = null) => new()
    {
        Tool = "compose",
        Executable = "docker",
        Arguments = new[] { "compose", "-p", "app-dev", "-f", "compose/compose.yaml", "config", "--format", "json" }.Select(a => new CommandArgument(a)).ToArray(),
        WorkingDirectory = root,
        Environment = environment ?? new Dictionary<string, string?> { ["POSTGRES_IMAGE"] = "postgres:15" },
    };

    private string? Key(ToolCommand? command = null, IReadOnlyDictionary<string, string?>? inherited = null) =>
        ComposeAnswers.ConfigKey(V2, command ?? Command(), ["compose/compose.yaml"], [Path.Combine(root, ".env.offline")], inherited ?? new Dictionary<string, string?>());

    [Test]
    public void A_kept_configuration_reads_back_as_it_was_written()
    {
        var answers = new ComposeAnswers(Path.Combine(root, ".build", "compose"));
        var model = ComposeModel.Parse(
            "services:\n  db:\n    image: postgres:15\n    ports:\n      - target: 5432\n        published: \"5432\"\n        host_ip: 127.0.0.1\n    networks:\n      default: null\n    volumes:\n      - type: bind\n        source: /src\n        target: /src\n",
            [], "app-dev");
        var known = new DevStack.KnownConfig(model, new Dictionary<string, string> { ["db"] = "abc" });

        answers.Write("config-app-dev", "k1", known);
        var read = answers.Read<DevStack.KnownConfig>("config-app-dev", "k1");

        Assert.That(read, Is.Not.Null);
        Assert.That(read!.Model.Services, Is.EqualTo(model.Services));
        Assert.That(read.Model.Ports, Is.EqualTo(model.Ports));
        Assert.That(read.Model.Images, Is.EqualTo(model.Images));
        Assert.That(read.Model.Networks["db"], Is.EqualTo(model.Networks["db"]));
        Assert.That(read.Model.BindMounts["db"], Is.EqualTo(model.BindMounts["db"]));
        Assert.That(read.Hashes, Is.EqualTo(known.Hashes));
        Assert.That(answers.Read<DevStack.KnownConfig>("config-app-dev", "k2"), Is.Null, "another key is another answer");
    }

    [Test]
    public void The_key_stays_while_nothing_changes_and_moves_with_every_input()
    {
        var key = Key();
        Assert.That(Key(), Is.EqualTo(key));
        Assert.That(Key(inherited: new Dictionary<string, string?> { ["SHLVL"] = "3", ["OLDPWD"] = "/x" }), Is.EqualTo(key), "variables the files do not name");

        Assert.That(Key(Command(new Dictionary<string, string?> { ["POSTGRES_IMAGE"] = "postgres:16" })), Is.Not.EqualTo(key), "a variable's value");
        Assert.That(Key(inherited: new Dictionary<string, string?> { ["COMPOSE_PROFILES"] = "tools" }), Is.Not.EqualTo(key), "a COMPOSE_ variable");
        File.WriteAllText(Path.Combine(root, ".env.offline"), "POSTGRES_IMAGE=kit-offline/postgres:15\n");
        Assert.That(Key(), Is.Not.EqualTo(key), "an overlay");
        var withOverlay = Key();
        File.AppendAllText(Path.Combine(root, ".env"), "API_PORT=8081\n");
        Assert.That(Key(), Is.Not.EqualTo(withOverlay), ".env");
        var withEnv = Key();
        File.AppendAllText(Path.Combine(root, "compose", "compose.yaml"), "  cache:\n    image: redis:7\n");
        Assert.That(Key(), Is.Not.EqualTo(withEnv), "a compose file");
    }

    [Test]
    public void Files_that_pull_in_other_files_are_never_kept()
    {
        File.AppendAllText(Path.Combine(root, "compose", "compose.yaml"), "    env_file:\n      - db.env\n");

        Assert.That(Key(), Is.Null);
    }

    [Test]
    public void The_version_key_follows_the_binaries_on_the_path()
    {
        var bin = Path.Combine(root, "bin");
        Directory.CreateDirectory(bin);
        var environment = new Dictionary<string, string?> { ["PATH"] = bin, ["HOME"] = root };
        var key = ComposeAnswers.VersionKey(environment);

        File.WriteAllText(Path.Combine(bin, "docker"), "#!/bin/sh\n");

        Assert.That(ComposeAnswers.VersionKey(environment), Is.Not.EqualTo(key));
        Assert.That(ComposeAnswers.VersionKey(new Dictionary<string, string?>(environment) { ["KIT_COMPOSE"] = "v1" }), Is.Not.EqualTo(ComposeAnswers.VersionKey(environment)));
    }
}
