using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Build.Configuration;
using Build.Tools.Gcloud;

namespace Build.Deploy;

/// <summary>One deployable environment, resolved once from config/project.json and config/deploy.json.</summary>
public sealed partial record DeployTarget(string Environment, DeployEnvironmentConfig Settings, bool Protected, DeployStrategyKind Strategy)
{
    public CloudRunLocation Location => new(Settings.Project, Settings.Region, Settings.Service);

    /// <summary>A service (traffic, strategy) or a job (deployed, then executed).</summary>
    public DeployUnitKind Kind { get; init; } = DeployUnitKind.Service;

    /// <summary>The entry of <c>services</c> this target was made from; null for the environment's own service.</summary>
    public DeployUnitConfig? Unit { get; init; }

    /// <summary>The environment's own service (<c>environments/&lt;env&gt;/service</c>): its release record is the environment's.</summary>
    public bool IsPrimary { get; init; } = true;

    /// <summary>
    /// Where this service's or job's release is recorded: the environment's name for its own service (as before
    /// services were listed), <c>&lt;env&gt;.&lt;name&gt;</c> for the others.
    /// </summary>
    public string RecordKey => RecordKeyOf(Environment, Settings.Service, IsPrimary);

    public static string RecordKeyOf(string environment, string name, bool primary) => primary ? environment : $"{environment}.{name}";

    /// <summary>
    /// Every service and job of the environment in deploy order (<c>services</c>, or the environment's one service),
    /// or only <paramref name="only"/> (<c>--service</c>).
    /// </summary>
    public static IReadOnlyList<DeployTarget> ResolveAll(string environment, KitConfiguration config, DeployStrategyKind? strategyOverride, string? only = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        var primary = Resolve(environment, config, strategyOverride);
        var settings = primary.Settings;
        var all = settings.Services.Count == 0
            ? [primary]
            : settings.Services.Select(unit =>
            {
                var isPrimary = string.Equals(unit.Name, settings.Service, StringComparison.Ordinal);
                var merged = settings.For(unit);
                var strategy = strategyOverride ?? merged.Strategy;
                Check(environment, merged, strategy, $"services/{unit.Name}/");
                return new DeployTarget(environment, merged, primary.Protected, strategy) { Kind = unit.Kind, Unit = unit, IsPrimary = isPrimary };
            }).ToArray();
        if (only is null)
        {
            return all;
        }

        var names = all.Select(t => t.Settings.Service).ToArray();
        return all.Where(t => string.Equals(t.Settings.Service, only, StringComparison.Ordinal)).ToArray() is { Length: > 0 } chosen
            ? chosen
            : throw new DeployException($"--service={only} is not a service or job of {environment}: pass one of {string.Join(", ", names)} (config/deploy.json environments/{environment}/services).{Host.Suggestions.DidYouMean(only, names)}", 2);
    }

    public static DeployTarget Resolve(string environment, KitConfiguration config, DeployStrategyKind? strategyOverride)
    {
        ArgumentNullException.ThrowIfNull(config);
        var project = config.Project.Environment(environment);
        if (project.Local)
        {
            var deployable = string.Join(", ", config.Deploy.Environments.Keys);
            throw new DeployException($"'{environment}' is the local compose stack, not a Cloud Run environment: pass --env with one of {deployable}.", 2);
        }

        var settings = config.Deploy.Environment(environment);
        var strategy = strategyOverride ?? settings.Strategy;
        Check(environment, settings, strategy, string.Empty);

        if (settings.PromoteFrom is { } source && (source == environment || !config.Deploy.Environments.ContainsKey(source)))
        {
            throw new ConfigurationException("config/deploy.json", 0, $"environments/{environment}/promoteFrom '{source}' must name another deployable environment ({string.Join(", ", config.Deploy.Environments.Keys.Where(k => k != environment))}).");
        }

        return new DeployTarget(environment, settings, project.Protected, strategy);
    }

    private static void Check(string environment, DeployEnvironmentConfig settings, DeployStrategyKind strategy, string where)
    {
        var steps = settings.CanarySteps;
        if (strategy == DeployStrategyKind.Canary && steps.Zip(steps.Skip(1)).Any(p => p.Second <= p.First))
        {
            throw new ConfigurationException("config/deploy.json", 0, $"environments/{environment}/{where}canarySteps must increase ({string.Join(" → ", steps)}).");
        }
    }

    /// <summary>The container settings every revision of this environment gets, as <c>gcloud run deploy</c> settings.</summary>
    public RunDeploySettings DeploySettings(string image) => new()
    {
        Location = Location,
        Image = image,
        ServiceAccount = Settings.ServiceAccount,
        AllowUnauthenticated = Settings.AllowUnauthenticated,
        ServiceMinInstances = Settings.MinInstances,
        MaxInstances = Settings.MaxInstances,
        Memory = Settings.Memory,
        Cpu = Settings.Cpu,
        Port = Settings.Port,
        Concurrency = Settings.Concurrency,
        TimeoutSeconds = Settings.TimeoutSeconds,
        Ingress = Settings.Ingress,
        CpuBoost = Settings.CpuBoost,
        VpcConnector = Settings.VpcConnector,
        VpcEgress = Settings.VpcEgress,
        CloudSqlInstances = Settings.CloudSqlInstances,
        StartupProbe = Probe(Settings.StartupProbe),
        LivenessProbe = Probe(Settings.LivenessProbe),
        MergeEnvironment = Settings.EnvironmentMode == "merge",
        ContainerEnvironment = Settings.EnvironmentVariables,
        ContainerSecrets = Secrets(),
    };

    /// <summary>A probe in gcloud's <c>--startup-probe</c> / <c>--liveness-probe</c> form, on the container's port.</summary>
    private static string? Probe(ProbeConfig? probe)
    {
        if (probe is null)
        {
            return null;
        }

        var parts = new List<string> { $"httpGet.path={probe.Path}" };
        void Add(string name, int? value)
        {
            if (value is { } v)
            {
                parts.Add($"{name}={v.ToString(System.Globalization.CultureInfo.InvariantCulture)}");
            }
        }

        Add("initialDelaySeconds", probe.InitialDelaySeconds);
        Add("periodSeconds", probe.PeriodSeconds);
        Add("timeoutSeconds", probe.TimeoutSeconds);
        Add("failureThreshold", probe.FailureThreshold);
        return string.Join(',', parts);
    }

    /// <summary>
    /// The new revision's suffix, known before it exists: the image digest's first ten characters and a short hash of
    /// the image and settings, so the same image with the same settings is the same revision (a repeat deploy changes nothing).
    /// </summary>
    public string RevisionSuffix(string image)
    {
        ArgumentNullException.ThrowIfNull(image);
        if (ImageReference.DigestOf(image) is not { } digest)
        {
            return "<from-image-digest>";
        }

        var settings = string.Join('\n', GcloudTool.RunDeployArguments(DeploySettings(image)).Values);
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(settings)));
        return $"{digest[..10]}-{hash[..5]}";
    }

    /// <summary>
    /// The revision <c>--revision-suffix</c> creates: gcloud cuts the service name so the whole name fits Cloud Run's
    /// 63 characters. <paramref name="attempt"/> above 1 is a fresh name when the first one is taken already.
    /// </summary>
    public string CandidateRevision(string image, int attempt = 1) => RevisionName(Settings.Service, CandidateSuffix(image, attempt));

    public string CandidateSuffix(string image, int attempt = 1) =>
        attempt <= 1 ? RevisionSuffix(image) : $"{RevisionSuffix(image)}-{attempt.ToString(System.Globalization.CultureInfo.InvariantCulture)}";

    /// <summary>A preview's revision: the candidate's suffix and six characters of the tag's hash, so each branch's preview is its own revision.</summary>
    public string PreviewRevision(string image, string tag, int attempt = 1) => RevisionName(Settings.Service, PreviewSuffix(image, tag, attempt));

    public string PreviewSuffix(string image, string tag, int attempt = 1)
    {
        ArgumentNullException.ThrowIfNull(tag);
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(tag)))[..6];
        return $"{RevisionSuffix(image)}-p{hash}{(attempt <= 1 ? string.Empty : "-" + attempt.ToString(System.Globalization.CultureInfo.InvariantCulture))}";
    }

    /// <summary>A job's settings: the container of the environment (or of its <c>services</c> entry) and the job's own.</summary>
    public JobDeploySettings JobSettings(string image) => new()
    {
        Location = Location,
        Image = image,
        Command = Unit?.Command ?? [],
        Args = Unit?.Args ?? [],
        ServiceAccount = Settings.ServiceAccount,
        Memory = Settings.Memory,
        Cpu = Settings.Cpu,
        Tasks = Unit?.Tasks,
        MaxRetries = Unit?.MaxRetries,
        TaskTimeoutSeconds = Unit?.TaskTimeoutSeconds,
        VpcConnector = Settings.VpcConnector,
        VpcEgress = Settings.VpcEgress,
        CloudSqlInstances = Settings.CloudSqlInstances,
        ContainerEnvironment = Settings.EnvironmentVariables,
        ContainerSecrets = Secrets(),
    };

    private Dictionary<string, string> Secrets() => Settings.Secrets.ToDictionary(p => p.Key, p => $"{p.Value.Secret}:{p.Value.Version}", StringComparer.Ordinal);

    /// <summary>What gcloud names a revision for a suffix (googlecloudsdk command_lib/run/config_changes.py, RevisionNameChanges).</summary>
    public static string RevisionName(string service, string suffix)
    {
        ArgumentNullException.ThrowIfNull(service);
        ArgumentNullException.ThrowIfNull(suffix);
        const int MaxResourceName = 63;
        var prefix = Math.Max(0, MaxResourceName - suffix.Length - 1);
        return $"{(service.Length > prefix ? service[..prefix] : service)}-{suffix}";
    }
}

/// <summary>Images are deployed by digest, never by a tag that can move.</summary>
public static partial class ImageReference
{
    /// <summary>Stands for the digest CloudBuildDeploy will record, in a plan printed before the build.</summary>
    public const string FromBuild = "<image@sha256 pushed by CloudBuildDeploy>";

    /// <summary>The placeholder of one image: <see cref="FromBuild"/> for the environment's own image, named for another.</summary>
    public static string FromBuildOf(string imageName, string? primaryImageName) =>
        imageName == primaryImageName || primaryImageName is null ? FromBuild : $"<{imageName}@sha256 pushed by CloudBuildDeploy>";

    public static bool IsFromBuild(string image) =>
        image is not null && image.StartsWith('<') && image.EndsWith("@sha256 pushed by CloudBuildDeploy>", StringComparison.Ordinal);

    /// <summary>The 64 hex characters of <c>ref@sha256:...</c>, or null when the reference has no digest.</summary>
    public static string? DigestOf(string image)
    {
        ArgumentNullException.ThrowIfNull(image);
        return ByDigest().Match(image) is { Success: true } match ? match.Groups["hex"].Value : null;
    }

    public static string RequireDigest(string image, string origin)
    {
        ArgumentNullException.ThrowIfNull(image);
        return DigestOf(image) is null
            ? throw new DeployException(
                $"{origin} '{image}' has no digest: deploy by digest (<repository>/<name>@sha256:<64 hex>), never by a tag that can move. CloudBuildDeploy records the digest it pushed.", 2)
            : image;
    }

    [GeneratedRegex("^[a-z0-9][a-z0-9./_-]*(:[A-Za-z0-9_.-]+)?@sha256:(?<hex>[0-9a-f]{64})$")]
    private static partial Regex ByDigest();
}
