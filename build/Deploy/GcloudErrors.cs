using System.Text.RegularExpressions;
using Build.Tools;

namespace Build.Deploy;

/// <summary>
/// Turns what gcloud prints when it fails into one line that names the fix. Unknown failures are left to the runner's
/// own message (the command and the tail of its error output).
/// </summary>
public static partial class GcloudErrors
{
    /// <summary>The one-line explanation for a failed gcloud command, or null when the failure is not one we know.</summary>
    public static string? Explain(ToolFailedException failure, string project)
    {
        ArgumentNullException.ThrowIfNull(failure);
        if (failure.ToolExitCode == 127)
        {
            return "gcloud is not installed (or not on PATH): install the Google Cloud CLI (https://cloud.google.com/sdk/docs/install), then run 'gcloud auth login'.";
        }

        return Explain(string.Join('\n', failure.ErrorTail), project);
    }

    public static string? Explain(string errorOutput, string project)
    {
        ArgumentNullException.ThrowIfNull(errorOutput);
        if (errorOutput.Contains("do not currently have an active account selected", StringComparison.OrdinalIgnoreCase))
        {
            return NoActiveAccount;
        }

        if (errorOutput.Contains("Reauthentication required", StringComparison.OrdinalIgnoreCase)
            || errorOutput.Contains("problem refreshing your current auth tokens", StringComparison.OrdinalIgnoreCase))
        {
            return "The gcloud credentials have expired: run 'gcloud auth login' (in CI: 'gcloud auth activate-service-account --key-file=<key.json>').";
        }

        if (DisabledApi().Match(errorOutput) is { Success: true } disabled)
        {
            var api = disabled.Groups["api"].Success ? disabled.Groups["api"].Value : GuessApi(errorOutput);
            return $"The {api} API is not enabled in project {project}: run 'gcloud services enable {api} --project={project}' (one-time setup, docs/deploy.md).";
        }

        if (errorOutput.Contains("Quota exceeded", StringComparison.OrdinalIgnoreCase) || errorOutput.Contains("RESOURCE_EXHAUSTED", StringComparison.Ordinal))
        {
            var which = QuotaName().Match(errorOutput) is { Success: true } quota ? $" ({quota.Groups["name"].Value.Trim()})" : string.Empty;
            return $"A quota was exceeded in project {project}{which}: wait and retry, or ask for more at https://console.cloud.google.com/iam-admin/quotas?project={project}.";
        }

        if (ProjectNotFound().IsMatch(errorOutput))
        {
            return $"Project {project} was not found or this account cannot see it: check 'project' in config/deploy.json and 'gcloud projects list'.";
        }

        if (errorOutput.Contains("PERMISSION_DENIED", StringComparison.Ordinal)
            || errorOutput.Contains("does not have permission", StringComparison.OrdinalIgnoreCase)
            || PermissionName().IsMatch(errorOutput))
        {
            var which = PermissionName().Match(errorOutput) is { Success: true } permission ? $" (missing {permission.Groups["name"].Value})" : string.Empty;
            return $"Permission denied in project {project}{which}: grant the deploying account roles/run.admin, roles/iam.serviceAccountUser, roles/cloudbuild.builds.editor and roles/artifactregistry.writer (one-time setup, docs/deploy.md).";
        }

        return null;
    }

    public const string NoActiveAccount =
        "No active Google Cloud account: run 'gcloud auth login' (in CI: 'gcloud auth activate-service-account --key-file=<key.json>').";

    /// <summary>Runs a gcloud call and replaces a known failure by its one-line explanation.</summary>
    public static async Task<T> ExplainedAsync<T>(Func<Task<T>> call, string project)
    {
        ArgumentNullException.ThrowIfNull(call);
        try
        {
            return await call().ConfigureAwait(false);
        }
        catch (ToolFailedException failure) when (Explain(failure, project) is { } explanation)
        {
            throw new DeployException(explanation, failure.ToolExitCode == 0 ? 1 : failure.ToolExitCode);
        }
    }

    private static string GuessApi(string errorOutput) =>
        errorOutput.Contains("Cloud Build", StringComparison.OrdinalIgnoreCase) ? "cloudbuild.googleapis.com"
        : errorOutput.Contains("Artifact Registry", StringComparison.OrdinalIgnoreCase) ? "artifactregistry.googleapis.com"
        : errorOutput.Contains("Secret Manager", StringComparison.OrdinalIgnoreCase) ? "secretmanager.googleapis.com"
        : "run.googleapis.com";

    [GeneratedRegex(@"has not been used in project \S+ before or it is disabled(?:.*?apis/api/(?<api>[a-z0-9.-]+\.googleapis\.com))?", RegexOptions.Singleline)]
    private static partial Regex DisabledApi();

    [GeneratedRegex(@"Quota exceeded for (?:quota metric '(?<name>[^']+)'|(?<name>[^\n]+?)\.?(?:\n|$))", RegexOptions.IgnoreCase)]
    private static partial Regex QuotaName();

    [GeneratedRegex(@"Permission '(?<name>[a-zA-Z.]+)' denied|permission (?<name>[a-z]+\.[a-zA-Z.]+)")]
    private static partial Regex PermissionName();

    [GeneratedRegex(@"Project '?[a-z0-9-]*'? (?:was )?not found|project \[[^\]]*\] (?:was )?not found|The project property is set to the empty string|Unknown project id", RegexOptions.IgnoreCase)]
    private static partial Regex ProjectNotFound();
}
