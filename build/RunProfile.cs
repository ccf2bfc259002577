using Build.Configuration;
using Build.Database;
using Build.Docker;
using Build.Host;
using Build.Tools.Compose;
using Cake.Core.Diagnostics;

namespace Build;

/// <summary>
/// This run, resolved once: the app folder, the environment and its sections, the compose stack and the database
/// target, all from the values read at start (one variable rule: process environment, then the env overlays, then
/// <c>.env</c>, then the configuration's defaults). Built before the first task (after a first run's <c>.env</c> was
/// written); what costs a process (the compose version) or may refuse (a database's connection variable) is resolved
/// the first time a task of this run needs it, and never again. Tasks take their parts from here and hand them to
/// services by constructor; nothing else resolves a stack or a target.
/// </summary>
public sealed class RunProfile
{
    private readonly Lazy<ComposeProject> inputs;
    private readonly Lazy<ComposeProject> compose;
    private readonly Lazy<DevStack> stack;
    private readonly Lazy<DatabaseWorkspace> database;
    private readonly Lazy<DevImages> images;
    private readonly Lazy<UpToDateVerdict> upToDate;

    public RunProfile(BuildContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        Paths = context.Paths;
        EnvironmentName = context.EnvironmentName;
        Environment = context.Config.Project.Environment(EnvironmentName);

        // The stack's inputs (name, compose files, ports) need no compose: checked before anything asks it.
        inputs = new(() => ComposeProject.Create(new ComposeVersion(ComposeFlavor.V2, "0"), context.Config.Docker, new ComposeInputs
        {
            Root = Paths.App,
            NameStem = context.Config.Docker.ProjectName ?? context.Config.Project.Name,
            EnvironmentName = EnvironmentName,
            ProjectNameOverride = context.Parameters.ProjectName,
            PortOffset = context.Parameters.PortOffset,
            DotEnv = context.DotEnv,
            Overlays = context.EnvOverlays,
            ProcessEnvironment = context.ProcessEnvironment,
        }));
        compose = new(() =>
        {
            var project = inputs.Value with { Version = context.GetComposeVersionAsync().GetAwaiter().GetResult() };
            foreach (var secret in project.SecretValues)
            {
                context.Secrets.Add(secret);
            }

            return project;
        });
        images = new(() => new DevImages(
            context.Runner,
            context.Log,
            context.Secrets,
            Paths,
            context.Git,
            context.GetGitInfoAsync,
            context.Config.Docker.ProjectName ?? context.Config.Project.Name,
            context.ProcessEnvironment.GetValueOrDefault("DOCKER_HOST")));
        stack = new(() => new DevStack(Compose, context.Runner, context.Log, context.Secrets, context.ComposeAnswers));
        database = new(() =>
        {
            var config = context.Config.Database;
            var target = DatabaseTargetResolver.Resolve(
                EnvironmentName, context.Parameters.Connection, config, context.Config.Project, context.Variable, context.Parameters.PortOffset, context.Secrets,
                requirePassword: !context.Parameters.DryRun,
                publishedPort: name => inputs.Value.HostPorts.TryGetValue(name, out var port) ? port : null);
            return new DatabaseWorkspace(target, config, Paths.App, context.Runner, context.Log, () => Compose);
        });
        upToDate = new(() =>
        {
            var check = new StackUpToDate(
                Stack,
                Images,
                () => Tools.Docker.DockerEngineApi.ForEnvironment(context.ProcessEnvironment),
                context.HasDatabase ? cancellationToken => new DatabaseUpToDate(Database, context.Clock).CheckAsync(context.Parameters.Seed, cancellationToken) : null,
                context.Clock);
            var verdict = check.CheckAsync().GetAwaiter().GetResult();
            if (!verdict.UpToDate)
            {
                context.Log.Information($"Not up to date, the full path runs: {verdict.Changed}.");
            }

            return verdict;
        });
    }

    public KitPaths Paths { get; }

    /// <summary>The environment this run targets (<c>--env</c>, else the configured default), checked to exist.</summary>
    public string EnvironmentName { get; }

    /// <summary>Its section of config/project.json.</summary>
    public EnvironmentConfig Environment { get; }

    /// <summary>The compose project's name (<c>--project-name</c>, else &lt;stem&gt;-&lt;environment&gt;), without asking compose.</summary>
    public string ProjectName => inputs.Value.Name;

    /// <summary>The compose stack of the environment, its compose version detected once.</summary>
    public ComposeProject Compose => compose.Value;

    /// <summary>The stack as the Dev tasks drive it (its merged compose configuration read once).</summary>
    public DevStack Stack => stack.Value;

    /// <summary>Builds the images of config/docker.json, each only when its inputs changed.</summary>
    public DevImages Images => images.Value;

    /// <summary>The environment's database: target, configuration, folders and where the clients run.</summary>
    public DatabaseWorkspace Database => database.Value;

    /// <summary>DevUp is this run's target, for real (not a dry run): its fast path is checked, once, by the first task that asks.</summary>
    public bool ChecksUpToDate { get; private set; }

    /// <summary>Set while the run is prepared, before the first task (see <see cref="ChecksUpToDate"/>).</summary>
    public void CheckUpToDateForDevUp() => ChecksUpToDate = true;

    /// <summary>
    /// Whether the stack is already what DevUp's full path would make it (<see cref="StackUpToDate"/>): checked the first
    /// time a task asks, when <see cref="ChecksUpToDate"/>; null otherwise. Not up to date: one line says which input changed.
    /// </summary>
    public UpToDateVerdict? UpToDate => ChecksUpToDate ? upToDate.Value : null;

    /// <summary>Checks the stack's inputs now (a task of this run drives the stack): bad input is one line before the first task.</summary>
    public void CheckStackInputs() => _ = inputs.Value;

    /// <summary>
    /// The refusal of a destructive step on a protected environment, before anything else is resolved (so it says
    /// "protected" rather than asking for the environment's connection variable first).
    /// </summary>
    public void RefuseProtected(string action)
    {
        if (ResetGuard.Protected(action, EnvironmentName, Environment.Protected) is { } refusal)
        {
            throw DatabaseException.Refused(refusal);
        }
    }
}
