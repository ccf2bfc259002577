namespace Build.Tools.Gcloud;

public sealed record GcloudSettings : ToolSettings;

/// <summary>Where a Cloud Run service lives. Every Cloud Run command names all three explicitly: never the CLI's defaults.</summary>
public sealed record CloudRunLocation(string Project, string Region, string Service);

public sealed record BuildsSubmitSettings
{
    public required string Project { get; init; }

    public required string Region { get; init; }

    /// <summary>The uploaded folder.</summary>
    public required string Source { get; init; }

    public required string Config { get; init; }

    /// <summary>Passed in key order, so the command line is stable.</summary>
    public IReadOnlyDictionary<string, string> Substitutions { get; init; } = new Dictionary<string, string>();

    /// <summary>The build's own identity (an e-mail): without it Cloud Build picks a default account that may hold no grants.</summary>
    public string? ServiceAccount { get; init; }
}

public sealed record RunDeploySettings
{
    public required CloudRunLocation Location { get; init; }

    /// <summary>An image by digest (<c>...@sha256:...</c>).</summary>
    public required string Image { get; init; }

    /// <summary>Makes the new revision's name known before it exists: <c>SERVICE-SUFFIX</c>.</summary>
    public string? RevisionSuffix { get; init; }

    public bool NoTraffic { get; init; }

    public string? Tag { get; init; }

    public string? ServiceAccount { get; init; }

    public bool? AllowUnauthenticated { get; init; }

    /// <summary>
    /// The service-level minimum (<c>--min</c>): kept warm for whatever serves. Never the per-revision
    /// <c>--min-instances</c>, which keeps a billed idle instance on every tagged revision, failed or rolled back.
    /// </summary>
    public int? ServiceMinInstances { get; init; }

    public int? MaxInstances { get; init; }

    public string? Memory { get; init; }

    public string? Cpu { get; init; }

    public int? Port { get; init; }

    public int? Concurrency { get; init; }

    public int? TimeoutSeconds { get; init; }

    public string? Ingress { get; init; }

    public bool? CpuBoost { get; init; }

    public string? VpcConnector { get; init; }

    public string? VpcEgress { get; init; }

    public IReadOnlyList<string> CloudSqlInstances { get; init; } = [];

    /// <summary>A probe in gcloud's form: <c>httpGet.path=/health,periodSeconds=10</c>.</summary>
    public string? StartupProbe { get; init; }

    public string? LivenessProbe { get; init; }

    /// <summary>Adds variables and secrets to the service's (<c>--update-*</c>) instead of replacing them (<c>--set-*</c>).</summary>
    public bool MergeEnvironment { get; init; }

    public IReadOnlyDictionary<string, string> ContainerEnvironment { get; init; } = new Dictionary<string, string>();

    /// <summary>Variable name to <c>secret:version</c> (Secret Manager references, never values).</summary>
    public IReadOnlyDictionary<string, string> ContainerSecrets { get; init; } = new Dictionary<string, string>();

    /// <summary>Labels of the service and its new revision (<c>--labels</c> replaces the service's labels).</summary>
    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();

    /// <summary>
    /// <c>--min-instances=default</c>: the new revision keeps no per-revision minimum of its own, even when the
    /// service's template still carries one (a preview must not keep a billed idle instance while it is tagged).
    /// </summary>
    public bool ClearRevisionMinimum { get; init; }
}

/// <summary>A Cloud Run job's settings (<c>gcloud run jobs deploy</c>): the container, and how an execution runs.</summary>
public sealed record JobDeploySettings
{
    /// <summary>The job's project, region and name (<see cref="CloudRunLocation.Service"/> holds the job's name).</summary>
    public required CloudRunLocation Location { get; init; }

    public required string Image { get; init; }

    public IReadOnlyList<string> Command { get; init; } = [];

    public IReadOnlyList<string> Args { get; init; } = [];

    public string? ServiceAccount { get; init; }

    public string? Memory { get; init; }

    public string? Cpu { get; init; }

    public int? Tasks { get; init; }

    public int? MaxRetries { get; init; }

    public int? TaskTimeoutSeconds { get; init; }

    public string? VpcConnector { get; init; }

    public string? VpcEgress { get; init; }

    public IReadOnlyList<string> CloudSqlInstances { get; init; } = [];

    public IReadOnlyDictionary<string, string> ContainerEnvironment { get; init; } = new Dictionary<string, string>();

    public IReadOnlyDictionary<string, string> ContainerSecrets { get; init; } = new Dictionary<string, string>();

    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();
}

/// <summary>
/// A traffic move to named revisions, with tags removed in the same call. Never <c>--to-latest</c>: that gives traffic
/// to whatever revision is newest when the command runs, which need not be the one that passed the gates.
/// </summary>
public sealed record TrafficSettings
{
    public required CloudRunLocation Location { get; init; }

    /// <summary>Revision name to percent, in the order given (they add up to 100); empty to change tags only.</summary>
    public IReadOnlyList<KeyValuePair<string, int>> Revisions { get; init; } = [];

    /// <summary>Tags removed from whatever revision holds them (a tag nobody holds is ignored).</summary>
    public IReadOnlyList<string> RemoveTags { get; init; } = [];
}

/// <summary>
/// The <c>gcloud</c> CLI. The static <c>*Arguments</c> methods produce the exact argument lists (tested, and the
/// golden plans of the deploy scenarios record them); queries ask for JSON, mutations pass <c>--quiet</c>.
/// </summary>
public sealed class GcloudTool(ICommandRunner runner) : Tool<GcloudSettings>(runner)
{
    protected override string ToolName => "gcloud";

    private const string InstallText = "Install the Google Cloud CLI (https://cloud.google.com/sdk/docs/install), then run 'gcloud auth login'.";

    protected override string? InstallHint => InstallText;

    /// <summary>
    /// The one shape of every gcloud command: what a plan renders, Doctor probes and <see cref="ExecuteAsync(ToolCommand, CancellationToken)"/>
    /// runs. A query (read-only, captured) runs in a dry run too and is not echoed.
    /// </summary>
    public static ToolCommand Command(ArgumentList arguments, bool query = false) => Bare("gcloud", InstallText, arguments, query);

    public static ArgumentList VersionArguments() => new(["--version"]);

    public static ArgumentList AuthListArguments() => new(["auth", "list", "--filter=status:ACTIVE", "--format=value(account)"]);

    public static ArgumentList ConfigGetProjectArguments() => new(["config", "get-value", "project"]);

    /// <summary>
    /// An ID token for calling a private service. <c>--audiences</c> is required for service-account and
    /// workload-identity credentials (a user account ignores it).
    /// </summary>
    public static ArgumentList PrintIdentityTokenArguments(string audience) => new ArgumentList(["auth", "print-identity-token"]).AddJoined("--audiences", audience);

    public static ArgumentList BuildsSubmitArguments(BuildsSubmitSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        // beta: the GA command prints only a link when the build logs to Cloud Logging only; beta streams the log.
        var arguments = new ArgumentList(["beta", "builds", "submit", settings.Source])
            .AddJoined("--project", settings.Project)
            .AddJoined("--region", settings.Region)
            .AddJoined("--config", settings.Config)
            .AddJoined("--service-account", settings.ServiceAccount is null ? null : $"projects/{settings.Project}/serviceAccounts/{settings.ServiceAccount}");
        if (settings.Substitutions.Count > 0)
        {
            arguments.AddJoined("--substitutions", JoinList(settings.Substitutions.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key}={p.Value}")));
        }

        return arguments.Add("--format=json");
    }

    public static ArgumentList RunDeployArguments(RunDeploySettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var arguments = Located(["run", "deploy", settings.Location.Service], settings.Location)
            .AddJoined("--image", settings.Image)
            .AddJoined("--revision-suffix", settings.RevisionSuffix)
            .AddSwitch("--no-traffic", settings.NoTraffic)
            .AddJoined("--tag", settings.Tag)
            .AddJoined("--service-account", settings.ServiceAccount);
        if (settings.AllowUnauthenticated is { } allow)
        {
            arguments.Add(allow ? "--allow-unauthenticated" : "--no-allow-unauthenticated");
        }

        arguments
            .AddJoined("--min", settings.ServiceMinInstances?.ToString(System.Globalization.CultureInfo.InvariantCulture))
            .AddJoined("--min-instances", settings.ClearRevisionMinimum ? "default" : null)
            .AddJoined("--max-instances", settings.MaxInstances?.ToString(System.Globalization.CultureInfo.InvariantCulture))
            .AddJoined("--memory", settings.Memory)
            .AddJoined("--cpu", settings.Cpu)
            .AddJoined("--port", settings.Port?.ToString(System.Globalization.CultureInfo.InvariantCulture))
            .AddJoined("--concurrency", settings.Concurrency?.ToString(System.Globalization.CultureInfo.InvariantCulture))
            .AddJoined("--timeout", settings.TimeoutSeconds?.ToString(System.Globalization.CultureInfo.InvariantCulture))
            .AddJoined("--ingress", settings.Ingress);
        if (settings.CpuBoost is { } boost)
        {
            arguments.Add(boost ? "--cpu-boost" : "--no-cpu-boost");
        }

        arguments
            .AddJoined("--vpc-connector", settings.VpcConnector)
            .AddJoined("--vpc-egress", settings.VpcEgress)
            .AddJoined("--set-cloudsql-instances", settings.CloudSqlInstances.Count > 0 ? string.Join(',', settings.CloudSqlInstances) : null)
            .AddJoined("--startup-probe", settings.StartupProbe)
            .AddJoined("--liveness-probe", settings.LivenessProbe);
        AddContainerEnvironment(arguments, settings.MergeEnvironment, settings.ContainerEnvironment, settings.ContainerSecrets, settings.Labels);
        return arguments.Add("--quiet");
    }

    /// <summary>
    /// Creates or updates a job. Its execution is a separate step (<see cref="JobsExecuteArguments"/>), so the plan
    /// shows when it runs; variables and secrets are always the job's exact set (<c>--set-*</c>).
    /// </summary>
    public static ArgumentList JobsDeployArguments(JobDeploySettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var arguments = Located(["run", "jobs", "deploy", settings.Location.Service], settings.Location)
            .AddJoined("--image", settings.Image)
            .AddJoined("--command", settings.Command.Count > 0 ? JoinList(settings.Command) : null)
            .AddJoined("--args", settings.Args.Count > 0 ? JoinList(settings.Args) : null)
            .AddJoined("--service-account", settings.ServiceAccount)
            .AddJoined("--memory", settings.Memory)
            .AddJoined("--cpu", settings.Cpu)
            .AddJoined("--tasks", settings.Tasks?.ToString(System.Globalization.CultureInfo.InvariantCulture))
            .AddJoined("--max-retries", settings.MaxRetries?.ToString(System.Globalization.CultureInfo.InvariantCulture))
            .AddJoined("--task-timeout", settings.TaskTimeoutSeconds is { } timeout ? timeout.ToString(System.Globalization.CultureInfo.InvariantCulture) + "s" : null)
            .AddJoined("--vpc-connector", settings.VpcConnector)
            .AddJoined("--vpc-egress", settings.VpcEgress)
            .AddJoined("--set-cloudsql-instances", settings.CloudSqlInstances.Count > 0 ? string.Join(',', settings.CloudSqlInstances) : null);
        AddContainerEnvironment(arguments, merge: false, settings.ContainerEnvironment, settings.ContainerSecrets, settings.Labels);
        return arguments.Add("--quiet");
    }

    /// <summary>Runs the job once and waits for the execution to finish: a failed execution is a non-zero exit.</summary>
    public static ArgumentList JobsExecuteArguments(CloudRunLocation location)
    {
        ArgumentNullException.ThrowIfNull(location);
        return Located(["run", "jobs", "execute", location.Service], location).Add("--wait").Add("--quiet");
    }

    public static ArgumentList DescribeJobArguments(CloudRunLocation location)
    {
        ArgumentNullException.ThrowIfNull(location);
        return Located(["run", "jobs", "describe", location.Service], location).Add("--format=json");
    }

    private static void AddContainerEnvironment(
        ArgumentList arguments, bool merge, IReadOnlyDictionary<string, string> environment, IReadOnlyDictionary<string, string> secrets, IReadOnlyDictionary<string, string> labels)
    {
        var mode = merge ? "update" : "set";
        if (environment.Count > 0)
        {
            arguments.AddJoined($"--{mode}-env-vars", JoinList(environment.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key}={p.Value}")));
        }

        if (secrets.Count > 0)
        {
            arguments.AddJoined($"--{mode}-secrets", JoinList(secrets.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key}={p.Value}")));
        }

        if (labels.Count > 0)
        {
            arguments.AddJoined("--labels", JoinList(labels.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key}={p.Value}")));
        }
    }

    public static ArgumentList DescribeServiceArguments(CloudRunLocation location)
    {
        ArgumentNullException.ThrowIfNull(location);
        return Located(["run", "services", "describe", location.Service], location).Add("--format=json");
    }

    public static ArgumentList ListRevisionsArguments(CloudRunLocation location)
    {
        ArgumentNullException.ThrowIfNull(location);
        return Located(["run", "revisions", "list"], location).AddJoined("--service", location.Service).Add("--format=json");
    }

    public static ArgumentList GetIamPolicyArguments(CloudRunLocation location)
    {
        ArgumentNullException.ThrowIfNull(location);
        return Located(["run", "services", "get-iam-policy", location.Service], location).Add("--format=json");
    }

    public static ArgumentList UpdateTrafficArguments(TrafficSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        if (settings.Revisions.Count == 0 && settings.RemoveTags.Count == 0)
        {
            throw new ArgumentException("A traffic change names revisions, tags to remove, or both.", nameof(settings));
        }

        if (settings.Revisions.Count > 0 && settings.Revisions.Sum(p => p.Value) != 100)
        {
            // gcloud would rescale a split that does not add up; a plan says exactly what serves.
            throw new ArgumentException($"Traffic percentages must add up to 100 ({string.Join(", ", settings.Revisions.Select(p => $"{p.Key}={p.Value}"))}).", nameof(settings));
        }

        var arguments = Located(["run", "services", "update-traffic", settings.Location.Service], settings.Location);
        if (settings.Revisions.Count > 0)
        {
            arguments.AddJoined("--to-revisions", string.Join(',', settings.Revisions.Select(p => $"{p.Key}={p.Value.ToString(System.Globalization.CultureInfo.InvariantCulture)}")));
        }

        if (settings.RemoveTags.Count > 0)
        {
            arguments.AddJoined("--remove-tags", string.Join(',', settings.RemoveTags));
        }

        return arguments.Add("--quiet");
    }

    /// <summary>
    /// A gcloud list flag value. Items are joined with commas; when a value holds a comma, gcloud's alternate
    /// delimiter syntax (<c>^@^a=1,2@b=3</c>) keeps it whole.
    /// </summary>
    public static string JoinList(IEnumerable<string> items)
    {
        ArgumentNullException.ThrowIfNull(items);
        var list = items.ToArray();
        if (!list.Any(i => i.Contains(',', StringComparison.Ordinal)))
        {
            return string.Join(',', list);
        }

        var delimiter = "@;|#~".First(d => !list.Any(i => i.Contains(d, StringComparison.Ordinal)));
        return $"^{delimiter}^" + string.Join(delimiter, list);
    }

    /// <summary>Runs a prepared argument list: a query (read-only, captured) or a change (echoed, streamed).</summary>
    public Task<CommandResult> ExecuteAsync(ArgumentList arguments, bool query, CancellationToken cancellationToken = default) =>
        ExecuteAsync(Command(arguments, query), cancellationToken);

    /// <summary>Runs a command of <see cref="Command"/> adjusted by the caller (its output to a file, its working directory).</summary>
    public Task<CommandResult> ExecuteAsync(ToolCommand command, CancellationToken cancellationToken = default) =>
        Runner.RunAsync(command, cancellationToken);

    private static ArgumentList Located(IEnumerable<string> command, CloudRunLocation location) =>
        new ArgumentList(command).AddJoined("--project", location.Project).AddJoined("--region", location.Region);
}
