namespace Build.Configuration;

/// <summary>
/// Whether this run is a CI job: <c>CI=true</c> (any case), which GitHub Actions, GitLab, CircleCI, Travis, Buildkite
/// and Drone set. The one definition: <see cref="BuildParameters.IsCi"/> and the live status line both use it.
/// </summary>
public static class ContinuousIntegration
{
    public const string Variable = "CI";

    public static bool IsDetected(IReadOnlyDictionary<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        return string.Equals(environment.GetValueOrDefault(Variable), "true", StringComparison.OrdinalIgnoreCase);
    }
}
