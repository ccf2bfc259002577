namespace Build.Configuration;

/// <summary>
/// Everything under <c>config/</c>, each file read and validated once, on first use: a task that needs no
/// configuration (the task list) never pays for it.
/// </summary>
public sealed class KitConfiguration(ConfigLoader loader)
{
    private readonly Lazy<ProjectConfig> project = new(() => loader.Load<ProjectConfig>("project"));
    private readonly Lazy<DeployConfig> deploy = new(() => loader.Load<DeployConfig>("deploy"));
    private readonly Lazy<DatabaseConfig> database = new(() => loader.Load<DatabaseConfig>("database"));
    private readonly Lazy<DockerConfig> docker = new(() => loader.Load<DockerConfig>("docker"));
    // Prune and Doctor tuning: an app without config/ops.json gets the kit's defaults.
    private readonly Lazy<OpsConfig> ops = new(() => loader.Exists("ops") ? loader.Load<OpsConfig>("ops") : new OpsConfig());

    public ConfigLoader Loader { get; } = loader;

    public ProjectConfig Project => project.Value;

    public DeployConfig Deploy => deploy.Value;

    public DatabaseConfig Database => database.Value;

    public DockerConfig Docker => docker.Value;

    public OpsConfig Ops => ops.Value;

    /// <summary>Whether the app has a database at all: an app without config/database.json (a front end) has none.</summary>
    public bool HasDatabase => Loader.Exists("database");

    /// <summary>
    /// Reads every file of config/ that exists, before the run starts, so a mistake in any of them is one line before
    /// the first task; a file that is missing fails only where it is used (a checkout may not deploy, for one). When
    /// these same files (and schemas, and kit build) passed every check before, the kept verdict says so: nothing is
    /// evaluated again, and each file is bound when a task first needs it (a DevUp never binds config/deploy.json).
    /// </summary>
    public void LoadPresent()
    {
        string[] names = ["project", "docker", "database", "deploy", "ops"];
        var key = Loader.VerdictKey("kit config verdict 1", names);
        if (Loader.IsKnownValid("valid-config", key))
        {
            Loader.TrustValid(names);
            return;
        }

        foreach (var (name, load) in new (string, Func<object>)[] { ("project", () => Project), ("docker", () => Docker), ("database", () => Database), ("deploy", () => Deploy), ("ops", () => Ops) })
        {
            if (Loader.Exists(name))
            {
                _ = load();
            }
        }

        // Every environment a file configures is one of the project's: a typo is found now, not when a task needs it.
        var known = Project.Environments.Keys;
        foreach (var (name, environments) in Sections())
        {
            if (environments.FirstOrDefault(e => !known.Contains(e)) is { } unknown)
            {
                throw Loader.ErrorAt(name, $"/environments/{unknown}",
                    $"environment '{unknown}' is not one of config/project.json's ({string.Join(", ", known)}).{Host.Suggestions.DidYouMean(unknown, known)}");
            }
        }

        Loader.RememberValid("valid-config", key);
    }

    /// <summary>
    /// The sections this run needs for <paramref name="environment"/>, checked at once: a missing one is a
    /// configuration error naming the file and line, before any task runs.
    /// </summary>
    public void RequireSections(string environment, bool compose, bool database, bool deploy)
    {
        foreach (var (name, needed, present) in new (string, bool, Func<IEnumerable<string>>)[]
        {
            ("docker", compose, () => Docker.Environments.Keys),
            ("database", database, () => Database.Environments.Keys),
            ("deploy", deploy, () => Deploy.Environments.Keys),
        })
        {
            if (needed && !present().Contains(environment))
            {
                var what = name switch
                {
                    "docker" => "a compose stack",
                    "database" => "a database (or pass --connection)",
                    _ => "deploy settings",
                };
                throw Loader.ErrorAt(name, "/environments",
                    $"environment '{environment}' has no entry here, and this run needs {what} for it. Add it under \"environments\"{Having(present().ToArray())}, or choose another --env.");
            }
        }
    }

    private static string Having(string[] environments) => environments.Length switch
    {
        0 => string.Empty,
        1 => $" ({environments[0]} has one)",
        _ => $" ({string.Join(", ", environments)} have one)",
    };

    private IEnumerable<(string Name, IEnumerable<string> Environments)> Sections()
    {
        if (Loader.Exists("docker"))
        {
            yield return ("docker", Docker.Environments.Keys);
        }

        if (Loader.Exists("database"))
        {
            yield return ("database", Database.Environments.Keys);
        }

        if (Loader.Exists("deploy"))
        {
            yield return ("deploy", Deploy.Environments.Keys);
        }
    }
}
