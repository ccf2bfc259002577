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
}
