using Build.Configuration;
using Build.Tools;
using Build.Tools.Gcloud;

namespace Build.Deploy;

/// <summary>What is known about the service when a plan is made: nothing (a dry run never asks the cloud), absent, or its description.</summary>
public sealed record ServiceObservation(bool Known, CloudRunService? Service)
{
    public static ServiceObservation Unknown { get; } = new(false, null);

    public static ServiceObservation Missing { get; } = new(true, null);

    public static ServiceObservation Of(CloudRunService service) => new(true, service);
}

/// <summary>
/// Turns an environment's strategy into an ordered plan. Pure: the same inputs give the same commands, which the golden
/// plan files of the tests hold.
/// </summary>
public static class DeployPlanner
{
    public const string CandidateTag = "candidate";

    /// <summary>Stands for the revision that serves when the run starts, in a plan made without asking the cloud.</summary>
    public const string ServingPlaceholder = "<current-serving-revision>";

    public static IReadOnlyList<ArgumentList> PreflightReads(DeployTarget target)
    {
        ArgumentNullException.ThrowIfNull(target);
        return [GcloudTool.AuthListArguments(), GcloudTool.ConfigGetProjectArguments(), GcloudTool.DescribeServiceArguments(target.Location)];
    }

    public static DeployPlan Deploy(DeployTarget target, string image, ServiceObservation observed)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(image);
        ArgumentNullException.ThrowIfNull(observed);
        var settings = target.DeploySettings(image) with { RevisionSuffix = target.RevisionSuffix(image) };
        var candidate = target.CandidateRevision(image);
        var health = target.Settings.Health;
        var notes = new List<string>();
        var title = $"Deploy {target.Settings.Service} to {target.Environment} (project {target.Settings.Project}, {target.Settings.Region}), strategy {Describe(target)}, image {image}";

        if (observed is { Known: true, Service: null })
        {
            notes.Add($"first deploy of {target.Settings.Service}: a new service does not accept --no-traffic, so its first revision takes all traffic at once (nothing served before).");
            return new DeployPlan
            {
                Title = title,
                Reads = PreflightReads(target),
                Steps = [new CommandStep(GcloudTool.RunDeployArguments(settings), StepEffect.MovesTraffic), new HealthGateStep(HealthTarget.Service, health)],
                Notes = notes,
                CandidateRevision = candidate,
            };
        }

        var service = observed.Service;
        var previous = service?.ServingRevision ?? ServingPlaceholder;
        if (service is not null)
        {
            if (string.Equals(service.ServingRevision, candidate, StringComparison.Ordinal) && !service.IsSplit)
            {
                return new DeployPlan
                {
                    Title = title,
                    Reads = PreflightReads(target),
                    Notes = [$"{candidate} (this image with these settings) already serves all traffic: nothing to do."],
                    CandidateRevision = candidate,
                    PreviousRevision = service.ServingRevision,
                };
            }

            if (service.IsSplit)
            {
                throw new DeployException(
                    $"Traffic of {service.Name} is split ({string.Join(", ", service.Serving.Select(t => $"{t.RevisionName} {t.Percent}%"))}): a canary is in progress. Finish it with --target=Promote --env={target.Environment} or undo it with --target=Rollback --env={target.Environment}, then deploy.",
                    2);
            }

            if (service.Traffic.Any(t => string.Equals(t.RevisionName, candidate, StringComparison.Ordinal)) || string.Equals(service.LatestCreatedRevision, candidate, StringComparison.Ordinal))
            {
                throw new DeployException(
                    $"Revision {candidate} (this image with these settings) already exists without traffic, from an earlier deploy that did not finish: send traffic to it with --target=Rollback --env={target.Environment} --revision={candidate}, or deploy a new image.",
                    2);
            }

            if (service.IsPinned)
            {
                notes.Add(
                    $"traffic is pinned to {service.ServingRevision} by an earlier --no-traffic deploy: the newer revision {service.LatestReadyRevision} has no traffic, and a plain 'gcloud run deploy' would get none either. "
                    + "This deploy moves traffic explicitly and ends with 'update-traffic --to-latest', so the service follows new revisions again.");
            }
        }
        else
        {
            notes.Add("planned without asking Google Cloud: a first deploy of the service skips --no-traffic and the traffic steps; the serving revision is read when the deploy runs.");
        }

        var rollback = ToRevision(target, previous);
        var toLatest = GcloudTool.UpdateTrafficArguments(new TrafficSettings { Location = target.Location, ToLatest = true });
        var steps = new List<PlanStep>();
        var finalStatus = "serving";
        switch (target.Strategy)
        {
            case DeployStrategyKind.Direct:
                steps.Add(new CommandStep(GcloudTool.RunDeployArguments(settings), StepEffect.MovesTraffic));
                steps.Add(new CommandStep(toLatest, StepEffect.MovesTraffic));
                steps.Add(new HealthGateStep(HealthTarget.Service, health));
                break;
            case DeployStrategyKind.BlueGreen:
                steps.Add(new CommandStep(GcloudTool.RunDeployArguments(settings with { NoTraffic = true, Tag = CandidateTag }), StepEffect.CreatesRevision));
                steps.Add(new HealthGateStep(HealthTarget.CandidateTag, health));
                steps.Add(new CommandStep(toLatest, StepEffect.MovesTraffic));
                steps.Add(new HealthGateStep(HealthTarget.Service, health));
                break;
            case DeployStrategyKind.Canary:
                steps.Add(new CommandStep(GcloudTool.RunDeployArguments(settings with { NoTraffic = true, Tag = CandidateTag }), StepEffect.CreatesRevision));
                steps.Add(new HealthGateStep(HealthTarget.CandidateTag, health));
                foreach (var percent in target.Settings.CanarySteps)
                {
                    if (percent >= 100)
                    {
                        steps.Add(new CommandStep(toLatest, StepEffect.MovesTraffic));
                        steps.Add(new HealthGateStep(HealthTarget.Service, health));
                    }
                    else
                    {
                        steps.Add(new CommandStep(Split(target, candidate, percent, previous), StepEffect.MovesTraffic));
                        steps.Add(new HealthGateStep(HealthTarget.CandidateTag, health));
                    }
                }

                if (target.Settings.CanarySteps[^1] < 100)
                {
                    finalStatus = "canary";
                    notes.Add($"the canary stops at {target.Settings.CanarySteps[^1]}%: finish it with --target=Promote --env={target.Environment}, or undo it with --target=Rollback --env={target.Environment}.");
                }

                break;
        }

        return new DeployPlan
        {
            Title = title,
            Reads = PreflightReads(target),
            Steps = steps,
            RollbackOnFailure = rollback,
            Notes = notes,
            CandidateRevision = candidate,
            PreviousRevision = previous,
            FinalStatus = finalStatus,
        };
    }

    /// <summary>Finishes a canary: the candidate is checked once more, then takes all traffic.</summary>
    public static DeployPlan Promote(DeployTarget target, string candidate, string previous, ServiceObservation observed)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(observed);
        // --to-latest also makes later deploys take traffic again; only right when the candidate is the latest revision.
        var latest = observed.Service is null || string.Equals(observed.Service.LatestReadyRevision, candidate, StringComparison.Ordinal);
        var final = latest
            ? GcloudTool.UpdateTrafficArguments(new TrafficSettings { Location = target.Location, ToLatest = true })
            : ToRevision(target, candidate);
        return new DeployPlan
        {
            Title = $"Promote {candidate} to all traffic of {target.Settings.Service} in {target.Environment} (project {target.Settings.Project})",
            Reads = PreflightReads(target),
            Steps =
            [
                new HealthGateStep(HealthTarget.CandidateTag, target.Settings.Health),
                new CommandStep(final, StepEffect.MovesTraffic),
                new HealthGateStep(HealthTarget.Service, target.Settings.Health),
            ],
            RollbackOnFailure = ToRevision(target, previous),
            CandidateRevision = candidate,
            PreviousRevision = previous,
        };
    }

    public static DeployPlan Rollback(DeployTarget target, string revision, string? serving)
    {
        ArgumentNullException.ThrowIfNull(target);
        return new DeployPlan
        {
            Title = $"Rollback {target.Settings.Service} in {target.Environment} (project {target.Settings.Project}): all traffic to {revision}",
            Reads = [.. PreflightReads(target), GcloudTool.ListRevisionsArguments(target.Location)],
            Steps = [new CommandStep(ToRevision(target, revision), StepEffect.MovesTraffic)],
            CandidateRevision = revision,
            PreviousRevision = serving ?? ServingPlaceholder,
        };
    }

    private static ArgumentList ToRevision(DeployTarget target, string revision) =>
        GcloudTool.UpdateTrafficArguments(new TrafficSettings { Location = target.Location, Revisions = [new(revision, 100)] });

    private static ArgumentList Split(DeployTarget target, string candidate, int percent, string previous) =>
        GcloudTool.UpdateTrafficArguments(new TrafficSettings
        {
            Location = target.Location,
            Revisions = [new(candidate, percent), new(previous, 100 - percent)],
        });

    private static string Describe(DeployTarget target) => target.Strategy switch
    {
        DeployStrategyKind.Canary => "canary " + string.Join(" → ", target.Settings.CanarySteps.Select(s => s + "%")),
        DeployStrategyKind.BlueGreen => "blue-green",
        _ => "direct",
    };
}
