using System.Net.Sockets;
using System.Text.Json;
using Build.Tools.Compose;
using Build.Tools.Docker;

namespace Build.Docker;

/// <summary>
/// What DevUp found before doing anything: <see cref="Changed"/> null when the stack is up to date (then
/// <see cref="Holds"/> says what was checked), else the first input that changed, in words.
/// </summary>
public sealed record UpToDateVerdict(string? Changed, string Holds, ComposeModel Model, IReadOnlyList<ContainerState> States)
{
    public bool UpToDate => Changed is null;

    public TimeSpan Took { get; init; }
}

/// <summary>
/// DevUp's fast path: is the stack already what the full path would make it, without asking compose to converge?
/// Up to date when: every image the environment builds has its current inputs hash (the one BuildImages computes) on
/// the tag the stack runs; every service has one container, running and healthy (or without a health check), made
/// from the image its reference names now and carrying the config hash compose would give it now
/// (<see cref="ComposeConfigHash"/>), on every network it joins, and no container of the project belongs to no service
/// (up would remove it); the migrations are at head and the seeded tables at the threshold. The engine is asked over
/// its socket in two calls (<see cref="DockerEngineApi"/>), compose once for its merged configuration (which DevStart
/// reuses). Any doubt is a change: the full path runs and says which input it was.
/// </summary>
public sealed class StackUpToDate(
    DevStack stack,
    DevImages images,
    Func<(DockerEngineApi? Api, string? Reason)> engine,
    Func<CancellationToken, Task<(string? Changed, string Holds)>>? database,
    Host.PhaseClock clock)
{
    public const string ConfigHashLabel = "com.docker.compose.config-hash";

    public const string ImageLabel = "com.docker.compose.image";

    public async Task<UpToDateVerdict> CheckAsync(CancellationToken cancellationToken = default)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var verdict = await DecideAsync(cancellationToken).ConfigureAwait(false);
        return verdict with { Took = clock.Elapsed };
    }

    private async Task<UpToDateVerdict> DecideAsync(CancellationToken cancellationToken)
    {
        var project = stack.Project;
        var empty = new ComposeModel([], []);
        if (project.Version.Flavor != ComposeFlavor.V2)
        {
            return new("Compose v1 gives containers no config hash the kit can compute", string.Empty, empty, []);
        }

        var (api, reason) = engine();
        if (api is null)
        {
            return new($"{reason}: only compose can tell", string.Empty, empty, []);
        }

        // The database answers while the rest is read: its connection is the slowest question (given up when not needed).
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var databaseCall = database is null ? null : Task.Run(() => database(stop.Token), stop.Token);
        try
        {
            using (api)
            {
                return await DecideAsync(api, databaseCall, cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            if (databaseCall is not null && !databaseCall.IsCompleted)
            {
                await stop.CancelAsync().ConfigureAwait(false);
                await databaseCall.ContinueWith(_ => { }, TaskScheduler.Default).ConfigureAwait(false);
            }
        }
    }

    private async Task<UpToDateVerdict> DecideAsync(DockerEngineApi api, Task<(string? Changed, string Holds)>? databaseCall, CancellationToken cancellationToken)
    {
        var project = stack.Project;
        var containersCall = api.ContainersAsync($"{ComposeProject.ProjectLabel}={project.Name}", cancellationToken);
        var model = await stack.ReadModelAsync(cancellationToken).ConfigureAwait(false);
        clock.Mark("fast path: compose model read");
        UpToDateVerdict Changed(string why, IReadOnlyList<ContainerState>? states = null) => new(why, string.Empty, model, states ?? []);
        try
        {
            var baseImages = DevImages.BaseImages(project, project.Environment.Images);
            var references = model.Images.Values.Concat(baseImages).Select(DockerEngineApi.NormalizeTag).Distinct(StringComparer.Ordinal).ToArray();
            var found = await api.ImagesAsync(references, cancellationToken).ConfigureAwait(false);
            clock.Mark("fast path: engine's images read");
            var containers = (await containersCall.ConfigureAwait(false)).Where(c => !ContainerState.FromEngine(c).IsOneOff).ToArray();
            clock.Mark("fast path: engine's containers read");
            var states = containers.Select(ContainerState.FromEngine).OrderBy(c => c.Service, StringComparer.Ordinal).ToArray();
            var byTag = new Dictionary<string, EngineImage>(StringComparer.Ordinal);
            foreach (var image in found)
            {
                foreach (var tag in image.RepoTags)
                {
                    byTag.TryAdd(tag, image);
                }
            }

            var hashes = await stack.ConfigHashesAsync(cancellationToken).ConfigureAwait(false);
            clock.Mark("fast path: config hashes computed");
            if (ContainersChanged(model, hashes, containers, states, byTag) is { } containerChange)
            {
                return Changed(containerChange, states);
            }

            var imageChange = await ImagesChangedAsync(api, model, baseImages, byTag, cancellationToken).ConfigureAwait(false);
            clock.Mark("fast path: images' inputs hashed");
            if (imageChange is not null)
            {
                return Changed(imageChange, states);
            }

            var holds = $"{states.Length} container(s) running and healthy with their configuration, images' inputs unchanged";
            if (databaseCall is not null && model.Services.Contains(project.DatabaseService))
            {
                var (databaseChange, databaseHolds) = await databaseCall.ConfigureAwait(false);
                clock.Mark("fast path: database answer awaited");
                if (databaseChange is not null)
                {
                    return Changed(databaseChange, states);
                }

                holds += ", " + databaseHolds;
            }

            return new(null, holds, model, states);
        }
        catch (Exception failure) when (failure is HttpRequestException or SocketException or JsonException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return Changed($"the engine's API at {api.SocketPath} did not answer ({failure.Message.TrimEnd('.')})");
        }
    }

    /// <summary>The first service whose container compose would create, recreate, start or wait for; null when none.</summary>
    private static string? ContainersChanged(
        ComposeModel model, IReadOnlyDictionary<string, string> hashes, IReadOnlyList<EngineContainer> containers, IReadOnlyList<ContainerState> states,
        Dictionary<string, EngineImage> byTag)
    {
        var services = model.Services.ToHashSet(StringComparer.Ordinal);
        if (states.FirstOrDefault(s => !services.Contains(s.Service)) is { } orphan)
        {
            return $"container {orphan.Name} belongs to no service of the compose files (up removes it)";
        }

        foreach (var service in model.Services)
        {
            var mine = containers.Where(c => c.Labels.GetValueOrDefault("com.docker.compose.service") == service).ToArray();
            if (mine.Length != 1)
            {
                return mine.Length == 0 ? $"service {service} has no container" : $"service {service} has {mine.Length} containers";
            }

            var container = mine[0];
            var state = ContainerState.FromEngine(container);
            if (state.Status != "running" || state.Health is "unhealthy" or "starting")
            {
                return $"{service} is {state.Describe()}";
            }

            if (hashes.GetValueOrDefault(service) is not { } hash)
            {
                return $"{service}: the config hash compose would give it is not computed here (no JSON from compose config)";
            }

            if (container.Labels.GetValueOrDefault(ConfigHashLabel) is var label && label != hash)
            {
                return $"{service}: its configuration changed (compose files, .env or variables: config hash {hash[..12]}, its container has {Short(label)})";
            }

            if (model.Images.TryGetValue(service, out var reference))
            {
                if (!byTag.TryGetValue(DockerEngineApi.NormalizeTag(reference), out var image))
                {
                    return $"{service}: image {reference} is not on this machine";
                }

                if (container.Labels.GetValueOrDefault(ImageLabel) != image.Id)
                {
                    return $"{service}: image {reference} is now {Short(image.Id)}, its container was created from {Short(container.Labels.GetValueOrDefault(ImageLabel))}";
                }
            }
        }

        return model.LostNetworks(states) is { Count: > 0 } lost
            ? $"{lost[0].Container.Service} lost network {string.Join(", ", lost[0].Missing)}"
            : null;
    }

    /// <summary>The first image of the environment whose inputs hash is not on the tag the stack runs; null when none.</summary>
    private async Task<string?> ImagesChangedAsync(
        DockerEngineApi api, ComposeModel model, IReadOnlyList<string> baseImages, Dictionary<string, EngineImage> byTag, CancellationToken cancellationToken)
    {
        var project = stack.Project;
        if (project.Environment.Images.Count == 0)
        {
            return null;
        }

        var baseIds = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var baseImage in baseImages)
        {
            if (!byTag.TryGetValue(DockerEngineApi.NormalizeTag(baseImage), out var image))
            {
                return $"base image {baseImage} is not on this machine";
            }

            baseIds[baseImage] = image.Id;
        }

        foreach (var plan in await images.PlansAsync(project, project.Environment.Images, model, baseIds, cancellationToken).ConfigureAwait(false))
        {
            var tags = plan.Tags.Select(DockerEngineApi.NormalizeTag).ToHashSet(StringComparer.Ordinal);
            var run = model.Images.Values.Select(DockerEngineApi.NormalizeTag).Where(tags.Contains).Distinct(StringComparer.Ordinal).ToArray();
            if (run.Length == 0)
            {
                // Built but run by no service: it is up to date when some image has its inputs hash.
                var built = await api.ImagesWithLabelAsync($"{ImagePlanner.InputsHashLabel}={plan.InputsHash}", cancellationToken).ConfigureAwait(false);
                if (built.Count == 0)
                {
                    return $"image {plan.Name}: its inputs changed (inputs {plan.InputsHash[..12]} not built yet)";
                }

                continue;
            }

            foreach (var tag in run)
            {
                var has = byTag.TryGetValue(tag, out var image) ? image.Labels.GetValueOrDefault(ImagePlanner.InputsHashLabel) : null;
                if (has != plan.InputsHash)
                {
                    return $"image {plan.Name}: its inputs changed (inputs {plan.InputsHash[..12]}, {tag} was built from {Short(has)})";
                }
            }
        }

        return null;
    }

    private static string Short(string? value) =>
        string.IsNullOrEmpty(value) ? "none" : value.StartsWith("sha256:", StringComparison.Ordinal) ? value[7..19] : value[..Math.Min(12, value.Length)];
}
