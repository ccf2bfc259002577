using System.Collections;
using System.Text.RegularExpressions;
using Build.Configuration;
using Build.Host;
using Build.Tools;
using Build.Tools.Compose;
using Build.Tools.Gcloud;
using Build.Tools.Git;
using Cake.Core;

namespace Build;

/// <summary>
/// What a task sees: the parameters of this run, the configuration, the tools and the one command runner.
/// Built once per run; tasks never read raw arguments.
/// </summary>
public sealed partial class BuildContext : FrostingContext
{
    private readonly Lazy<Task<GitInfo>> git;
    private readonly Lazy<Task<ComposeVersion>> compose;
    private readonly Lazy<IReadOnlyList<DotEnvFile>> envOverlays;

    public BuildContext(ICakeContext context, PhaseClock clock)
        : base(context)
    {
        Clock = clock;
        Paths = DiscoverPaths(context.Arguments);
        Secrets = new SecretMasker();
        ProcessEnvironment = System.Environment.GetEnvironmentVariables().Cast<DictionaryEntry>()
            .ToDictionary(e => (string)e.Key, e => (string?)e.Value, StringComparer.Ordinal);
        DotEnv = DotEnvFile.Load(Paths.DotEnv);

        // A secret too short to mask is refused before anything could print it.
        SecretValues.RequireMaskable(DotEnv, DotEnvFile.Load(Paths.DotEnvExample), ProcessEnvironment, IsSecretName);
        foreach (var (key, value) in DotEnv.Values.Select(p => (p.Key, (string?)p.Value)).Concat(ProcessEnvironment.Select(p => (p.Key, p.Value))))
        {
            if (IsSecretName(key))
            {
                Secrets.Add(value);
            }
        }

        Parameters = BuildParameters.Create(context.Arguments, ProcessEnvironment, DotEnv, Secrets);
        Config = new KitConfiguration(new ConfigLoader(Paths.App, Paths.Kit, new AnswerCache(Path.Combine(Paths.State, "config"))));
        Runner = new ProcessCommandRunner(context.Log, Secrets);
        Git = new GitTool(Runner);
        Compose = new ComposeTool(Runner);
        Gcloud = new GcloudTool(Runner);
        git = new(() => Git.GetInfoAsync(new GitSettings { WorkingDirectory = Paths.App }, ProcessEnvironment));
        compose = new(DetectComposeAsync);
        envOverlays = new(() => File.Exists(Paths.DockerConfig)
            ? Config.Docker.EnvOverlays.Select(overlay => DotEnvFile.Load(Path.Combine(Paths.App, overlay))).ToArray()
            : []);
    }

    public KitPaths Paths { get; }

    /// <summary>This run's phase marks (<c>--verbosity=diagnostic</c> prints them).</summary>
    public PhaseClock Clock { get; }

    /// <summary>This run, resolved once before the first task (<see cref="ResolveRun"/>).</summary>
    public RunProfile Run => run ?? throw new InvalidOperationException("The run is resolved before the first task (BuildLifetime.Prepare).");

    /// <summary>Resolves the run from the values read at start; once, before the first task.</summary>
    public RunProfile ResolveRun() => run ??= new RunProfile(this);

    private RunProfile? run;

    /// <summary>
    /// The kit and the app folder. <c>--app</c> (else <c>KIT_APP</c> from the process environment) is read before
    /// anything else: the app's <c>.env</c> and config/ are found from it, so it cannot come from that <c>.env</c>.
    /// </summary>
    private static KitPaths DiscoverPaths(ICakeArguments arguments)
    {
        var app = Build.Configuration.Arguments.For(nameof(BuildParameters.App));
        var name = app.Name;
        if (arguments.HasArgument(name))
        {
            return KitPaths.Discover(arguments.GetArguments(name).Last(), "--" + name);
        }

        var variable = app.EnvironmentVariable!;
        return KitPaths.Discover(System.Environment.GetEnvironmentVariable(variable), variable);
    }

    public BuildParameters Parameters { get; }

    public KitConfiguration Config { get; }

    public SecretMasker Secrets { get; }

    /// <summary>The process environment at start, read once.</summary>
    public IReadOnlyDictionary<string, string?> ProcessEnvironment { get; }

    /// <summary>The repository's <c>.env</c> (empty when there is none).</summary>
    public DotEnvFile DotEnv { get; private set; }

    /// <summary>
    /// The <c>.env</c> DevUp wrote on a fresh clone (in a dry run: the one it would write) becomes this run's, its
    /// secrets registered. Only before the stack's inputs are read (the run's preparation, before the first task);
    /// parameters were read at start, which is fine: the example sets none of the kit's own variables.
    /// </summary>
    public void UseDotEnv(DotEnvFile file)
    {
        ArgumentNullException.ThrowIfNull(file);
        foreach (var (key, value) in file.Values)
        {
            if (IsSecretName(key))
            {
                Secrets.Add(value);
            }
        }

        DotEnv = file;
        DotEnvGenerated = true;
    }

    /// <summary>The env overlays of config/docker.json (<c>.env.offline</c>), each read once; a missing one is empty.</summary>
    public IReadOnlyList<DotEnvFile> EnvOverlays => envOverlays.Value;

    /// <summary>
    /// A variable by the one rule compose and the kit's own tasks share: the process environment, then the env overlays
    /// (a later one over an earlier one), then <c>.env</c>. So an overlay that moves POSTGRES_PORT moves the container's
    /// published port and the port the database tasks connect to together.
    /// </summary>
    public string? Variable(string name)
    {
        if (ProcessEnvironment.TryGetValue(name, out var inherited) && inherited is not null)
        {
            return inherited;
        }

        foreach (var overlay in EnvOverlays.Reverse())
        {
            if (overlay.Values.TryGetValue(name, out var value))
            {
                return value;
            }
        }

        return DotEnv.Values.GetValueOrDefault(name);
    }

    /// <summary>This run wrote (in a dry run: would write) <see cref="DotEnv"/>: its passwords are new.</summary>
    public bool DotEnvGenerated { get; private set; }

    public ICommandRunner Runner { get; }

    /// <summary>
    /// <c>--dryrun</c>: plans are printed and nothing runs (the host's one dry-run mechanism). Read only where a run is
    /// prepared: the guard asks no consent for it, a missing .env is not written, a plan may lack the database password.
    /// </summary>
    public bool IsDryRun => Parameters.DryRun;

    /// <summary>A plan's line as a dry run prints it: every known secret masked.</summary>
    public override string ForDisplay(string line) => Secrets.Mask(line);

    /// <summary>Why a database task is skipped in an app without a database.</summary>
    public const string NoDatabase = "this app has no database (no config/database.json)";

    /// <summary>Whether this run has a database to work on: the app's config/database.json, or --connection.</summary>
    public bool HasDatabase => Parameters.Connection is not null || Config.HasDatabase;

    /// <summary>Running as a GitHub Actions step: log groups and a job summary.</summary>
    public bool IsGitHubActions => ProcessEnvironment.GetValueOrDefault("GITHUB_ACTIONS") == "true";

    public GitTool Git { get; }

    public ComposeTool Compose { get; }

    public GcloudTool Gcloud { get; }

    /// <summary>The environment this run targets: <c>--env</c>, else the configured default.</summary>
    public string EnvironmentName => Parameters.Environment ?? Config.Project.DefaultEnvironment;

    /// <summary>Commit, branch and dirty state, read once on first use.</summary>
    public Task<GitInfo> GetGitInfoAsync() => git.Value;

    /// <summary>Compose v2 or v1, detected once on first use.</summary>
    public Task<ComposeVersion> GetComposeVersionAsync() => compose.Value;

    /// <summary>What compose answered before, kept under the app's .build/ (<see cref="Docker.ComposeAnswers"/>).</summary>
    public Docker.ComposeAnswers ComposeAnswers => new(Path.Combine(Paths.State, "compose"));

    /// <summary>The version compose gave last time while the binaries and settings that choose it are the same files; else asked.</summary>
    private async Task<ComposeVersion> DetectComposeAsync()
    {
        var key = Docker.ComposeAnswers.VersionKey(ProcessEnvironment);
        if (ComposeAnswers.Read<ComposeVersion>("version", key) is { } known)
        {
            return known;
        }

        var detected = await Compose.DetectAsync(ComposeTool.PreferredFlavor(ProcessEnvironment)).ConfigureAwait(false);
        ComposeAnswers.Write("version", key, detected);
        return detected;
    }

    /// <summary>Names whose values are never printed: passwords, tokens, keys, connection strings.</summary>
    public static bool IsSecretName(string name) => SecretName().IsMatch(name);

    [GeneratedRegex("PASSWORD|PASSWD|SECRET|TOKEN|(^|_)KEY($|_)|CONNECTION|CREDENTIAL", RegexOptions.IgnoreCase)]
    private static partial Regex SecretName();
}
