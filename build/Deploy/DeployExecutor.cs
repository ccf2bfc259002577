using Cake.Core.Diagnostics;

namespace Build.Deploy;

/// <summary>How a plan ended.</summary>
public sealed record ExecutionOutcome(bool Succeeded, bool TrafficMoved, bool TrafficReturned, string? Failure)
{
    public static ExecutionOutcome Success(bool trafficMoved) => new(true, trafficMoved, false, null);
}

/// <summary>
/// Runs a <see cref="DeployPlan"/> step by step. A failed health gate stops it; when traffic had moved, the plan's
/// rollback returns all traffic to the previous revision before the failure is reported.
/// </summary>
public sealed class DeployExecutor(CloudRunClient client, HealthChecker health, ICakeLog log, bool serviceIsPublic)
{
    private string? token;

    public async Task<ExecutionOutcome> ExecuteAsync(DeployPlan plan)
    {
        ArgumentNullException.ThrowIfNull(plan);
        var moved = false;
        var number = 0;
        foreach (var step in plan.Steps)
        {
            log.Information($"== step {++number}/{plan.Steps.Count}: {step.Render()}");
            switch (step)
            {
                case CommandStep command:
                    await client.ChangeAsync(command.Arguments).ConfigureAwait(false);
                    moved |= command.Effect == StepEffect.MovesTraffic;
                    break;
                case HealthGateStep gate:
                    var url = await UrlOfAsync(gate.Target).ConfigureAwait(false);
                    var result = await health.WaitHealthyAsync(url, gate.Health, serviceIsPublic ? null : await TokenAsync().ConfigureAwait(false)).ConfigureAwait(false);
                    if (!result.Healthy)
                    {
                        var failure = $"{(gate.Target == HealthTarget.CandidateTag ? $"candidate {plan.CandidateRevision} at {url}" : $"the service at {url}")} failed its health gate (last answer {result.LastAnswer} after {result.Attempts} tries)";
                        if (moved && plan.RollbackOnFailure is { } rollback)
                        {
                            log.Information($"== health gate failed after traffic moved: returning all traffic to {plan.PreviousRevision}");
                            await client.ChangeAsync(rollback).ConfigureAwait(false);
                            return new ExecutionOutcome(false, true, true, failure);
                        }

                        return new ExecutionOutcome(false, moved, false, failure);
                    }

                    break;
            }
        }

        return ExecutionOutcome.Success(moved);
    }

    private async Task<Uri> UrlOfAsync(HealthTarget target)
    {
        var service = await client.DescribeAsync().ConfigureAwait(false)
            ?? throw new DeployException($"Service {client.Location.Service} disappeared during the deploy (project {client.Location.Project}, {client.Location.Region}).");
        var url = target == HealthTarget.CandidateTag ? service.TagUrl(DeployPlanner.CandidateTag) ?? TagUrlFrom(service.Url) : service.Url;
        return url is not null && Uri.TryCreate(url, UriKind.Absolute, out var uri)
            ? uri
            : throw new DeployException($"Cloud Run reported no URL for {(target == HealthTarget.CandidateTag ? "the candidate tag" : "the service")} of {service.Name}: check 'gcloud run services describe {service.Name} --region={client.Location.Region} --project={client.Location.Project}'.");
    }

    // Cloud Run's tag URLs are the service's host with "TAG---" in front.
    private static string? TagUrlFrom(string? serviceUrl) =>
        serviceUrl is not null && Uri.TryCreate(serviceUrl, UriKind.Absolute, out var uri)
            ? $"{uri.Scheme}://{DeployPlanner.CandidateTag}---{uri.Authority}"
            : null;

    private async Task<string> TokenAsync() => token ??= await client.IdentityTokenAsync().ConfigureAwait(false);
}
