using Build.Configuration;

namespace Build.Deploy;

/// <summary>
/// What stands between a typo and someone else's project: every project must be on config's allow-list. Checked by the
/// run's <see cref="EnvironmentGuard"/> before the first task and again when each deploy task resolves its target. A
/// protected environment's confirmation is the <see cref="EnvironmentGuard"/>'s, asked once per run.
/// </summary>
public static class DeployGuard
{
    public static void CheckProject(DeployTarget target, DeployConfig config)
    {
        ArgumentNullException.ThrowIfNull(target);
        CheckProject(target.Environment, target.Settings.Project, config);
    }

    public static void CheckProject(string environment, string project, DeployConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        if (!config.AllowedProjects.Contains(project, StringComparer.Ordinal))
        {
            throw new ConfigurationException(
                "config/deploy.json",
                0,
                $"environments/{environment}/project '{project}' is not in allowedProjects ({string.Join(", ", config.AllowedProjects)}): add it there only if that project is really this service's.");
        }
    }
}
