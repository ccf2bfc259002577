using Cake.Core.Diagnostics;

namespace Build.Deploy;

/// <summary>How a plan ended.</summary>
public sealed record ExecutionOutcome(bool Succeeded, bool TrafficMoved, bool TrafficReturned, string? Failure)
{
    /// <summary>Each gate that ran, with its result, in order: the release history keeps them.</summary>
    public IReadOnlyList<string> Gates { get; init; } = [];

    public static ExecutionOutcome Success(bool trafficMoved) => new(true, trafficMoved, false, null);
}

/// <summary>
/// Runs a <see cref="DeployPlan"/> step by step. A failed gate stops it; when traffic had moved, the plan's rollback
/// returns all traffic to the previous revision before the failure is reported, and when it had not, the plan's
/// cleanup removes the failed candidate's tag.
/// </summary>
public sealed class DeployExecutor(CloudRunClient client, HealthChecker health, ICakeLog log, bool serviceIsPublic)
{
    private readonly List<string> gates = [];
    private string? token;

    public async Task<ExecutionOutcome> ExecuteAsync(DeployPlan plan)
    {
        ArgumentNullException.ThrowIfNull(plan);
        var moved = false;
        var number = 0;
        foreach (var step in plan.Steps)
        {
            log.Information($"== step {++number}/{plan.Steps.Count}: {step.Render()}");
            var failure = step switch
            {
                CommandStep command => await ChangeAsync(command).ConfigureAwait(false),
                PublicAccessCheckStep check => await CheckPublicAccessAsync(check).ConfigureAwait(false),
                HealthGateStep gate => await HealthGateAsync(plan, gate).ConfigureAwait(false),
                SoakGateStep soak => await SoakGateAsync(plan, soak).ConfigureAwait(false),
                _ => throw new InvalidOperationException($"No executor for {step.GetType().Name}."),
            };
            moved |= step is CommandStep { Effect: StepEffect.MovesTraffic };
            if (failure is null)
            {
                continue;
            }

            if (moved && plan.RollbackOnFailure is { } rollback && plan.PreviousRevision is not null)
            {
                log.Information($"== gate failed after traffic moved: returning all traffic to {plan.PreviousRevision}");
                await client.ChangeAsync(rollback).ConfigureAwait(false);
                return new ExecutionOutcome(false, true, true, failure) { Gates = gates };
            }

            if (!moved && plan.CleanupOnFailure is { } cleanup)
            {
                log.Information($"== gate failed before traffic moved: {plan.CandidateRevision} loses its '{DeployPlanner.CandidateTag}' tag");
                await client.ChangeAsync(cleanup).ConfigureAwait(false);
            }

            return new ExecutionOutcome(false, moved, false, failure) { Gates = gates };
        }

        return ExecutionOutcome.Success(moved) with { Gates = gates };
    }

    private async Task<string?> ChangeAsync(CommandStep command)
    {
        await client.ChangeAsync(command.Arguments).ConfigureAwait(false);
        return null;
    }

    private async Task<string?> CheckPublicAccessAsync(PublicAccessCheckStep check)
    {
        if (await client.PolicyGrantsAsync(check.Arguments, PublicAccessCheckStep.Role, PublicAccessCheckStep.Member).ConfigureAwait(false))
        {
            gates.Add("public access: passed");
            return null;
        }

        gates.Add("public access: failed (allUsers has no roles/run.invoker)");

        // gcloud reports a refused grant as a warning and exits 0: the check above is the only sign of it.
        var location = client.Location;
        return $"the public-access grant failed: {location.Service} does not give {PublicAccessCheckStep.Role} to {PublicAccessCheckStep.Member}, so every request gets 403 (the image is not at fault). "
            + $"An organization policy usually refuses it (constraints/iam.allowedPolicyMemberDomains, domain restricted sharing): ask an organization administrator to allow {PublicAccessCheckStep.Member} for project {location.Project}, "
            + $"or set allowUnauthenticated to false in config/deploy.json (the gates then call with an identity token)";
    }

    private async Task<string?> HealthGateAsync(DeployPlan plan, HealthGateStep gate)
    {
        var (url, audience) = await UrlOfAsync(gate.Target, gate.Tag).ConfigureAwait(false);
        var result = await health.WaitHealthyAsync(url, gate.Health, await TokenAsync(audience).ConfigureAwait(false)).ConfigureAwait(false);
        var name = gate.Target == HealthTarget.Service ? "service" : gate.Tag == DeployPlanner.CandidateTag ? "candidate" : $"tag {gate.Tag}";
        gates.Add($"health {name}: {(result.Healthy ? "passed" : "failed")} ({result.Attempts} tries, last {result.LastAnswer})");
        return result.Healthy
            ? null
            : $"{(gate.Target == HealthTarget.CandidateTag ? $"candidate {plan.CandidateRevision} at {url}" : $"the service at {url}")} failed its health gate (last answer {result.LastAnswer} after {result.Attempts} tries)";
    }

    private async Task<string?> SoakGateAsync(DeployPlan plan, SoakGateStep soak)
    {
        var (url, audience) = await UrlOfAsync(HealthTarget.Service, DeployPlanner.CandidateTag).ConfigureAwait(false);
        var result = await health.SoakAsync(url, soak.Path, soak.Soak, await TokenAsync(audience).ConfigureAwait(false)).ConfigureAwait(false);
        gates.Add($"soak {soak.Percent}%: {(result.Passed ? "passed" : "failed")} ({result.Summary})");
        return result.Passed ? null : $"{plan.CandidateRevision} at {soak.Percent}% failed its soak gate ({result.Summary})";
    }

    private async Task<(Uri Url, string? Audience)> UrlOfAsync(HealthTarget target, string tag)
    {
        var service = await client.DescribeAsync().ConfigureAwait(false)
            ?? throw new DeployException($"Service {client.Location.Service} disappeared during the deploy (project {client.Location.Project}, {client.Location.Region}).");
        var url = target == HealthTarget.CandidateTag ? service.TagUrl(tag) ?? TagUrlFrom(service.Url, tag) : service.Url;
        return url is not null && Uri.TryCreate(url, UriKind.Absolute, out var uri)
            ? (uri, service.Url)
            : throw new DeployException($"Cloud Run reported no URL for {(target == HealthTarget.CandidateTag ? $"the {tag} tag" : "the service")} of {service.Name}: check 'gcloud run services describe {service.Name} --region={client.Location.Region} --project={client.Location.Project}'.");
    }

    // Cloud Run's tag URLs are the service's host with "TAG---" in front.
    public static string? TagUrlFrom(string? serviceUrl, string tag) =>
        serviceUrl is not null && Uri.TryCreate(serviceUrl, UriKind.Absolute, out var uri)
            ? $"{uri.Scheme}://{tag}---{uri.Authority}"
            : null;

    // A private service's gates call with an ID token whose audience is the service's URL (tag URLs accept it too).
    private async Task<string?> TokenAsync(string? audience) =>
        serviceIsPublic ? null : token ??= await client.IdentityTokenAsync(audience ?? throw new DeployException($"Cloud Run reported no URL for {client.Location.Service}: no audience for an identity token.")).ConfigureAwait(false);
}
