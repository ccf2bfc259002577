namespace Build.Tools.Docker;

public sealed record DockerSettings : ToolSettings;

public sealed record DockerBuildSettings : ToolSettings
{
    public required string Context { get; init; }

    public string? File { get; init; }

    public string? Target { get; init; }

    public IReadOnlyList<string> Tags { get; init; } = [];

    public IReadOnlyDictionary<string, string> BuildArguments { get; init; } = new Dictionary<string, string>();

    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();

    public bool Pull { get; init; }

    public bool NoCache { get; init; }

    /// <summary>
    /// BuildKit's <c>--output type=local,dest=DIR</c>: the target stage's files are written to this folder instead of
    /// becoming an image (a test stage's reports); null builds an image as usual.
    /// </summary>
    public string? OutputDirectory { get; init; }
}

/// <summary>The <c>docker</c> CLI (Cake.Docker is not on our feed).</summary>
public sealed class DockerTool(ICommandRunner runner) : Tool<DockerSettings>(runner)
{
    protected override string ToolName => "docker";

    private const string InstallText = "Install the Docker engine (https://docs.docker.com/engine/install/; on Debian: apt-get install docker.io).";

    protected override string? InstallHint => InstallText;

    /// <summary>
    /// A docker command from arguments this class's <c>*Arguments</c> methods (or a caller's plan) built: the one shape of
    /// every docker call outside a build. A query runs in a dry run too and is not echoed.
    /// </summary>
    public static ToolCommand Command(ArgumentList arguments, bool query = false) => Bare("docker", InstallText, arguments, query);

    public static ArgumentList BuildArguments(DockerBuildSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var arguments = new ArgumentList().Add("build").AddOption("--file", settings.File).AddOption("--target", settings.Target);
        arguments.AddOptions("--tag", settings.Tags);
        arguments.AddOptions("--build-arg", settings.BuildArguments.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key}={p.Value}"));
        arguments.AddOptions("--label", settings.Labels.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key}={p.Value}"));
        arguments.AddOption("--output", settings.OutputDirectory is null ? null : $"type=local,dest={settings.OutputDirectory}");
        return arguments.AddSwitch("--pull", settings.Pull).AddSwitch("--no-cache", settings.NoCache).Add(settings.Context);
    }

    /// <summary><c>docker build</c> with BuildKit, exactly as <see cref="BuildAsync"/> runs it (what a plan prints).</summary>
    public static ToolCommand BuildCommand(DockerBuildSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var environment = new Dictionary<string, string?>(settings.EnvironmentVariables) { ["DOCKER_BUILDKIT"] = "1" };
        return WithSettings(Command(BuildArguments(settings)), settings) with { Environment = environment };
    }

    public Task<CommandResult> BuildAsync(DockerBuildSettings settings, CancellationToken cancellationToken = default) =>
        Runner.RunAsync(BuildCommand(settings), cancellationToken);

    /// <summary>The engine's version; fails with the tool's error when the engine is unreachable.</summary>
    public async Task<string> ServerVersionAsync(CancellationToken cancellationToken = default)
    {
        var result = await QueryAsync(new DockerSettings(), new ArgumentList(["version", "--format", "{{.Server.Version}}"]), cancellationToken).ConfigureAwait(false);
        return result.StandardOutput.Trim();
    }

    /// <summary>Client and server version as <c>CLIENT|SERVER</c>; exit code 1 with the client's half means the engine does not answer.</summary>
    public static ArgumentList ClientServerVersionArguments() => new(["version", "--format", "{{.Client.Version}}|{{.Server.Version}}"]);

    /// <summary><c>docker info</c> formatted with a Go template ("{{.DockerRootDir}}").</summary>
    public static ArgumentList InfoArguments(string format) => new(["info", "--format", format]);

    public static ArgumentList BuildxVersionArguments() => new(["buildx", "version"]);

    /// <summary>The environment an image sets (<c>PG_MAJOR=15</c>), one variable per line.</summary>
    public static ArgumentList ImageEnvironmentArguments(string image) =>
        new(["image", "inspect", "--format", "{{range .Config.Env}}{{println .}}{{end}}", image]);

    /// <summary>Containers of one compose project, stopped ones too, one id per line.</summary>
    public static ArgumentList ProjectContainersArguments(string project) =>
        new(["ps", "--all", "--quiet", "--no-trunc", "--filter", $"label=com.docker.compose.project={project}"]);

    /// <summary>Running containers with their published ports and compose project, tab-separated.</summary>
    public static ArgumentList PublishedPortsArguments() =>
        new(["ps", "--format", "{{.ID}}\t{{.Names}}\t{{.Label \"com.docker.compose.project\"}}\t{{.Ports}}"]);

    /// <summary><c>docker inspect</c> of containers (or images): a JSON array.</summary>
    public static ArgumentList InspectArguments(IEnumerable<string> ids) => new ArgumentList().Add("inspect").Add(ids);

    public static ArgumentList LogsArguments(string container, int tail) =>
        new ArgumentList().Add("logs").AddOption("--tail", tail.ToString(System.Globalization.CultureInfo.InvariantCulture)).Add(container);

    /// <summary>Ids of images carrying a label with exactly this value (the kit's inputs hash).</summary>
    public static ArgumentList ImagesWithLabelArguments(string label, string value) =>
        new(["image", "ls", "--quiet", "--no-trunc", "--filter", $"label={label}={value}"]);

    /// <summary>The id of an image, for hashing a base image into a build's inputs; fails when it is absent.</summary>
    public static ArgumentList ImageIdArguments(string image) => new(["image", "inspect", "--format", "{{.Id}}", image]);

    public static ArgumentList TagArguments(string source, string target) => new(["tag", source, target]);

    public static ArgumentList VolumesArguments(string project) =>
        new(["volume", "ls", "--quiet", "--filter", $"label=com.docker.compose.project={project}"]);
}
