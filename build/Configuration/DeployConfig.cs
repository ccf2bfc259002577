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

    /// <summary>The service-level minimum (<c>gcloud run deploy --min</c>): instances kept warm for what serves, never per revision.</summary>
    public int? MinInstances { get; init; }

    public int? MaxInstances { get; init; }

    public string? Memory { get; init; }

    public string? Cpu { get; init; }

    public int? Port { get; init; }

    /// <summary>Requests one instance serves at once (<c>--concurrency</c>).</summary>
    public int? Concurrency { get; init; }

    /// <summary>The request timeout (<c>--timeout</c>).</summary>
    public int? TimeoutSeconds { get; init; }

    /// <summary>all, internal or internal-and-cloud-load-balancing (<c>--ingress</c>).</summary>
    public string? Ingress { get; init; }

    /// <summary>More CPU while an instance starts (<c>--cpu-boost</c> / <c>--no-cpu-boost</c>).</summary>
    public bool? CpuBoost { get; init; }

    /// <summary>A Serverless VPC Access connector (<c>--vpc-connector</c>).</summary>
    public string? VpcConnector { get; init; }

    /// <summary>all-traffic or private-ranges-only (<c>--vpc-egress</c>).</summary>
    public string? VpcEgress { get; init; }

    /// <summary>Cloud SQL instances as PROJECT:REGION:INSTANCE (<c>--set-cloudsql-instances</c>).</summary>
    public IReadOnlyList<string> CloudSqlInstances { get; init; } = [];

    public ProbeConfig? StartupProbe { get; init; }

    public ProbeConfig? LivenessProbe { get; init; }

    /// <summary>
    /// replace (default): the revision gets exactly the variables and secrets of config (<c>--set-env-vars</c>,
    /// <c>--set-secrets</c>); merge: they are added to what the service has (<c>--update-env-vars</c>, <c>--update-secrets</c>).
    /// </summary>
    public string EnvironmentMode { get; init; } = "replace";

    public IReadOnlyDictionary<string, string> EnvironmentVariables { get; init; } = new Dictionary<string, string>();

    public IReadOnlyDictionary<string, SecretReference> Secrets { get; init; } = new Dictionary<string, SecretReference>();

    public DeployStrategyKind Strategy { get; init; } = DeployStrategyKind.Direct;

    public IReadOnlyList<int> CanarySteps { get; init; } = [10, 50, 100];

    public HealthConfig Health { get; init; } = new();

    /// <summary>How each canary step is judged once traffic moved: requests to the service URL during a soak time.</summary>
    public SoakConfig Soak { get; init; } = new();

    /// <summary>
    /// Build once: this environment deploys the digest that passed the named environment (recorded there by its last
    /// successful Deploy) instead of building its own. <c>--image</c> still overrides it.
    /// </summary>
    public string? PromoteFrom { get; init; }

    /// <summary>The identity Cloud Build runs as for this environment's builds (an e-mail); see docs/deploy.md.</summary>
    public string? BuildServiceAccount { get; init; }

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

/// <summary>
/// A canary step's soak: for <see cref="Seconds"/> after traffic moved, <see cref="MinimumRequests"/> GETs (spread evenly) of
/// the health path through the service URL (what users reach, so the candidate answers its share); the step fails when
/// more than <see cref="MaxFailedPercent"/> of them fail or their 95th percentile latency exceeds <see cref="MaxLatencyMilliseconds"/>.
/// </summary>
public sealed record SoakConfig
{
    public double Seconds { get; init; } = 60;

    public int MinimumRequests { get; init; } = 60;

    public double MaxFailedPercent { get; init; } = 1;

    public int MaxLatencyMilliseconds { get; init; } = 2000;
}

/// <summary>An HTTP probe of the container (<c>--startup-probe</c>, <c>--liveness-probe</c>).</summary>
public sealed record ProbeConfig
{
    public string Path { get; init; } = "/health";

    public int? InitialDelaySeconds { get; init; }

    public int? PeriodSeconds { get; init; }

    public int? TimeoutSeconds { get; init; }

    public int? FailureThreshold { get; init; }
}
