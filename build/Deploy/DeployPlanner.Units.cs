using Build.Configuration;
using Build.Tools;
using Build.Tools.Gcloud;

namespace Build.Deploy;

/// <summary>The plans of an app's jobs, of previews, and of PreviewCleanup.</summary>
public static partial class DeployPlanner
{
    /// <summary>The label a preview's revision carries: its tag. PreviewCleanup removes only tags whose revision has it.</summary>
    public const string PreviewLabel = "kit-preview";

    /// <summary>Stands for the preview tags PreviewCleanup removes, in a plan made without asking the cloud.</summary>
    public const string StaleTagsPlaceholder = "<preview tags of branches that are gone, read at run time>";

    /// <summary>A job needs no service description: the account and project checks only.</summary>
    public static IReadOnlyList<ArgumentList> JobReads() => [GcloudTool.AuthListArguments(), GcloudTool.ConfigGetProjectArguments()];

    /// <summary>
    /// A job of the app: created or updated with the image, then (unless <c>execute</c> is false) executed once and
    /// waited for, so what follows it in the order (the service whose traffic needs the migration) deploys only after
    /// it succeeded.
    /// </summary>
    public static DeployPlan DeployJob(DeployTarget target, string image, string? commit)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(image);
        var execute = target.Unit?.Execute ?? true;
        var settings = target.JobSettings(image) with { Labels = ReleaseLabels(image, commit) };
        return new DeployPlan
        {
            Title = $"Deploy job {target.Settings.Service} to {target.Environment} (project {target.Settings.Project}, {target.Settings.Region}), image {image}{(execute ? ", then execute it and wait" : string.Empty)}",
            Reads = JobReads(),
            Steps = execute
                ? [new CommandStep(GcloudTool.JobsDeployArguments(settings), StepEffect.UpdatesJob), new CommandStep(GcloudTool.JobsExecuteArguments(target.Location), StepEffect.RunsJob)]
                : [new CommandStep(GcloudTool.JobsDeployArguments(settings), StepEffect.UpdatesJob)],
            Notes = execute
                ? ["a failed execution stops the deploy here: what follows in config/deploy.json's services is not deployed and no traffic moves."]
                : ["execute is false: the job is updated, not run (a scheduler or 'gcloud run jobs execute' runs it)."],
            FinalStatus = execute ? "executed" : "deployed",
        };
    }

    /// <summary>
    /// A preview: a revision of the image beside what serves, with no traffic and the branch's (or pull request's) tag,
    /// its own URL checked by the health gate. The service's traffic and the release record are untouched.
    /// </summary>
    public static DeployPlan Preview(DeployTarget target, string image, string tag, ServiceObservation observed, string? commit)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(image);
        ArgumentNullException.ThrowIfNull(observed);
        if (observed is { Known: true, Service: null })
        {
            throw new DeployException(
                $"{target.Settings.Service} does not exist yet in {target.Environment}: a preview is a revision beside what serves, and a new service's first revision takes all traffic. Deploy it first with --target=Deploy --env={target.Environment}.", 2);
        }

        var attempt = FreeAttempt(image, observed, a => target.PreviewRevision(image, tag, a));
        var revision = target.PreviewRevision(image, tag, attempt);
        var labels = ReleaseLabels(image, commit);
        labels[PreviewLabel] = tag;
        var settings = target.DeploySettings(image) with
        {
            RevisionSuffix = target.PreviewSuffix(image, tag, attempt),
            NoTraffic = true,
            Tag = tag,
            Labels = labels,
            ClearRevisionMinimum = true,
        };
        var notes = new List<string>
        {
            $"no traffic moves: what serves {target.Settings.Service} keeps serving; the preview answers at its own URL <{tag} tag URL>.",
            $"the tag moves to this revision if {tag} had an earlier preview; --target=PreviewCleanup --env={target.Environment} removes it once the branch is gone.",
        };
        if (!observed.Known)
        {
            notes.Add($"planned without asking Google Cloud: a service that does not exist yet is refused at run time (deploy it first).");
        }

        return new DeployPlan
        {
            Title = $"Preview {target.Settings.Service} in {target.Environment} (project {target.Settings.Project}, {target.Settings.Region}) tagged {tag}, image {image}",
            Reads = DeployReads(target),
            Steps = [new CommandStep(GcloudTool.RunDeployArguments(settings), StepEffect.CreatesRevision), .. PublicAccessChecks(target), new HealthGateStep(HealthTarget.CandidateTag, target.Settings.Health, tag)],
            Notes = notes,
            CandidateRevision = revision,
            FinalStatus = "preview",
        };
    }

    /// <summary>
    /// PreviewCleanup of one service: the preview tags (a revision labelled <see cref="PreviewLabel"/>) whose branch is
    /// gone lose their tag. <paramref name="stale"/> null: not known yet (a plan made without asking the cloud).
    /// </summary>
    public static DeployPlan PreviewCleanup(DeployTarget target, IReadOnlyList<string>? stale, string kept)
    {
        ArgumentNullException.ThrowIfNull(target);
        var tags = stale ?? [StaleTagsPlaceholder];
        return new DeployPlan
        {
            Title = $"PreviewCleanup {target.Settings.Service} in {target.Environment} (project {target.Settings.Project}, {target.Settings.Region}): previews kept for {kept}",
            Reads = [GcloudTool.AuthListArguments(), GcloudTool.ConfigGetProjectArguments(), GcloudTool.DescribeServiceArguments(target.Location), GcloudTool.ListRevisionsArguments(target.Location)],
            Steps = tags.Count == 0
                ? []
                : [new CommandStep(GcloudTool.UpdateTrafficArguments(new TrafficSettings { Location = target.Location, RemoveTags = tags }), StepEffect.ChangesTags)],
            Notes = tags.Count == 0
                ? [$"every preview tag of {target.Settings.Service} belongs to a branch that still exists: nothing to remove."]
                : ["an untagged revision without traffic takes no requests and keeps no minimum instances (the service's --min goes to revisions with traffic only); Cloud Run keeps it listed."],
        };
    }

    /// <summary>The preview tags of <paramref name="service"/> not in <paramref name="keep"/>; pull requests' tags only when <paramref name="judgePullRequests"/>.</summary>
    public static IReadOnlyList<string> StalePreviewTags(CloudRunService service, IReadOnlyList<CloudRunRevision> revisions, IReadOnlySet<string> keep, bool judgePullRequests)
    {
        ArgumentNullException.ThrowIfNull(service);
        ArgumentNullException.ThrowIfNull(revisions);
        ArgumentNullException.ThrowIfNull(keep);
        var previews = revisions.Where(r => r.Labels.ContainsKey(PreviewLabel)).Select(r => r.Name).ToHashSet(StringComparer.Ordinal);
        return service.Traffic
            .Where(t => t.Tag is not null && t.RevisionName is not null && previews.Contains(t.RevisionName))
            .Select(t => t.Tag!)
            .Where(tag => !keep.Contains(tag) && (judgePullRequests || !PreviewTag.IsPullRequestTag(tag)))
            .Distinct(StringComparer.Ordinal)
            .Order(StringComparer.Ordinal)
            .ToArray();
    }
}
