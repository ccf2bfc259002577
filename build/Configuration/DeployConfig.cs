namespace Build.Configuration;

/// <summary><c>config/deploy.json</c>: Cloud Build and Cloud Run settings per environment.</summary>
public sealed record DeployConfig
{
    public CloudBuildConfig CloudBuild { get; init; } = new();

    /// <summary>The only project ids a deploy may act on.</summary>
    public IReadOnlyList<string> AllowedProjects { get; init; } = [];

    public ApprovalConfig Approval { get; init; } = new();

    public IReadOnlyDictionary<string, DeployEnvironmentConfig> Environments { get; init; } = new Dictionary<string, DeployEnvironmentConfig>();

    public DeployEnvironmentConfig Environment(string name) =>
        Environments.TryGetValue(name, out var environment)
            ? environment
            : throw new ConfigurationException(
                "config/deploy.json",
                0,
                $"has no deploy settings for environment '{name}'.{Host.Suggestions.DidYouMean(name, Environments.Keys)} Deployable: {string.Join(", ", Environments.Keys)}.");
}

public sealed record CloudBuildConfig
{
    public string Config { get; init; } = "config/cloudbuild.yaml";

    public string Source { get; init; } = ".";
}

public sealed record ApprovalConfig
{
    /// <summary>With <c>CI=true</c>, this variable set to the environment's name stands in for <c>--confirm</c>.</summary>
    public string? CiVariable { get; init; }
}

public enum DeployStrategyKind
{
    Direct,
    BlueGreen,
    Canary,
}

public sealed record DeployEnvironmentConfig
{
    public required string Project { get; init; }

    public required string Region { get; init; }

    public required string Repository { get; init; }

    public required string Service { get; init; }

    public string? ServiceAccount { get; init; }

    public bool AllowUnauthenticated { get; init; }

    public int? MinInstances { get; init; }

    public int? MaxInstances { get; init; }

    public string? Memory { get; init; }

    public string? Cpu { get; init; }

    public int? Port { get; init; }

    public IReadOnlyDictionary<string, string> EnvironmentVariables { get; init; } = new Dictionary<string, string>();

    public IReadOnlyDictionary<string, SecretReference> Secrets { get; init; } = new Dictionary<string, SecretReference>();

    public DeployStrategyKind Strategy { get; init; } = DeployStrategyKind.Direct;

    public IReadOnlyList<int> CanarySteps { get; init; } = [10, 50, 100];

    public HealthConfig Health { get; init; } = new();

    /// <summary>Where images of this environment are pushed: <c>REGION-docker.pkg.dev/PROJECT/REPOSITORY/SERVICE</c>.</summary>
    public string ImageRepository => $"{Region}-docker.pkg.dev/{Project}/{Repository}/{Service}";
}

/// <summary>A Secret Manager reference: the value never passes through the kit.</summary>
public sealed record SecretReference(string Secret, string Version);

public sealed record HealthConfig
{
    public string Path { get; init; } = "/health";

    public int Consecutive { get; init; } = 3;

    public double IntervalSeconds { get; init; } = 2;

    public double TimeoutSeconds { get; init; } = 120;
}
