using Build.Tools;
using Build.Tools.Gcloud;
using Cake.Core.Diagnostics;

namespace Build.Deploy;

/// <summary>
/// The gcloud calls of Deploy, Promote, Rollback and DeployStatus for one service, each failure a known one-line
/// explanation where possible (<see cref="GcloudErrors"/>).
/// </summary>
public sealed class CloudRunClient(GcloudTool gcloud, CloudRunLocation location, ICakeLog log, SecretMasker secrets)
{
    public CloudRunLocation Location { get; } = location;

    /// <summary>Checks there is an active account and says when gcloud's own project differs from the one acted on.</summary>
    public async Task PreflightAsync()
    {
        var accounts = await QueryAsync(GcloudTool.AuthListArguments()).ConfigureAwait(false);
        var account = accounts.OutputLines.FirstOrDefault();
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
    }

    /// <summary>The service, or null when it does not exist yet.</summary>
    public async Task<CloudRunService?> DescribeAsync()
    {
        try
        {
            var result = await gcloud.ExecuteAsync(GcloudTool.DescribeServiceArguments(Location), query: true).ConfigureAwait(false);
            return CloudRunService.Parse(result.StandardOutput);
        }
        catch (ToolFailedException failure) when (failure.ErrorTail.Any(l => l.Contains("Cannot find service", StringComparison.Ordinal)))
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

    /// <summary>An identity token for a service that does not allow unauthenticated calls; never echoed or logged.</summary>
    public async Task<string> IdentityTokenAsync()
    {
        var file = Path.GetTempFileName();
        try
        {
            // To a file, not the log: the token must not be streamed before it is known to the masker.
            var command = GcloudTool.Command(GcloudTool.PrintIdentityTokenArguments(), query: true) with { StandardOutputFile = file };
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
