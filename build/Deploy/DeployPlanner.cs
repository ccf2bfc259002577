using Build.Configuration;
using Build.Tools;
using Build.Tools.Gcloud;

namespace Build.Deploy;

/// <summary>
/// What is known about the service when a plan is made: nothing (a plan printed before the cloud is asked), absent,
/// or its description and revisions.
/// </summary>
public sealed record ServiceObservation(bool Known, CloudRunService? Service, IReadOnlyList<CloudRunRevision> Revisions)
{
    public static ServiceObservation Unknown { get; } = new(false, null, []);

    public static ServiceObservation Missing { get; } = new(true, null, []);

    public static ServiceObservation Of(CloudRunService service, IReadOnlyList<CloudRunRevision>? revisions = null) => new(true, service, revisions ?? []);

    public bool HasRevision(string name) =>
        Revisions.Any(r => string.Equals(r.Name, name, StringComparison.Ordinal))
        || (Service is { } service && (string.Equals(service.LatestCreatedRevision, name, StringComparison.Ordinal)
                                       || service.Traffic.Any(t => string.Equals(t.RevisionName, name, StringComparison.Ordinal))));
}

/// <summary>
/// Turns an environment's strategy into an ordered plan. Pure: the same inputs give the same commands, which the golden
/// plan files of the tests hold. Values only the cloud knows are placeholders (<c>&lt;... read at run time&gt;</c>) in
/// a plan made without asking it; traffic always moves to revisions by name, never <c>--to-latest</c>.
/// </summary>
public static partial class DeployPlanner
{
    public const string CandidateTag = "candidate";

    /// <summary>Stands for the revision that serves when the run starts, in a plan made without asking the cloud.</summary>
    public const string ServingPlaceholder = "<revision serving now, read at run time>";

    /// <summary>Stands for the canary's revision in a Promote plan made without asking the cloud.</summary>
    public const string CandidatePlaceholder = "<revision tagged candidate, read at run time>";

    public static IReadOnlyList<ArgumentList> PreflightReads(DeployTarget target)
    {
        ArgumentNullException.ThrowIfNull(target);
        return [GcloudTool.AuthListArguments(), GcloudTool.ConfigGetProjectArguments(), GcloudTool.DescribeServiceArguments(target.Location)];
    }

    /// <summary>Deploy also lists the revisions: a revision name that is taken already must not be reused.</summary>
    public static IReadOnlyList<ArgumentList> DeployReads(DeployTarget target) => [.. PreflightReads(target), GcloudTool.ListRevisionsArguments(target.Location)];

    /// <summary>Label keys every revision the kit deploys carries: what DeployStatus shows per revision.</summary>
    public const string CommitLabel = "kit-commit";

    public const string DigestLabel = "kit-digest";

    public static DeployPlan Deploy(DeployTarget target, string image, ServiceObservation observed, string? commit = null)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(image);
        ArgumentNullException.ThrowIfNull(observed);
        var health = target.Settings.Health;
        var notes = new List<string>();
        var title = $"Deploy {target.Settings.Service} to {target.Environment} (project {target.Settings.Project}, {target.Settings.Region}), strategy {Describe(target)}, image {image}";
        var service = observed.Service;

        if (service is not null && SameRelease(target, image, service.ServingRevision) is { } serving && !service.IsSplit)
        {
            return new DeployPlan
            {
                Title = title,
                Reads = DeployReads(target),
                Notes = [$"{serving} (this image with these settings) already serves all traffic: nothing to do."],
                CandidateRevision = serving,
                PreviousRevision = serving,
            };
        }

        if (service is { IsSplit: true })
        {
            throw new DeployException(
                $"Traffic of {service.Name} is split ({string.Join(", ", service.Serving.Select(t => $"{t.RevisionName} {t.Percent}%"))}): a canary is in progress. Finish it with --target=Promote --env={target.Environment} or undo it with --target=Rollback --env={target.Environment}, then deploy.",
                2);
        }

        var attempt = FreeAttempt(target, image, observed);
        var candidate = target.CandidateRevision(image, attempt);
        var settings = target.DeploySettings(image) with { RevisionSuffix = target.CandidateSuffix(image, attempt), Labels = ReleaseLabels(image, commit) };
        if (attempt > 1)
        {
            notes.Add(
                $"revision {target.CandidateRevision(image)} exists already (an earlier deploy of this image that did not finish, or one whose spec changed since: another gcloud version, a console edit). "
                + $"Cloud Run refuses a name whose spec differs (409), so this deploy creates {candidate}.");
        }
        else if (!observed.Known)
        {
            notes.Add($"the new revision's name is checked against the service's revisions at run time; a name that is taken gets a numbered suffix ({candidate}-2).");
        }

        var checks = PublicAccessChecks(target);
        if (observed is { Known: true, Service: null })
        {
            notes.Add($"first deploy of {target.Settings.Service}: a new service does not accept --no-traffic, so its first revision takes all traffic at once (nothing served before).");
            return new DeployPlan
            {
                Title = title,
                Reads = DeployReads(target),
                Steps = [new CommandStep(GcloudTool.RunDeployArguments(settings), StepEffect.MovesTraffic), .. checks, new HealthGateStep(HealthTarget.Service, health)],
                Notes = notes,
                CandidateRevision = candidate,
            };
        }

        var previous = service?.ServingRevision ?? ServingPlaceholder;
        if (service is null)
        {
            notes.Add("planned without asking Google Cloud: the serving revision is read when the deploy runs, and a service that does not exist yet is created by its first revision, which takes all traffic (no --no-traffic, no traffic steps).");
        }
        else if (service.IsPinned)
        {
            notes.Add($"{service.ServingRevision} serves by name and the newer revision {service.LatestReadyRevision} has no traffic (a --no-traffic deploy, a preview, a failed candidate): this deploy moves traffic to its own revision by name, so that one stays without.");
        }

        var steps = new List<PlanStep>();
        var finalStatus = "serving";
        switch (target.Strategy)
        {
            case DeployStrategyKind.Direct:
                steps.Add(new CommandStep(GcloudTool.RunDeployArguments(settings), StepEffect.MovesTraffic));
                steps.AddRange(checks);
                steps.Add(new CommandStep(AllTrafficTo(target, candidate), StepEffect.MovesTraffic));
                steps.Add(new HealthGateStep(HealthTarget.Service, health));
                break;
            case DeployStrategyKind.BlueGreen:
                steps.Add(new CommandStep(GcloudTool.RunDeployArguments(settings with { NoTraffic = true, Tag = CandidateTag }), StepEffect.CreatesRevision));
                steps.AddRange(checks);
                steps.Add(new HealthGateStep(HealthTarget.CandidateTag, health));
                steps.Add(new CommandStep(AllTrafficTo(target, candidate), StepEffect.MovesTraffic));
                steps.Add(new HealthGateStep(HealthTarget.Service, health));
                break;
            case DeployStrategyKind.Canary:
                steps.Add(new CommandStep(GcloudTool.RunDeployArguments(settings with { NoTraffic = true, Tag = CandidateTag }), StepEffect.CreatesRevision));
                steps.AddRange(checks);
                steps.Add(new HealthGateStep(HealthTarget.CandidateTag, health));
                foreach (var percent in target.Settings.CanarySteps)
                {
                    if (percent >= 100)
                    {
                        steps.Add(new CommandStep(AllTrafficTo(target, candidate), StepEffect.MovesTraffic));
                        steps.Add(new HealthGateStep(HealthTarget.Service, health));
                    }
                    else
                    {
                        steps.Add(new CommandStep(Split(target, candidate, percent, previous), StepEffect.MovesTraffic));
                        steps.Add(new SoakGateStep(percent, target.Settings.Soak, health.Path));
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
            Reads = DeployReads(target),
            Steps = steps,
            RollbackOnFailure = AllTrafficTo(target, previous),
            CleanupOnFailure = target.Strategy == DeployStrategyKind.Direct ? null : RemoveCandidateTag(target),
            Notes = notes,
            CandidateRevision = candidate,
            PreviousRevision = previous,
            FinalStatus = finalStatus,
        };
    }

    /// <summary>Finishes a canary: the candidate is checked once more, then takes all traffic by name and loses its tag.</summary>
    public static DeployPlan Promote(DeployTarget target, string candidate, string previous)
    {
        ArgumentNullException.ThrowIfNull(target);
        return new DeployPlan
        {
            Title = $"Promote {candidate} to all traffic of {target.Settings.Service} in {target.Environment} (project {target.Settings.Project})",
            Reads = PreflightReads(target),
            Steps =
            [
                new HealthGateStep(HealthTarget.CandidateTag, target.Settings.Health),
                new CommandStep(AllTrafficTo(target, candidate), StepEffect.MovesTraffic),
                new HealthGateStep(HealthTarget.Service, target.Settings.Health),
            ],
            RollbackOnFailure = AllTrafficTo(target, previous),
            CandidateRevision = candidate,
            PreviousRevision = previous,
        };
    }

    /// <summary>All traffic to one revision; the candidate tag goes too, so a later Promote cannot pick the rejected revision.</summary>
    public static DeployPlan Rollback(DeployTarget target, string revision, string? serving)
    {
        ArgumentNullException.ThrowIfNull(target);
        return new DeployPlan
        {
            Title = $"Rollback {target.Settings.Service} in {target.Environment} (project {target.Settings.Project}): all traffic to {revision}",
            Reads = [.. PreflightReads(target), GcloudTool.ListRevisionsArguments(target.Location)],
            Steps = [new CommandStep(AllTrafficTo(target, revision), StepEffect.MovesTraffic)],
            CandidateRevision = revision,
            PreviousRevision = serving ?? ServingPlaceholder,
        };
    }

    /// <summary>The serving revision when it is this image with these settings (under its first name or a numbered one).</summary>
    private static string? SameRelease(DeployTarget target, string image, string? serving)
    {
        if (serving is null || ImageReference.DigestOf(image) is null)
        {
            return null;
        }

        var first = target.CandidateRevision(image);
        return string.Equals(serving, first, StringComparison.Ordinal)
               || (serving.StartsWith(first + "-", StringComparison.Ordinal) && serving[(first.Length + 1)..].All(char.IsAsciiDigit))
            ? serving
            : null;
    }

    private static int FreeAttempt(DeployTarget target, string image, ServiceObservation observed) => FreeAttempt(image, observed, attempt => target.CandidateRevision(image, attempt));

    /// <summary>The first attempt whose revision name (<paramref name="nameOf"/>) the service does not have yet.</summary>
    private static int FreeAttempt(string image, ServiceObservation observed, Func<int, string> nameOf)
    {
        if (ImageReference.DigestOf(image) is null)
        {
            return 1;
        }

        var attempt = 1;
        while (observed.HasRevision(nameOf(attempt)))
        {
            attempt++;
        }

        return attempt;
    }

    /// <summary>Labels tying a revision (or job) to its commit and image; they are not part of the revision name's hash.</summary>
    private static Dictionary<string, string> ReleaseLabels(string image, string? commit)
    {
        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        if (commit is not null && LabelValue().IsMatch(commit))
        {
            labels[CommitLabel] = commit;
        }

        if (ImageReference.DigestOf(image) is { } digest)
        {
            labels[DigestLabel] = digest[..32];
        }

        return labels;
    }

    private static IReadOnlyList<PlanStep> PublicAccessChecks(DeployTarget target) =>
        target.Settings.AllowUnauthenticated ? [new PublicAccessCheckStep(GcloudTool.GetIamPolicyArguments(target.Location))] : [];

    private static ArgumentList AllTrafficTo(DeployTarget target, string revision) =>
        GcloudTool.UpdateTrafficArguments(new TrafficSettings { Location = target.Location, Revisions = [new(revision, 100)], RemoveTags = [CandidateTag] });

    private static ArgumentList RemoveCandidateTag(DeployTarget target) =>
        GcloudTool.UpdateTrafficArguments(new TrafficSettings { Location = target.Location, RemoveTags = [CandidateTag] });

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

    [System.Text.RegularExpressions.GeneratedRegex("^[a-z0-9_-]{1,63}$")]
    private static partial System.Text.RegularExpressions.Regex LabelValue();
}
