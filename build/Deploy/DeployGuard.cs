using Build.Configuration;

namespace Build.Deploy;

/// <summary>
/// What stands between a typo and production: every project must be on config's allow-list, and a protected
/// environment needs <c>--confirm=&lt;environment&gt;</c> (or, with CI=true, the configured approval variable set to its name).
/// </summary>
public static class DeployGuard
{
    public static void CheckProject(DeployTarget target, DeployConfig config)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(config);
        if (!config.AllowedProjects.Contains(target.Settings.Project, StringComparer.Ordinal))
        {
            throw new ConfigurationException(
                "config/deploy.json",
                0,
                $"environments/{target.Environment}/project '{target.Settings.Project}' is not in allowedProjects ({string.Join(", ", config.AllowedProjects)}): add it there only if that project is really this service's.");
        }
    }

    /// <summary>How the run was approved (a line for the log), or a refusal (exit 2). A dry run is never refused: it says what a real run needs.</summary>
    public static string Approve(DeployTarget target, DeployConfig config, BuildParameters parameters, IReadOnlyDictionary<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(parameters);
        ArgumentNullException.ThrowIfNull(environment);
        if (!target.Protected)
        {
            return $"{target.Environment} is not protected: no confirmation needed.";
        }

        if (parameters.Confirm is { } confirm)
        {
            if (string.Equals(confirm, target.Environment, StringComparison.Ordinal))
            {
                return $"{target.Environment} is protected: confirmed with --confirm={confirm}.";
            }

            throw new DeployException($"--confirm={confirm} does not name this environment: {target.Environment} is protected, confirm it with --confirm={target.Environment}.", 2);
        }

        if (parameters.IsCi && config.Approval.CiVariable is { } variable
            && environment.TryGetValue(variable, out var approved) && string.Equals(approved, target.Environment, StringComparison.Ordinal))
        {
            return $"{target.Environment} is protected: approved in CI by {variable}={approved}.";
        }

        var how = config.Approval.CiVariable is { } name ? $" (in CI: CI=true and {name}={target.Environment})" : string.Empty;
        if (parameters.DryRun)
        {
            return $"{target.Environment} is protected: a real run needs --confirm={target.Environment}{how}.";
        }

        throw new DeployException($"{target.Environment} is protected: read the plan above, then run again with --confirm={target.Environment}{how}.", 2);
    }
}
