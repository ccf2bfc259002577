namespace Build.Configuration;

/// <summary>
/// Everything under <c>config/</c>, each file read and validated once, on first use: a task that needs no
/// configuration (the task list) never pays for it.
/// </summary>
public sealed class KitConfiguration(ConfigLoader loader)
{
    private readonly Lazy<ProjectConfig> project = new(() => loader.Load<ProjectConfig>("project"));
    private readonly Lazy<DockerConfig> docker = new(() => loader.Load<DockerConfig>("docker"));
    private readonly Lazy<OpsConfig> ops = new(() => loader.Load<OpsConfig>("ops"));

    public ConfigLoader Loader { get; } = loader;

    public ProjectConfig Project => project.Value;

    public DockerConfig Docker => docker.Value;

    public OpsConfig Ops => ops.Value;
}
