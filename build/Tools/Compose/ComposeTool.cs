namespace Build.Tools.Compose;

public sealed record ComposeSettings : ToolSettings
{
    public required string ProjectName { get; init; }

    public IReadOnlyList<string> Files { get; init; } = [];

    public IReadOnlyList<string> Profiles { get; init; } = [];

    /// <summary>Names in <see cref="ToolSettings.EnvironmentVariables"/> whose values are secrets: echoed redacted.</summary>
    public IReadOnlySet<string> SecretVariables { get; init; } = new HashSet<string>(StringComparer.Ordinal);
}

/// <summary>Options of <c>compose up</c>.</summary>
public sealed record ComposeUpOptions
{
    public bool Detach { get; init; } = true;

    /// <summary>Never build: the kit's BuildImages built the images (with its own skip logic) before.</summary>
    public bool NoBuild { get; init; } = true;

    public bool RemoveOrphans { get; init; } = true;

    /// <summary>Recreate the containers even when their configuration did not change (one that lost its network).</summary>
    public bool ForceRecreate { get; init; }

    public IReadOnlyList<string> Services { get; init; } = [];
}

/// <summary>Options of <c>compose logs</c>.</summary>
public sealed record ComposeLogsOptions
{
    public bool Follow { get; init; }

    public int? Tail { get; init; }

    public bool Timestamps { get; init; }

    public IReadOnlyList<string> Services { get; init; } = [];
}

/// <summary>
/// Compose v2 (<c>docker compose</c>) or v1 (<c>docker-compose</c>), detected once, driven with the same typed settings.
/// The executable follows the detected <see cref="ComposeVersion"/> (<c>docker</c> or <c>docker-compose</c>), so
/// commands are built by <see cref="Command"/> rather than from the tool's name as the other wrappers do.
/// </summary>
public sealed class ComposeTool(ICommandRunner runner) : Tool<ComposeSettings>(runner)
{
    private const string InstallText = "Install Compose v2 (https://docs.docker.com/compose/install/) or, on Debian, apt-get install docker-compose.";

    protected override string ToolName => "compose";

    protected override string? InstallHint => InstallText;

    /// <summary>The environment variable that forces one Compose (<c>v1</c> or <c>v2</c>), read once at start.</summary>
    public const string FlavorVariable = "KIT_COMPOSE";

    /// <summary>The Compose <see cref="FlavorVariable"/> asks for; null when unset (v2 first, then v1).</summary>
    public static ComposeFlavor? PreferredFlavor(IReadOnlyDictionary<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        var value = environment.TryGetValue(FlavorVariable, out var set) ? set?.Trim().ToLowerInvariant() : null;
        return value switch
        {
            null or "" => null,
            "v1" or "1" or "docker-compose" => ComposeFlavor.V1,
            "v2" or "2" or "docker compose" => ComposeFlavor.V2,
            _ => throw new Host.UsageException($"{FlavorVariable}='{value}' is not a Compose version: use v1 (docker-compose) or v2 (docker compose), or unset it."),
        };
    }

    /// <summary>The order Compose is looked for in: v2 first, then v1.</summary>
    public static IReadOnlyList<ComposeFlavor> Flavors { get; } = [ComposeFlavor.V2, ComposeFlavor.V1];

    /// <summary><c>docker compose version --short</c> or <c>docker-compose version --short</c>: a query.</summary>
    public static ToolCommand VersionCommand(ComposeFlavor flavor)
    {
        var probe = new ComposeVersion(flavor, string.Empty);
        return Bare("compose", InstallText, new ArgumentList(probe.Prefix).Add(["version", "--short"]), query: true, probe.Executable);
    }

    /// <summary>The one Compose a run uses: v2 first, then v1; only <paramref name="only"/> when given (<c>KIT_COMPOSE=v1</c>).</summary>
    public async Task<ComposeVersion> DetectAsync(ComposeFlavor? only = null, CancellationToken cancellationToken = default)
    {
        foreach (var flavor in Flavors.Where(f => only is null || f == only))
        {
            if (await TryDetectAsync(flavor, null, cancellationToken).ConfigureAwait(false) is { } version)
            {
                return version;
            }
        }

        throw NotFound(only);
    }

    /// <summary>The failure when no Compose (or not the one <paramref name="only"/> asks for) is installed, with how to install it.</summary>
    public static ToolFailedException NotFound(ComposeFlavor? only = null)
    {
        var wanted = only switch
        {
            ComposeFlavor.V1 => $"'docker-compose' (v1, asked for by {FlavorVariable}) was not found. ",
            ComposeFlavor.V2 => $"'docker compose' (v2, asked for by {FlavorVariable}) was not found. ",
            _ => NeitherFound + " was found. ",
        };
        return new ToolFailedException("compose", 127, wanted + InstallText, []);
    }

    /// <summary>
    /// Every installed Compose, v2 first, each asked at once and given up on after <paramref name="timeout"/>: Doctor
    /// reports both, ComposeValidate validates with both. Empty when there is none.
    /// </summary>
    public async Task<IReadOnlyList<ComposeVersion>> DetectInstalledAsync(TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        var found = await Task.WhenAll(Flavors.Select(f => TryDetectAsync(f, timeout, cancellationToken))).ConfigureAwait(false);
        return found.OfType<ComposeVersion>().ToArray();
    }

    /// <summary>"neither 'docker compose' (v2) nor 'docker-compose' (v1)": how every message says no Compose is installed.</summary>
    public const string NeitherFound = "neither 'docker compose' (v2) nor 'docker-compose' (v1)";

    private async Task<ComposeVersion?> TryDetectAsync(ComposeFlavor flavor, TimeSpan? timeout, CancellationToken cancellationToken)
    {
        try
        {
            var result = await Runner.RunAsync(VersionCommand(flavor) with { Timeout = timeout }, cancellationToken).ConfigureAwait(false);
            var version = result.StandardOutput.Trim().TrimStart('v');
            return version.Length > 0 ? new ComposeVersion(flavor, version) : null;
        }
        catch (ToolFailedException)
        {
            // Not installed (or not answering): the other one may be.
            return null;
        }
    }

    /// <summary><c>up</c>: detached, no build (the kit builds), orphans of older files removed.</summary>
    public static ArgumentList UpArguments(ComposeUpOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new ArgumentList().Add("up").AddSwitch("--detach", options.Detach).AddSwitch("--no-build", options.NoBuild)
            .AddSwitch("--remove-orphans", options.RemoveOrphans).AddSwitch("--force-recreate", options.ForceRecreate).Add(options.Services);
    }

    /// <summary><c>down</c>: named volumes stay unless <paramref name="volumes"/>.</summary>
    public static ArgumentList DownArguments(bool volumes) =>
        new ArgumentList().Add("down").Add("--remove-orphans").AddSwitch("--volumes", volumes);

    public static ArgumentList RestartArguments(IReadOnlyList<string> services) => new ArgumentList().Add("restart").Add(services);

    public static ArgumentList LogsArguments(ComposeLogsOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new ArgumentList().Add("logs").Add("--no-color").AddSwitch("--follow", options.Follow)
            .AddOption("--tail", options.Tail?.ToString(System.Globalization.CultureInfo.InvariantCulture))
            .AddSwitch("--timestamps", options.Timestamps).Add(options.Services);
    }

    /// <summary>
    /// <c>exec</c>; <paramref name="interactive"/> false adds <c>-T</c> (no pseudo-terminal), needed when the kit's input
    /// is not a terminal.
    /// </summary>
    public static ArgumentList ExecArguments(string service, IReadOnlyList<string> command, bool interactive)
    {
        ArgumentNullException.ThrowIfNull(command);
        return new ArgumentList().Add("exec").AddSwitch("-T", !interactive).Add(service).Add(command);
    }

    /// <summary>
    /// <c>run --rm --no-deps -T</c>: <paramref name="command"/> in a one-off container of <paramref name="service"/> (its
    /// image and environment), removed afterwards; its dependencies are expected to be up already.
    /// </summary>
    public static ArgumentList RunArguments(string service, IReadOnlyList<string> command)
    {
        ArgumentNullException.ThrowIfNull(command);
        return new ArgumentList().Add("run").Add("--rm").Add("--no-deps").Add("-T").Add(service).Add(command);
    }

    /// <summary>The merged configuration after variables, as YAML (both versions print YAML).</summary>
    public static ArgumentList ConfigArguments() => new(["config"]);

    /// <summary>The merged configuration as JSON (Compose v2): the same marshalling compose hashes into a container's config-hash label.</summary>
    public static ArgumentList ConfigJsonArguments() => new(["config", "--format", "json"]);

    /// <summary>Validates the files and variables without printing them.</summary>
    public static ArgumentList ConfigCheckArguments() => new(["config", "--quiet"]);

    /// <summary>The global part of every compose command: project, files, profiles, then the subcommand.</summary>
    public static ArgumentList Arguments(ComposeVersion version, ComposeSettings settings, IEnumerable<string> subcommand)
    {
        ArgumentNullException.ThrowIfNull(version);
        ArgumentNullException.ThrowIfNull(settings);
        var arguments = new ArgumentList(version.Prefix).AddOption("-p", settings.ProjectName);
        arguments.AddOptions("-f", settings.Files);
        arguments.AddOptions("--profile", settings.Profiles);
        return arguments.Add(subcommand);
    }

    public static ToolCommand Command(ComposeVersion version, ComposeSettings settings, IEnumerable<string> subcommand, bool query = false, bool quiet = false)
    {
        ArgumentNullException.ThrowIfNull(version);
        ArgumentNullException.ThrowIfNull(settings);
        var environment = new Dictionary<string, string?>(settings.EnvironmentVariables);
        if (version.Flavor == ComposeFlavor.V1)
        {
            // v1 builds with the legacy builder (no RUN --mount) unless told to hand builds to the docker CLI.
            environment["COMPOSE_DOCKER_CLI_BUILD"] = "1";
            environment["DOCKER_BUILDKIT"] = "1";
        }

        var tool = version.Flavor == ComposeFlavor.V2 ? "docker compose" : "docker-compose";
        return Bare(tool, InstallText, Arguments(version, settings, subcommand), query, version.Executable) with
        {
            WorkingDirectory = settings.WorkingDirectory,
            Environment = environment,
            SecretVariables = settings.SecretVariables,
            Timeout = settings.Timeout,
            Quiet = quiet,
        };
    }
}
