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
    private readonly Lazy<OpsConfig> ops = new(() => loader.Load<OpsConfig>("ops"));

    public ConfigLoader Loader { get; } = loader;

    public ProjectConfig Project => project.Value;

    public DeployConfig Deploy => deploy.Value;

    public DatabaseConfig Database => database.Value;

    public DockerConfig Docker => docker.Value;

    public OpsConfig Ops => ops.Value;

    /// <summary>
    /// Reads every file of config/ that exists, before the run starts, so a mistake in any of them is one line before
    /// the first task; a file that is missing fails only where it is used (a checkout may not deploy, for one).
    /// </summary>
    public void LoadPresent()
    {
        foreach (var (name, load) in new (string, Func<object>)[] { ("project", () => Project), ("docker", () => Docker), ("database", () => Database), ("deploy", () => Deploy), ("ops", () => Ops) })
        {
            if (File.Exists(Path.Combine(Loader.Root, "config", name + ".json")))
            {
                _ = load();
            }
        }
    }
}
