using Build.Tools;
using Build.Tools.Gcloud;
using Cake.Core.Diagnostics;

namespace Build.Deploy;

/// <summary>
/// The gcloud calls of Deploy, Promote, Rollback and DeployStatus for one service, each failure a known one-line
/// explanation where possible (<see cref="GcloudErrors"/>).
/// </summary>
/// <param name="externalCredentials">
/// The variable that hands gcloud its credentials outside its own account list (CLOUDSDK_AUTH_ACCESS_TOKEN_FILE and
/// the like), when one is set: then <c>auth list</c> is empty, and that is no reason to refuse.
/// </param>
public sealed class CloudRunClient(GcloudTool gcloud, CloudRunLocation location, ICakeLog log, SecretMasker secrets, string? externalCredentials = null)
{
    /// <summary>Variables through which gcloud takes credentials that <c>gcloud auth list</c> does not show.</summary>
    public static readonly IReadOnlyList<string> CredentialVariables = ["CLOUDSDK_AUTH_ACCESS_TOKEN_FILE", "CLOUDSDK_AUTH_CREDENTIAL_FILE_OVERRIDE"];

    public CloudRunLocation Location { get; } = location;

    /// <summary>Checks there is an active account and says when gcloud's own project differs from the one acted on.</summary>
    /// <returns>The account gcloud acts as (what the release history records as "who").</returns>
    public async Task<string> PreflightAsync()
    {
        var accounts = await QueryAsync(GcloudTool.AuthListArguments()).ConfigureAwait(false);
        var account = accounts.OutputLines.FirstOrDefault() ?? (externalCredentials is null ? null : $"(none listed: credentials from {externalCredentials})");
        if (account is null)
        {
            throw new DeployException(GcloudErrors.NoActiveAccount);
        }

        var configured = (await QueryAsync(GcloudTool.ConfigGetProjectArguments()).ConfigureAwait(false)).OutputLines.FirstOrDefault();
        log.Information($"   gcloud account {account}");
        if (!string.IsNullOrEmpty(configured) && !string.Equals(configured, Location.Project, StringComparison.Ordinal))
        {
            log.Information($"   note: gcloud's active project is {configured}; this run acts on {Location.Project} (config/deploy.json), passed as --project on every command.");
        }

        return account;
    }

    /// <summary>The service, or null when it does not exist yet.</summary>
    public Task<CloudRunService?> DescribeAsync() => DescribeAsync(GcloudTool.DescribeServiceArguments(Location), CloudRunService.Parse, "Cannot find service");

    /// <summary>The job (<see cref="CloudRunLocation.Service"/> names it), or null when it does not exist yet.</summary>
    public Task<CloudRunJob?> DescribeJobAsync() => DescribeAsync(GcloudTool.DescribeJobArguments(Location), CloudRunJob.Parse, "Cannot find job");

    private async Task<T?> DescribeAsync<T>(ArgumentList arguments, Func<string, T> parse, string notFound)
        where T : class
    {
        try
        {
            var result = await gcloud.ExecuteAsync(arguments, query: true).ConfigureAwait(false);
            return parse(result.StandardOutput);
        }
        catch (ToolFailedException failure) when (failure.ErrorTail.Any(l => l.Contains(notFound, StringComparison.Ordinal)))
        {
            return null;
        }
        catch (ToolFailedException failure) when (GcloudErrors.Explain(failure, Location.Project) is { } explanation)
        {
            throw new DeployException(explanation, failure.ToolExitCode);
        }
    }

    public async Task<IReadOnlyList<CloudRunRevision>> RevisionsAsync()
    {
        var result = await QueryAsync(GcloudTool.ListRevisionsArguments(Location)).ConfigureAwait(false);
        return CloudRunRevision.ParseList(result.StandardOutput);
    }

    /// <summary>Whether the service's IAM policy gives <paramref name="role"/> to <paramref name="member"/>.</summary>
    public async Task<bool> PolicyGrantsAsync(ArgumentList policyQuery, string role, string member)
    {
        ArgumentNullException.ThrowIfNull(policyQuery);
        var result = await QueryAsync(policyQuery).ConfigureAwait(false);
        return IamPolicy.Grants(result.StandardOutput, role, member);
    }

    /// <summary>An identity token for a service that does not allow unauthenticated calls, for <paramref name="audience"/>; never echoed or logged.</summary>
    public async Task<string> IdentityTokenAsync(string audience)
    {
        var file = Path.GetTempFileName();
        try
        {
            // To a file, not the log: the token must not be streamed before it is known to the masker.
            var command = GcloudTool.Command(GcloudTool.PrintIdentityTokenArguments(audience), query: true) with { StandardOutputFile = file };
            await GcloudErrors.ExplainedAsync(() => gcloud.ExecuteAsync(command), Location.Project).ConfigureAwait(false);
            var token = (await File.ReadAllTextAsync(file).ConfigureAwait(false)).Trim();
            secrets.Add(token);
            return token;
        }
        finally
        {
            File.Delete(file);
        }
    }

    public Task<CommandResult> ChangeAsync(ArgumentList arguments) =>
        GcloudErrors.ExplainedAsync(() => gcloud.ExecuteAsync(arguments, query: false), Location.Project);

    private Task<CommandResult> QueryAsync(ArgumentList arguments) =>
        GcloudErrors.ExplainedAsync(() => gcloud.ExecuteAsync(arguments, query: true), Location.Project);
}

/// <summary>Reads <c>gcloud run services get-iam-policy --format=json</c> (<c>bindings[{role, members}]</c>).</summary>
public static class IamPolicy
{
    public static bool Grants(string json, string role, string member)
    {
        ArgumentNullException.ThrowIfNull(json);
        try
        {
            using var document = System.Text.Json.JsonDocument.Parse(json.Trim().Length == 0 ? "{}" : json);
            return CloudRunService.Property(document.RootElement, "bindings") is { ValueKind: System.Text.Json.JsonValueKind.Array } bindings
                && bindings.EnumerateArray().Any(b => CloudRunService.Text(b, "role") == role
                    && CloudRunService.Property(b, "members") is { ValueKind: System.Text.Json.JsonValueKind.Array } members
                    && members.EnumerateArray().Any(m => m.GetString() == member));
        }
        catch (System.Text.Json.JsonException exception)
        {
            throw new DeployException($"gcloud run services get-iam-policy printed something that is not a policy as JSON ({exception.Message}).");
        }
    }
}
