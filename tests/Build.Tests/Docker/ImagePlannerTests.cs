using Build.Configuration;
using Build.Docker;
using Build.Tests.Support;

namespace Build.Tests.Docker;

public sealed class ImagePlannerTests
{
    private string context = null!;

    [SetUp]
    public void CreateContext()
    {
        context = Directory.CreateTempSubdirectory("kit-image-").FullName;
        File.WriteAllText(Path.Combine(context, "Dockerfile"), "FROM scratch\n");
        File.WriteAllText(Path.Combine(context, ".dockerignore"), "**/bin/\n**/obj/\n*.md\n!KEEP.md\n");
        Directory.CreateDirectory(Path.Combine(context, "src", "bin"));
        File.WriteAllText(Path.Combine(context, "src", "app.cs"), "one");
        File.WriteAllText(Path.Combine(context, "src", "bin", "app.dll"), "binary");
        File.WriteAllText(Path.Combine(context, "README.md"), "docs");
    }

    [TearDown]
    public void RemoveContext() => Directory.Delete(context, recursive: true);

    private string Hash(IReadOnlyDictionary<string, string>? arguments = null, IReadOnlyDictionary<string, string>? bases = null) =>
        ImagePlanner.HashInputs(context, Path.Combine(context, "Dockerfile"), "final", arguments ?? new Dictionary<string, string>(), bases ?? new Dictionary<string, string>());

    [Test]
    public void The_inputs_hash_changes_with_sent_files_arguments_and_base_images_only()
    {
        var before = Hash();
        Assert.That(Hash(), Is.EqualTo(before), "stable");

        File.WriteAllText(Path.Combine(context, "src", "bin", "app.dll"), "rebuilt on the host");
        File.WriteAllText(Path.Combine(context, "README.md"), "ignored by .dockerignore");
        Assert.That(Hash(), Is.EqualTo(before), "ignored files must not count");

        File.WriteAllText(Path.Combine(context, "KEEP.md"), "re-included");
        var withKeep = Hash();
        Assert.That(withKeep, Is.Not.EqualTo(before));

        File.WriteAllText(Path.Combine(context, "src", "app.cs"), "two");
        Assert.That(Hash(), Is.Not.EqualTo(withKeep));

        var arguments = new Dictionary<string, string> { ["SDK_IMAGE"] = "kit-offline/dotnet-sdk:10.0" };
        Assert.That(Hash(arguments, new Dictionary<string, string> { ["kit-offline/dotnet-sdk:10.0"] = "sha256:1" }),
            Is.Not.EqualTo(Hash(arguments, new Dictionary<string, string> { ["kit-offline/dotnet-sdk:10.0"] = "sha256:2" })));
    }

    [Test]
    public void A_plan_has_commit_branch_dev_and_compose_tags_labels_and_filled_arguments()
    {
        var image = new ImageConfig
        {
            Repository = "kit-sample/api",
            ComposeVariable = "API_IMAGE",
            Context = context,
            Dockerfile = Path.Combine(context, "Dockerfile"),
            Target = "final",
            BuildArgs = new Dictionary<string, string> { ["GIT_COMMIT"] = "{commit}", ["SDK_IMAGE"] = "${SDK_IMAGE:-mcr.microsoft.com/dotnet/sdk:10.0}" },
            Tags = ["{commit}", "{branch}", "dev"],
        };
        var variables = new Dictionary<string, string> { ["SDK_IMAGE"] = "kit-offline/dotnet-sdk:10.0", ["API_IMAGE"] = "team/api:local" };
        var source = new SourceInfo("0123456789abcdef0123456789abcdef01234567", "0123456789ab", "feature/Login", IsDirty: false, "2026-01-02T03:04:05+00:00");

        var plan = ImagePlanner.Plan("api", image, "/", n => variables.GetValueOrDefault(n), source, new Dictionary<string, string>(), "sample");

        Assert.That(plan.Tags, Is.EqualTo(new[] { "kit-sample/api:0123456789ab", "kit-sample/api:feature-Login", "kit-sample/api:dev", "team/api:local" }));
        Assert.That(plan.BuildArguments["SDK_IMAGE"], Is.EqualTo("kit-offline/dotnet-sdk:10.0"));
        Assert.That(plan.BuildArguments["GIT_COMMIT"], Is.EqualTo("0123456789ab"));
        Assert.That(plan.Labels["org.opencontainers.image.revision"], Is.EqualTo(source.Commit));
        Assert.That(plan.Labels["org.opencontainers.image.created"], Is.EqualTo(source.CommitTime));
        Assert.That(plan.Labels[ImagePlanner.InputsHashLabel], Is.EqualTo(plan.InputsHash));
        Assert.That(plan.Labels[ImagePlanner.ProjectLabel], Is.EqualTo("sample"), "Prune finds the project's images by it");
        var argv = Build.Tools.Docker.DockerTool.BuildArguments(plan.ToBuildSettings("/")).Values;
        Assert.That(argv, Does.Contain("--label").And.Contain($"{ImagePlanner.InputsHashLabel}={plan.InputsHash}"));
        Assert.That(argv, Does.Contain("--target").And.Contain("kit-sample/api:dev"));
        Assert.That(new SourceInfo("c", "c", "b", IsDirty: true, "t").CommitTag, Is.EqualTo("c-dirty"));
    }

    [Test]
    public void The_dev_image_s_hash_leaves_out_its_bind_mounted_source_but_not_its_manifests_and_the_final_image_s_keeps_both()
    {
        using var app = FixtureApp.Create();
        var config = new ConfigLoader(app.Root).Load<DockerConfig>("docker");
        var sample = Path.Combine(app.Root, "samples", "api");
        Write(Path.Combine(app.Root, "docker", "dotnet", "Dockerfile"), "FROM scratch\n");
        Write(Path.Combine(sample, "Directory.Build.props"), "<Project />");
        Write(Path.Combine(sample, "src", "SampleApi", "SampleApi.csproj"), "<Project Sdk=\"Microsoft.NET.Sdk.Web\" />");
        Write(Path.Combine(sample, "src", "SampleApi", "Program.cs"), "// one");
        // What `compose config` prints for the fixture's dev stack once its overlay bind-mounts the source for dotnet watch.
        var model = ComposeModel.Parse(
            $"""
            name: fixture-dev
            services:
              api:
                image: fixture/api-dev:local
                volumes:
                  - type: bind
                    source: {sample}
                    target: /src
                  - type: volume
                    source: nuget-packages
                    target: /root/.nuget/packages
              db:
                image: postgres:15
            """,
            [],
            "fixture-dev");
        var variables = new Dictionary<string, string> { ["API_DEV_IMAGE"] = "fixture/api-dev:local", ["API_IMAGE"] = "fixture/api:local" };
        string? Variable(string name) => variables.GetValueOrDefault(name);
        ImagePlan Plan(string name) => ImagePlanner.Plan(
            name, config.Images[name], app.Root, Variable, SourceInfo.Unknown, new Dictionary<string, string>(), "fixture",
            ImagePlanner.BindMountedPaths(config.Images[name], model, Variable));

        Assert.That(ImagePlanner.BindMountedPaths(config.Images["api-dev"], model, Variable), Is.EqualTo(new[] { sample }));
        Assert.That(ImagePlanner.BindMountedPaths(config.Images["api"], model, Variable), Is.Empty, "no service of the dev stack runs the final image");
        Assert.That(Plan("api-dev").BindMounted.Paths, Is.EqualTo(new[] { string.Empty }), "the whole context is mounted");
        var dev = Plan("api-dev").InputsHash;
        var final = Plan("api").InputsHash;
        Assert.That(Plan("api-dev").InputsHash, Is.EqualTo(dev), "stable");

        Write(Path.Combine(sample, "src", "SampleApi", "Program.cs"), "// two: served from the bind mount");
        Assert.That(Plan("api-dev").InputsHash, Is.EqualTo(dev), "a source edit the dev container serves from the mount needs no new dev image");
        Assert.That(Plan("api").InputsHash, Is.Not.EqualTo(final), "the final image copies the source");
        final = Plan("api").InputsHash;

        Write(Path.Combine(sample, "src", "SampleApi", "SampleApi.csproj"), "<Project Sdk=\"Microsoft.NET.Sdk.Web\"><ItemGroup /></Project>");
        Assert.That(Plan("api-dev").InputsHash, Is.Not.EqualTo(dev), "hashAlways: a project file under the mount still counts");
        Assert.That(Plan("api").InputsHash, Is.Not.EqualTo(final));
        dev = Plan("api-dev").InputsHash;

        Write(Path.Combine(sample, "Directory.Build.props"), "<Project><PropertyGroup /></Project>");
        Assert.That(Plan("api-dev").InputsHash, Is.Not.EqualTo(dev), "hashAlways: Directory.Build.props");

        var withoutStack = ImagePlanner.Plan("api-dev", config.Images["api-dev"], app.Root, Variable, SourceInfo.Unknown, new Dictionary<string, string>(), "fixture");
        Assert.That(withoutStack.BindMounted.Paths, Is.Empty);
        Assert.That(withoutStack.InputsHash, Is.Not.EqualTo(Plan("api-dev").InputsHash), "the rule itself is an input: the two hashes never meet");
    }

    [Test]
    public void Bind_mounts_are_read_as_parts_of_the_context()
    {
        var service = Path.Combine(context, "service");
        var parts = BindMountedSource.Within(
            service,
            [Path.Combine(context, "service", "app"), Path.Combine(context, "service", "settings.toml"), Path.Combine(context, "elsewhere"), Path.Combine(context, "serviceX")],
            ["requirements*.txt", "app/**/pyproject.toml"]);

        Assert.That(parts.Paths, Is.EqualTo(new[] { "app", "settings.toml" }), "a mount beside the context covers none of it");
        Assert.That(parts.LeavesOut("app/main.py"), Is.True);
        Assert.That(parts.LeavesOut("app/sub/pyproject.toml"), Is.False, "hashAlways");
        Assert.That(parts.LeavesOut("settings.toml"), Is.True, "a mounted file");
        Assert.That(parts.LeavesOut("requirements.txt"), Is.False, "not mounted");
        Assert.That(parts.LeavesOut("application.py"), Is.False, "app/ is a folder, not a prefix");
        Assert.That(BindMountedSource.Within(service, [context], []).Paths, Is.EqualTo(new[] { string.Empty }), "a mount above the context covers all of it");
        Assert.That(BindMountedSource.Within(service, [context], ["requirements*.txt"]).LeavesOut("requirements-dev.txt"), Is.False);
        Assert.That(BindMountedSource.Within(service, [], ["requirements*.txt"]), Is.SameAs(BindMountedSource.None));
    }

    private static void Write(string path, string text)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
    }

    [TestCase("feature/login", "feature-login")]
    [TestCase("-weird..", "weird..")]
    [TestCase("", "unknown")]
    public void Tags_are_made_safe(string text, string expected) => Assert.That(ImagePlanner.TagSafe(text), Is.EqualTo(expected));

    [Test]
    public void Dockerignore_rules()
    {
        var ignore = DockerIgnore.Parse("**/bin/\n/obj\n*.trx\n!keep.trx\n# comment\n");
        Assert.That(ignore.IsExcluded("src/App/bin/Debug/a.dll"), Is.True);
        Assert.That(ignore.IsExcluded("bin/a"), Is.True);
        Assert.That(ignore.IsExcluded("obj/x"), Is.True);
        Assert.That(ignore.IsExcluded("src/obj/x"), Is.False);
        Assert.That(ignore.IsExcluded("r.trx"), Is.True);
        Assert.That(ignore.IsExcluded("keep.trx"), Is.False);
        Assert.That(ignore.IsExcluded("src/binary.cs"), Is.False);
    }
}
