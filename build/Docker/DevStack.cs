using Build.Host;
using Build.Tools;
using Build.Tools.Compose;
using Build.Tools.Docker;
using Cake.Core.Diagnostics;

namespace Build.Docker;

/// <summary>A failed preflight check of DevUp: what is wrong and how to fix it, before anything started.</summary>
public sealed class PreflightException(string message) : ExitCodeException(1, message);

/// <summary>What DevUp's preflight needs to know beyond the stack.</summary>
public sealed record PreflightOptions
{
    /// <summary>--skip-build: the kit's own images must already be there.</summary>
    public bool SkipBuild { get; init; }

    public int InotifyInstancesPerStack { get; init; } = 40;

    public int InotifyWatchesPerStack { get; init; } = 8192;

    /// <summary>Where the host's inotify limits are read (a test points it elsewhere).</summary>
    public string InotifyFolder { get; init; } = InotifyLimits.Folder;
}

/// <summary>
/// What the preflight decided for <c>up</c>, as data: the merged configuration, the services to recreate first (they
/// lost their network under a running stack) and variables to add (the polling fallback).
/// </summary>
public sealed record UpPlan(ComposeModel Model)
{
    public IReadOnlyList<string> Recreate { get; init; } = [];

    public IReadOnlyDictionary<string, string> Variables { get; init; } = new Dictionary<string, string>();
}

/// <summary>
/// The compose stack of one environment, as the Dev tasks drive it: preflight, up, health, status, down. Every
/// command goes through the one runner. The Dev tasks make their plans from its commands (<see cref="UpCommand"/>,
/// <see cref="DownCommand"/>, <see cref="RestartCommand"/>); nothing here knows of dry runs.
/// </summary>
public sealed class DevStack(ComposeProject project, ICommandRunner runner, ICakeLog log, SecretMasker masker, ComposeAnswers? answers = null)
{
    public ComposeProject Project { get; } = project;

    public HealthWaiter Health { get; } = new(runner, log, masker)
    {
        Live = () => LiveLine.ForConsole(Configuration.ContinuousIntegration.IsDetected(project.ProcessEnvironment)),
    };

    private string? DockerHost => Project.ProcessEnvironment.GetValueOrDefault("DOCKER_HOST");

    /// <summary>The engine's version; the one-line fix (<see cref="DockerEngine"/>) when it does not answer.</summary>
    public Task<string> RequireEngineAsync(CancellationToken cancellationToken = default) =>
        DockerEngine.RequireAsync(runner, DockerHost, cancellationToken);

    /// <summary>Every variable the compose files require is set; else the one-line fix. Needs no engine.</summary>
    public void RequireVariables()
    {
        if (Project.MissingVariables() is { Count: > 0 } missing)
        {
            throw new PreflightException(
                $"Required variable(s) not set: {string.Join(", ", missing)}. Set them in .env (see .env.example), or export them.");
        }
    }

    /// <summary>What <see cref="PreflightAsync"/> checks for <paramref name="model"/>, in the words of a plan.</summary>
    public static string PreflightChecks(ComposeModel model) =>
        $"Docker engine answers; host ports {string.Join(", ", model.Ports.Select(p => p.Port).Distinct())} free (naming the holder of a busy one); "
        + "inotify limits for the file watchers; every image of the stack on this machine (pulling those the kit does not build); containers that lost their network <read at run time>";

    /// <summary>
    /// Engine reachable, compose version, required variables set, compose files valid with these variables, host ports
    /// free (naming the holder of a busy one), inotify limits, every image the stack runs present or pulled, and
    /// containers that lost their network. Nothing of the stack is created.
    /// </summary>
    public async Task<UpPlan> PreflightAsync(PreflightOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new PreflightOptions();
        var engine = await RequireEngineAsync(cancellationToken).ConfigureAwait(false);
        log.Information($"Preflight: Docker engine {engine}; {Project.Version.Describe()}; project '{Project.Name}' ({Project.EnvironmentName}"
            + (Project.PortOffset == 0 ? ")" : $", host ports +{Project.PortOffset})"));
        foreach (var limitation in Project.Version.Limitations)
        {
            log.Verbose($"  Compose v1: {limitation}");
        }

        RequireVariables();
        var model = await ReadModelAsync(cancellationToken).ConfigureAwait(false);
        var busy = await new PortPreflight(runner).CheckAsync(Project, model.Ports, cancellationToken).ConfigureAwait(false);
        if (busy.Count > 0)
        {
            throw new PreflightException(string.Join(System.Environment.NewLine, busy));
        }

        log.Information($"Preflight: services {string.Join(", ", model.Services)}; host ports {string.Join(", ", model.Ports.Select(p => p.Port).Distinct())} free.");
        var variables = await FileWatchingAsync(model, options, cancellationToken).ConfigureAwait(false);
        await CheckImagesAsync(model, options, cancellationToken).ConfigureAwait(false);
        var lost = model.LostNetworks(await Health.ReadAsync(Project.Name, cancellationToken).ConfigureAwait(false));
        var recreate = lost.Select(p => p.Container.Service).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
        if (recreate.Length > 0)
        {
            log.Warning($"Preflight: {string.Join(", ", recreate)} lost network {string.Join(", ", lost.SelectMany(p => p.Missing).Distinct(StringComparer.Ordinal))} "
                + "(removed or disconnected under the running stack): recreating them.");
        }

        return new UpPlan(model) { Recreate = recreate, Variables = variables };
    }

    /// <summary>
    /// The host's inotify limits against the running dev stacks plus this one, when this environment watches files.
    /// Too low: one warning with how to raise them, and the watchers poll instead (unless the variable is set by hand).
    /// </summary>
    private async Task<IReadOnlyDictionary<string, string>> FileWatchingAsync(ComposeModel model, PreflightOptions options, CancellationToken cancellationToken)
    {
        if (model.FileWatchers.Count == 0 || !string.IsNullOrEmpty(Project.Variable(FileWatchLimits.PollingVariable)))
        {
            return new Dictionary<string, string>();
        }

        IReadOnlyList<string> others = [];
        try
        {
            others = await FileWatchLimits.RunningWatcherProjectsAsync(runner, Project.Name, cancellationToken).ConfigureAwait(false);
        }
        catch (ToolFailedException)
        {
            // Only the count of other stacks is lost: judge this one alone.
        }

        var verdict = FileWatchLimits.Evaluate(InotifyLimits.Read(options.InotifyFolder), others.Count + 1, options.InotifyInstancesPerStack, options.InotifyWatchesPerStack);
        if (verdict.Enough)
        {
            log.Verbose($"Preflight: file watching: {verdict.Detail}");
            return new Dictionary<string, string>();
        }

        log.Warning($"Preflight: {verdict.Detail}: {string.Join(", ", model.FileWatchers)} poll for changes instead (slower; {FileWatchLimits.PollingVariable}=1). {verdict.Fix}");
        if (model.WatchersThatCannotPoll.Count > 0)
        {
            log.Warning($"Preflight: {CannotPoll(model)}");
        }

        return new Dictionary<string, string> { [FileWatchLimits.PollingVariable] = "1" };
    }

    /// <summary>The watchers the polling fallback cannot reach, and what to add to the dev overlay.</summary>
    public static string CannotPoll(ComposeModel model) =>
        $"{string.Join(", ", model.WatchersThatCannotPoll)} cannot be told to poll: the dev overlay gives {(model.WatchersThatCannotPoll.Count == 1 ? "it" : "them")} no {FileWatchLimits.PollingVariable} "
        + $"(add `{FileWatchLimits.PollingVariable}: ${{{FileWatchLimits.PollingVariable}:-0}}` to the service's environment and have its watcher poll when it is 1)";

    /// <summary>
    /// Every image a service runs is on this machine before <c>up</c>, which would otherwise pull (or fail) half-way
    /// through creating the stack: the kit's own images unless DevUp builds them now, the others pulled here.
    /// </summary>
    private async Task CheckImagesAsync(ComposeModel model, PreflightOptions options, CancellationToken cancellationToken)
    {
        var images = new ImageAvailability(runner);
        var built = Project.Environment.Images.Where(Project.Config.Images.ContainsKey).Select(n => Project.Config.Images[n].Repository).ToHashSet(StringComparer.Ordinal);
        var kit = Project.Config.Images.Values.Select(i => i.Repository).ToHashSet(StringComparer.Ordinal);
        var problems = new List<string>();
        foreach (var group in model.Images.GroupBy(p => p.Value, p => p.Key, StringComparer.Ordinal))
        {
            var image = group.Key;
            var repository = ImageAvailability.Repository(image);
            var usedBy = $"service {string.Join(", ", group)}";
            if ((built.Contains(repository) && !options.SkipBuild) || await images.IsPresentAsync(image, cancellationToken).ConfigureAwait(false))
            {
                continue;
            }

            if (kit.Contains(repository))
            {
                problems.Add(options.SkipBuild
                    ? $"Image {image} ({usedBy}) is not on this machine, and --skip-build starts from images already built: drop --skip-build, or run {Bootstrapper.Command} --target=BuildImages first."
                    : $"Image {image} ({usedBy}) is not on this machine and this environment does not build it: run {Bootstrapper.Command} --target=BuildImages first.");
                continue;
            }

            log.Information($"Preflight: pulling {image} ({usedBy}), which is not on this machine");
            if (await images.PullAsync(image, usedBy, cancellationToken).ConfigureAwait(false) is { } problem)
            {
                problems.Add(problem);
            }
        }

        if (problems.Count > 0)
        {
            throw new PreflightException(string.Join(System.Environment.NewLine, problems));
        }
    }

    // The merged configuration of the run's stack does not change during a run: read once (DevStart and DevUp both need it).
    private Task<KnownConfig>? config;

    /// <summary>The services that run with the environment's profiles and their host ports (from <c>compose config</c>, once per stack).</summary>
    public async Task<ComposeModel> ReadModelAsync(CancellationToken cancellationToken = default) =>
        (await ReadConfigAsync(cancellationToken).ConfigureAwait(false)).Model;

    /// <summary>
    /// The <c>com.docker.compose.config-hash</c> each service's container gets from this configuration, computed from
    /// the same <c>compose config</c> output (Compose v2 prints it as JSON; v1's YAML gives none).
    /// </summary>
    public async Task<IReadOnlyDictionary<string, string>> ConfigHashesAsync(CancellationToken cancellationToken = default) =>
        (await ReadConfigAsync(cancellationToken).ConfigureAwait(false)).Hashes;

    /// <summary>What the kit reads from <c>compose config</c>: the model and the config hashes.</summary>
    public sealed record KnownConfig(ComposeModel Model, IReadOnlyDictionary<string, string> Hashes);

    private Task<KnownConfig> ReadConfigAsync(CancellationToken cancellationToken) =>
        (config ??= ReadConfigOnceAsync()).WaitAsync(cancellationToken);

    private async Task<KnownConfig> ReadConfigOnceAsync()
    {
        // JSON is YAML too: the one parser reads both versions' output; v2's JSON also gives the config hashes.
        var isV2 = Project.Version.Flavor == ComposeFlavor.V2;
        var command = Project.NonCreatingCommand(isV2 ? ComposeTool.ConfigJsonArguments() : ComposeTool.ConfigArguments(), query: true, quiet: true);
        var root = command.WorkingDirectory ?? Environment.CurrentDirectory;
        var key = answers is null
            ? null
            : ComposeAnswers.ConfigKey(Project.Version, command, Project.Settings.Files, Project.Config.EnvOverlays.Select(o => Path.Combine(root, o)), Project.ProcessEnvironment);
        var name = "config-" + Project.Name;
        if (key is not null && answers!.Read<KnownConfig>(name, key) is { } known)
        {
            log.Verbose($"compose config: unchanged inputs, the answer of an earlier run ({Project.Name})");
            return known;
        }

        var result = await runner.RunAsync(command).ConfigureAwait(false);
        var read = new KnownConfig(
            ComposeModel.Parse(result.StandardOutput, Project.Environment.Profiles.ToHashSet(StringComparer.Ordinal), Project.Name),
            isV2 ? ComposeConfigHash.Compute(result.StandardOutput) : new Dictionary<string, string>());
        if (key is not null)
        {
            answers!.Write(name, key, read);
        }

        return read;
    }

    /// <summary>
    /// <c>up</c> as the preflight planned it: first the services that lost their network, recreated (compose creates
    /// the network again), then the whole stack. Compose v2 itself waits for <c>service_healthy</c> dependencies and
    /// fails when one is unhealthy: then the failing services are reported like any health failure.
    /// </summary>
    public async Task UpAsync(UpPlan? plan = null, CancellationToken cancellationToken = default)
    {
        plan ??= new UpPlan(new ComposeModel([], []));
        try
        {
            if (plan.Recreate.Count > 0)
            {
                await runner.RunAsync(UpCommand(new ComposeUpOptions { ForceRecreate = true, Services = plan.Recreate }, plan.Variables), cancellationToken).ConfigureAwait(false);
            }

            await runner.RunAsync(UpCommand(new ComposeUpOptions(), plan.Variables), cancellationToken).ConfigureAwait(false);
        }
        catch (ToolFailedException failure)
        {
            var failed = (await Health.ReadAsync(Project.Name, cancellationToken).ConfigureAwait(false)).Where(c => c.Phase == ServicePhase.Failed).ToArray();
            if (failed.Length == 0)
            {
                throw;
            }

            foreach (var container in failed)
            {
                await Health.ReportAsync(container, cancellationToken).ConfigureAwait(false);
            }

            throw new StackUnhealthyException(
                $"Stack '{Project.Name}' did not start: {string.Join(", ", failed.Select(c => $"{c.Service} is {c.Describe()}"))} "
                + $"(compose: {failure.ErrorTail.LastOrDefault()?.Trim()}). Health check output and last {HealthWaiter.LogLines} log lines are above.");
        }
    }

    /// <summary><c>up</c> with <paramref name="options"/>, and the preflight's <paramref name="variables"/> (the polling fallback) added.</summary>
    public ToolCommand UpCommand(ComposeUpOptions options, IReadOnlyDictionary<string, string>? variables = null)
    {
        var command = Project.Command(ComposeTool.UpArguments(options));
        if (variables is not { Count: > 0 })
        {
            return command;
        }

        var environment = new Dictionary<string, string?>(command.Environment);
        foreach (var (name, value) in variables)
        {
            environment[name] = value;
        }

        return command with { Environment = environment };
    }

    public ToolCommand DownCommand(bool volumes) => Project.NonCreatingCommand(ComposeTool.DownArguments(volumes));

    public ToolCommand RestartCommand(IReadOnlyList<string> services) => Project.NonCreatingCommand(ComposeTool.RestartArguments(services));

    public Task DownAsync(bool volumes, CancellationToken cancellationToken = default) => runner.RunAsync(DownCommand(volumes), cancellationToken);

    public Task RestartAsync(IReadOnlyList<string> services, CancellationToken cancellationToken = default) =>
        runner.RunAsync(RestartCommand(services), cancellationToken);

    /// <summary>Names of the project's volumes (compose labels them with the project).</summary>
    public async Task<IReadOnlyList<string>> VolumesAsync(CancellationToken cancellationToken = default)
    {
        var result = await runner.RunAsync(
            DockerTool.Command(DockerTool.VolumesArguments(Project.Name), query: true),
            cancellationToken).ConfigureAwait(false);
        return result.OutputLines;
    }

    public Task<IReadOnlyList<ContainerState>> WaitHealthyAsync(IReadOnlyCollection<string> services, CancellationToken cancellationToken = default) =>
        Health.WaitAsync(Project.Name, services, Project.Config.DevUpTimeout, cancellationToken);

    /// <summary>Prints the service table; returns the containers it was made from.</summary>
    public async Task<IReadOnlyList<ContainerState>> PrintStatusAsync(ComposeModel model, CancellationToken cancellationToken = default)
    {
        var states = await Health.ReadAsync(Project.Name, cancellationToken).ConfigureAwait(false);
        PrintStatus(model, states);
        return states;
    }

    /// <summary>Prints the service table of <paramref name="states"/>, read already.</summary>
    public void PrintStatus(ComposeModel model, IReadOnlyList<ContainerState> states)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(states);
        log.Information($"Stack '{Project.Name}' ({Project.EnvironmentName}, {Project.Version.Describe()}):");
        foreach (var line in StatusTable.Render(Project, states, model))
        {
            log.Information(line);
        }

        if (model.LostNetworks(states) is { Count: > 0 } lost)
        {
            log.Warning($"{string.Join(", ", lost.Select(p => p.Container.Service).Distinct(StringComparer.Ordinal))} lost network "
                + $"{string.Join(", ", lost.SelectMany(p => p.Missing).Distinct(StringComparer.Ordinal))} (removed or disconnected): their names and published ports "
                + $"no longer answer, whatever their health check says. {Bootstrapper.Command} --target=DevUp recreates them.");
        }
    }
}
