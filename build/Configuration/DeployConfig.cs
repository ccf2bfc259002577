using System.Text.Json;
using System.Text.Json.Serialization;

namespace Build.Configuration;

/// <summary><c>config/deploy.json</c>: Cloud Build and Cloud Run settings per environment.</summary>
public sealed record DeployConfig : ICheckedConfig
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

    /// <summary>What the schema cannot say about <c>services</c>: names are unique and the environment's own service is among them.</summary>
    public IEnumerable<(string Pointer, string Message)> Problems()
    {
        foreach (var (name, environment) in Environments)
        {
            if (environment.Services.Count == 0)
            {
                continue;
            }

            var pointer = $"/environments/{name}/services";
            var duplicate = environment.Services.GroupBy(s => s.Name, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
            if (duplicate is not null)
            {
                yield return (pointer, $"'{duplicate.Key}' is listed twice: each service or job once, in the order they deploy.");
            }

            var primary = environment.Services.FirstOrDefault(s => string.Equals(s.Name, environment.Service, StringComparison.Ordinal));
            if (primary is null)
            {
                yield return (pointer, $"does not list '{environment.Service}' (the environment's service): add {{ \"name\": \"{environment.Service}\" }} where it deploys in the order.");
            }
            else if (primary.Kind == DeployUnitKind.Job)
            {
                yield return (pointer, $"'{environment.Service}' is the environment's service, so it cannot be a job: give the job another name.");
            }
        }
    }
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

    /// <summary>
    /// The services and jobs of the app in the order they deploy (a migration job before the service whose traffic
    /// depends on it); empty: the environment's one service. Each entry takes this environment's settings and
    /// overrides what it gives.
    /// </summary>
    public IReadOnlyList<DeployUnitConfig> Services { get; init; } = [];

    /// <summary>The image's name in the repository, when it is not the service's name (a job running the API's image).</summary>
    public string? Image { get; init; }

    /// <summary>Where images of this environment are pushed: <c>REGION-docker.pkg.dev/PROJECT/REPOSITORY/IMAGE</c>.</summary>
    public string ImageRepository => $"{Region}-docker.pkg.dev/{Project}/{Repository}/{ImageName}";

    /// <summary>The image's name in the repository: <see cref="Image"/>, else the service's name.</summary>
    public string ImageName => Image ?? Service;

    /// <summary>
    /// The settings of one entry of <see cref="Services"/>: this environment's, overridden by what the entry gives. The
    /// schema declares those settings once (<c>$defs/runSettings</c>) for the environment and its entries, so the merge
    /// is done on the JSON: every setting an environment has, an entry can override, with no list to keep in step.
    /// </summary>
    public DeployEnvironmentConfig For(DeployUnitConfig unit)
    {
        ArgumentNullException.ThrowIfNull(unit);
        var merged = JsonSerializer.SerializeToNode(this with { Services = [] }, ConfigLoader.SerializerOptions)!.AsObject();
        // A job or worker runs the environment's image unless it names its own.
        merged["image"] = ImageName;
        foreach (var (name, value) in unit.Settings)
        {
            merged[name] = JsonSerializer.SerializeToNode(value);
        }

        merged["service"] = unit.Name;
        return merged.Deserialize<DeployEnvironmentConfig>(ConfigLoader.SerializerOptions)!;
    }
}

public enum DeployUnitKind
{
    Service,
    Job,
}

/// <summary>
/// One Cloud Run service or job of an app (<c>environments/&lt;env&gt;/services[]</c>): its name, kind and what differs
/// from the environment's settings. Variables and secrets, when given, replace the environment's (a front end does not
/// get the API's database secret).
/// </summary>
public sealed record DeployUnitConfig
{
    /// <summary>The Cloud Run service or job name; <c>--service=&lt;name&gt;</c> picks it.</summary>
    public required string Name { get; init; }

    public DeployUnitKind Kind { get; init; } = DeployUnitKind.Service;

    /// <summary>
    /// What this service or job overrides of its environment's settings, as written (the schema's <c>runSettings</c>):
    /// <see cref="DeployEnvironmentConfig.For"/> lays them over the environment's.
    /// </summary>
    [JsonExtensionData]
    public Dictionary<string, JsonElement> Settings { get; init; } = [];

    /// <summary>A job's command and arguments (<c>--command</c>, <c>--args</c>); empty: the image's own.</summary>
    public IReadOnlyList<string> Command { get; init; } = [];

    public IReadOnlyList<string> Args { get; init; } = [];

    /// <summary>A job's tasks per execution (<c>--tasks</c>).</summary>
    public int? Tasks { get; init; }

    /// <summary>Retries of a failed task (<c>--max-retries</c>).</summary>
    public int? MaxRetries { get; init; }

    /// <summary>How long one task may run (<c>--task-timeout</c>, seconds).</summary>
    public int? TaskTimeoutSeconds { get; init; }

    /// <summary>
    /// A job only: Deploy executes it at its place in the order and waits for it (a migration before the API's traffic
    /// moves); false: Deploy only updates it (a worker that a scheduler executes).
    /// </summary>
    public bool Execute { get; init; } = true;
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
