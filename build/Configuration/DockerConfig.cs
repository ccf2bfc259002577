namespace Build.Configuration;

/// <summary><c>config/docker.json</c>: the images the kit builds and the compose stack of each local environment.</summary>
public sealed record DockerConfig
{
    /// <summary>Stem of the compose project name (<c>&lt;stem&gt;-&lt;environment&gt;</c>); null: the project's name.</summary>
    public string? ProjectName { get; init; }

    /// <summary>Env files layered over <c>.env</c>, in order, for compose and image builds; missing ones are skipped.</summary>
    public IReadOnlyList<string> EnvOverlays { get; init; } = [];

    public IReadOnlyList<string> RequiredVariables { get; init; } = [];

    /// <summary>Host-port variables and their defaults; <c>--port-offset</c> is added to each.</summary>
    public IReadOnlyDictionary<string, int> HostPorts { get; init; } = new Dictionary<string, int>();

    public IReadOnlyDictionary<string, ImageConfig> Images { get; init; } = new Dictionary<string, ImageConfig>();

    public IReadOnlyDictionary<string, ComposeEnvironmentConfig> Environments { get; init; } = new Dictionary<string, ComposeEnvironmentConfig>();

    public IReadOnlyDictionary<string, ServiceConfig> Services { get; init; } = new Dictionary<string, ServiceConfig>();

    public string DatabaseService { get; init; } = "db";

    public string DefaultShellService { get; init; } = "api";

    public int DevUpTimeoutSeconds { get; init; } = 300;

    public TimeSpan DevUpTimeout => TimeSpan.FromSeconds(DevUpTimeoutSeconds);

    public ComposeEnvironmentConfig Environment(string name) =>
        Environments.TryGetValue(name, out var environment)
            ? environment
            : throw new ConfigurationException(
                "config/docker.json",
                0,
                $"environment '{name}' has no compose stack.{Host.Suggestions.DidYouMean(name, Environments.Keys)} Stacks: {string.Join(", ", Environments.Keys)}.");
}

public sealed record ImageConfig
{
    public required string Repository { get; init; }

    public string? ComposeVariable { get; init; }

    public required string Context { get; init; }

    public required string Dockerfile { get; init; }

    public string? Target { get; init; }

    public IReadOnlyDictionary<string, string> BuildArgs { get; init; } = new Dictionary<string, string>();

    public IReadOnlyList<string> Tags { get; init; } = [];

    public IReadOnlyList<string> DependsOn { get; init; } = [];

    /// <summary>
    /// Files of the context that count in the inputs hash even where the environment's stack bind-mounts them into
    /// the image's containers (.dockerignore-style patterns): the dependency manifests the Dockerfile's dependency
    /// layer copies, whose edit needs a new image.
    /// </summary>
    public IReadOnlyList<string> HashAlways { get; init; } = [];
}

public sealed record ComposeEnvironmentConfig
{
    public IReadOnlyList<string> Files { get; init; } = [];

    public IReadOnlyList<string> Profiles { get; init; } = [];

    public IReadOnlyList<string> Images { get; init; } = [];
}

public sealed record ServiceConfig
{
    public IReadOnlyList<string> Urls { get; init; } = [];
}
