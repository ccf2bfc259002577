using Build.Tools;
using Build.Tools.Gcloud;
using Cake.Core.Diagnostics;

namespace Build.Deploy;

/// <summary>
/// Deploy, Promote, Rollback and DeployStatus for one environment. Each has a plan made from config and the recorded
/// release, without asking the cloud (<c>Plan*</c>: what a dry run prints and a real run prints first). A real run then
/// reads the service, resolves the plan against it and runs it. Consent for a protected environment was given before
/// the run's first task (<see cref="EnvironmentGuard"/>), so nothing here asks again.
/// </summary>
public sealed class DeployWorkflow(GcloudTool gcloud, ReleaseStore store, ICakeLog log, SecretMasker secrets, string? externalCredentials = null)
{
    public static DeployPlan PlanDeploy(DeployTarget target, string image, string? commit) => DeployPlanner.Deploy(target, image, ServiceObservation.Unknown, commit);

    /// <summary>Promote's plan from the release record; a release that was rolled back is refused here already.</summary>
    public DeployPlan PlanPromote(DeployTarget target)
    {
        ArgumentNullException.ThrowIfNull(target);
        var record = store.Read(target.RecordKey);
        RefuseRolledBack(target, record, record?.DeployedRevision);
        return DeployPlanner.Promote(target, record?.DeployedRevision ?? DeployPlanner.CandidatePlaceholder, record?.PreviousRevision ?? DeployPlanner.ServingPlaceholder);
    }

    public DeployPlan PlanRollback(DeployTarget target, string? revision) => DeployPlanner.Rollback(target, Destination(target, revision), serving: null);

    /// <summary>
    /// Promote over an app's services: one service as before; of several, those whose canary waits for Promote (their
    /// record says canary), in deploy order.
    /// </summary>
    public IReadOnlyList<(DeployTarget Target, DeployPlan Plan)> PlanPromote(IReadOnlyList<DeployTarget> services)
    {
        ArgumentNullException.ThrowIfNull(services);
        if (services.Count == 1)
        {
            return [(services[0], PlanPromote(services[0]))];
        }

        var waiting = services.Where(t => store.Read(t.RecordKey) is { Status: "canary" }).ToArray();
        return waiting.Length > 0
            ? waiting.Select(t => (t, PlanPromote(t))).ToArray()
            : throw new DeployException($"No service of {services[0].Environment} has a canary waiting for Promote ({string.Join(", ", services.Select(t => $"{t.Settings.Service}: {store.Read(t.RecordKey)?.Status ?? "nothing recorded"}"))}). Deploy first, or name one with --service=<name>.", 2);
    }

    /// <summary>
    /// Rollback over an app's services: one service as before; of several, each with a recorded previous revision, the
    /// last deployed first (the reverse of the deploy order). <c>--revision</c> names one service's revision, so it needs one service.
    /// </summary>
    public IReadOnlyList<(DeployTarget Target, DeployPlan Plan)> PlanRollback(IReadOnlyList<DeployTarget> services, string? revision)
    {
        ArgumentNullException.ThrowIfNull(services);
        if (services.Count == 1)
        {
            return [(services[0], PlanRollback(services[0], revision))];
        }

        if (revision is not null)
        {
            throw new DeployException($"--revision={revision} is one service's revision, and {services[0].Environment} has {services.Count} services: add --service=<name> ({string.Join(", ", services.Select(t => t.Settings.Service))}).", 2);
        }

        var known = services.Reverse().Where(t => store.Read(t.RecordKey)?.PreviousRevision is not null).ToArray();
        return known.Length > 0
            ? known.Select(t => (t, PlanRollback(t, null))).ToArray()
            : [(services[0], PlanRollback(services[0], null))];
    }

    /// <summary>Where Rollback sends traffic: <c>--revision</c>, else the revision recorded before the last deploy.</summary>
    private string Destination(DeployTarget target, string? revision)
    {
        ArgumentNullException.ThrowIfNull(target);
        return revision ?? store.Read(target.RecordKey)?.PreviousRevision
            ?? throw new DeployException(
                $"No previous revision is recorded for {target.Environment} ({store.PathOf(target.RecordKey)}): pass --revision=<name> (DeployStatus lists the revisions).", 2);
    }

    public async Task DeployAsync(DeployTarget target, string image, string? commit = null)
    {
        ArgumentNullException.ThrowIfNull(target);
        var client = Client(target);
        var account = await PreflightAsync(client).ConfigureAwait(false);
        var service = await client.DescribeAsync().ConfigureAwait(false);
        var plan = DeployPlanner.Deploy(target, image, service is null ? ServiceObservation.Missing : ServiceObservation.Of(service, await client.RevisionsAsync().ConfigureAwait(false)), commit);
        log.Information(service is null
            ? $"Resolved: {target.Settings.Service} does not exist yet in {target.Settings.Region}."
            : $"Resolved: {service.Name} serves {string.Join(", ", service.Serving.Select(t => $"{t.RevisionName} ({t.Percent}%)"))}; the new revision is {plan.CandidateRevision}.");
        foreach (var line in plan.Render().Skip(1))
        {
            log.Information(line);
        }

        if (plan.Steps.Count == 0)
        {
            return;
        }

        // Recorded before any traffic moves, so Rollback knows where to return even if this run is interrupted.
        store.Update(target.RecordKey, r => r with
        {
            Project = target.Settings.Project,
            Service = target.Settings.Service,
            PreviousRevision = service?.ServingRevision ?? r.PreviousRevision,
            DeployedRevision = plan.CandidateRevision,
            DeployedImage = image,
            DeployedCommit = commit,
            RolledBackRevision = null,
            Status = "deploying",
        });
        var outcome = await RecordingFailureAsync(target, "Deploy", account, image, plan, () => Executor(target, client).ExecuteAsync(plan)).ConfigureAwait(false);
        Finish(target, "Deploy", account, image, plan, outcome, firstDeploy: service is null);
    }

    public async Task PromoteAsync(DeployTarget target)
    {
        ArgumentNullException.ThrowIfNull(target);
        var record = store.Read(target.RecordKey);
        RefuseRolledBack(target, record, record?.DeployedRevision);
        var client = Client(target);
        var account = await PreflightAsync(client).ConfigureAwait(false);
        var service = await client.DescribeAsync().ConfigureAwait(false) ?? throw NoService(target);
        var candidate = service.TagRevision(DeployPlanner.CandidateTag) ?? record?.DeployedRevision
            ?? throw new DeployException($"There is no canary to promote in {target.Environment}: no revision has the '{DeployPlanner.CandidateTag}' tag and nothing is recorded. Deploy first.", 2);
        RefuseRolledBack(target, record, candidate);
        if (string.Equals(service.ServingRevision, candidate, StringComparison.Ordinal) && !service.IsSplit)
        {
            log.Information($"{candidate} already serves all traffic of {service.Name}: nothing to promote.");
            return;
        }

        var previous = service.Serving.FirstOrDefault(t => !string.Equals(t.RevisionName, candidate, StringComparison.Ordinal))?.RevisionName
            ?? record?.PreviousRevision
            ?? throw new DeployException($"No previous revision is known to return to if {candidate} fails: check DeployStatus, then use --target=Rollback --revision=<name>.", 2);
        var plan = DeployPlanner.Promote(target, candidate, previous);
        foreach (var line in plan.Render())
        {
            log.Information(line);
        }

        store.Update(target.RecordKey, r => r with { PreviousRevision = previous, DeployedRevision = candidate, Status = "promoting" });
        var outcome = await RecordingFailureAsync(target, "Promote", account, record?.DeployedImage, plan, () => Executor(target, client).ExecuteAsync(plan)).ConfigureAwait(false);
        Finish(target, "Promote", account, record?.DeployedImage, plan, outcome, firstDeploy: false);
    }

    public async Task RollbackAsync(DeployTarget target, string? revision)
    {
        ArgumentNullException.ThrowIfNull(target);
        var record = store.Read(target.RecordKey);
        var destination = Destination(target, revision);
        var client = Client(target);
        var account = await PreflightAsync(client).ConfigureAwait(false);
        var service = await client.DescribeAsync().ConfigureAwait(false) ?? throw NoService(target);
        var revisions = await client.RevisionsAsync().ConfigureAwait(false);
        var found = revisions.FirstOrDefault(r => string.Equals(r.Name, destination, StringComparison.Ordinal))
            ?? throw new DeployException($"Revision {destination} does not exist in {service.Name} (known: {string.Join(", ", revisions.Select(r => r.Name))}): pass one of them with --revision=<name>.", 2);
        if (!found.Ready)
        {
            throw new DeployException($"Revision {destination} is not ready, so it cannot serve: pick a ready revision (DeployStatus) with --revision=<name>.", 2);
        }

        if (string.Equals(service.ServingRevision, destination, StringComparison.Ordinal) && !service.IsSplit)
        {
            log.Information($"{destination} already serves all traffic of {service.Name}: nothing to roll back.");
            return;
        }

        var plan = DeployPlanner.Rollback(target, destination, service.ServingRevision);
        foreach (var line in plan.Render())
        {
            log.Information(line);
        }

        var from = service.ServingRevision;
        await Executor(target, client).ExecuteAsync(plan).ConfigureAwait(false);
        var rejected = service.TagRevision(DeployPlanner.CandidateTag) ?? from;
        store.Update(target.RecordKey, r => r.WithEvent(new ReleaseEvent(DateTimeOffset.UtcNow, "Rollback", account, found.Image, destination, $"rolled back from {rejected}", [])) with
        {
            PreviousRevision = from,
            DeployedRevision = destination,
            RolledBackRevision = rejected,
            Status = "rolled-back",
        });
        log.Information($"Rolled back: {destination} serves all traffic of {service.Name} (was {from}; Rollback again returns to it). {rejected} lost its '{DeployPlanner.CandidateTag}' tag: Promote will not pick it.");
    }

    /// <summary>A job of the app: deployed, then (unless its <c>execute</c> is false) executed and waited for.</summary>
    public async Task DeployJobAsync(DeployTarget target, string image, string? commit = null)
    {
        ArgumentNullException.ThrowIfNull(target);
        var client = Client(target);
        var account = await PreflightAsync(client).ConfigureAwait(false);
        var plan = DeployPlanner.DeployJob(target, image, commit);
        store.Update(target.RecordKey, r => r with
        {
            Project = target.Settings.Project,
            Service = target.Settings.Service,
            DeployedImage = image,
            DeployedCommit = commit,
            Status = "deploying",
        });
        var outcome = await RecordingFailureAsync(target, "Deploy", account, image, plan, () => Executor(target, client).ExecuteAsync(plan)).ConfigureAwait(false);
        store.Update(target.RecordKey, r => r.WithEvent(new ReleaseEvent(DateTimeOffset.UtcNow, "Deploy", account, image, null, plan.FinalStatus, outcome.Gates)) with { Status = plan.FinalStatus });
        log.Information(plan.FinalStatus == "executed"
            ? $"Job {target.Settings.Service} in {target.Environment} runs {image} and its execution finished."
            : $"Job {target.Settings.Service} in {target.Environment} now runs {image} (not executed: execute is false).");
    }

    /// <summary>
    /// A preview of one service: a tagged revision without traffic, its URL health-checked and printed. The release
    /// record keeps what serves; the history notes the preview.
    /// </summary>
    public async Task PreviewAsync(DeployTarget target, string image, string tag, string? commit = null)
    {
        ArgumentNullException.ThrowIfNull(target);
        var client = Client(target);
        var account = await PreflightAsync(client).ConfigureAwait(false);
        var service = await client.DescribeAsync().ConfigureAwait(false);
        var plan = DeployPlanner.Preview(target, image, tag, service is null ? ServiceObservation.Missing : ServiceObservation.Of(service, await client.RevisionsAsync().ConfigureAwait(false)), commit);
        log.Information($"Resolved: the preview's revision is {plan.CandidateRevision}.");
        var outcome = await Executor(target, client).ExecuteAsync(plan).ConfigureAwait(false);
        var url = (await client.DescribeAsync().ConfigureAwait(false))?.TagUrl(tag) ?? DeployExecutor.TagUrlFrom(service?.Url, tag);
        store.Update(target.RecordKey, r => r.WithEvent(new ReleaseEvent(DateTimeOffset.UtcNow, "Preview", account, image, plan.CandidateRevision, (outcome.Succeeded ? "preview " : "preview failed: ") + tag, outcome.Gates)));
        if (!outcome.Succeeded)
        {
            throw new DeployException($"Preview {tag} of {target.Settings.Service} stopped: {outcome.Failure}; no traffic moved. The tag stays on {plan.CandidateRevision} for inspection at {url}; --target=PreviewCleanup removes it once the branch is gone.");
        }

        log.Information($"Preview {tag} of {target.Settings.Service}: {url}");
    }

    /// <summary>
    /// PreviewCleanup of one service: the tags of previews whose branch is not in <paramref name="keep"/> are removed.
    /// Pull requests' tags are judged only when <paramref name="judgePullRequests"/> (a list was given).
    /// </summary>
    public async Task PreviewCleanupAsync(DeployTarget target, IReadOnlySet<string> keep, bool judgePullRequests, string kept)
    {
        ArgumentNullException.ThrowIfNull(target);
        var client = Client(target);
        await PreflightAsync(client).ConfigureAwait(false);
        var service = await client.DescribeAsync().ConfigureAwait(false);
        if (service is null)
        {
            log.Information($"{target.Settings.Service} does not exist in {target.Environment}: no previews to clean up.");
            return;
        }

        var stale = DeployPlanner.StalePreviewTags(service, await client.RevisionsAsync().ConfigureAwait(false), keep, judgePullRequests);
        var plan = DeployPlanner.PreviewCleanup(target, stale, kept);
        foreach (var line in plan.Render().Skip(1))
        {
            log.Information(line);
        }

        await Executor(target, client).ExecuteAsync(plan).ConfigureAwait(false);
        if (stale.Count > 0)
        {
            log.Information($"Removed the preview tags {string.Join(", ", stale)} of {target.Settings.Service}.");
        }
    }

    /// <summary>A job's DeployStatus: its image, last execution and the recorded history.</summary>
    public async Task JobStatusAsync(DeployTarget target)
    {
        ArgumentNullException.ThrowIfNull(target);
        var client = Client(target);
        await PreflightAsync(client).ConfigureAwait(false);
        foreach (var line in DeployStatusReport.JobLines(target, await client.DescribeJobAsync().ConfigureAwait(false), store.Read(target.RecordKey)))
        {
            log.Information(line);
        }
    }

    public async Task StatusAsync(DeployTarget target)
    {
        ArgumentNullException.ThrowIfNull(target);
        var client = Client(target);
        await PreflightAsync(client).ConfigureAwait(false);
        var service = await client.DescribeAsync().ConfigureAwait(false);
        if (service is null)
        {
            log.Information($"{target.Settings.Service} does not exist in project {target.Settings.Project} ({target.Settings.Region}): the first Deploy creates it.");
            return;
        }

        var revisions = await client.RevisionsAsync().ConfigureAwait(false);
        foreach (var line in DeployStatusReport.Lines(target, service, revisions, store.Read(target.RecordKey)))
        {
            log.Information(line);
        }
    }

    /// <summary>A release that was rolled back is not promoted again: it failed a gate, or a person rejected it.</summary>
    private static void RefuseRolledBack(DeployTarget target, ReleaseRecord? record, string? candidate)
    {
        if (record is { Status: "rolled-back" } && (candidate is null || string.Equals(candidate, record.RolledBackRevision, StringComparison.Ordinal) || string.Equals(candidate, record.DeployedRevision, StringComparison.Ordinal)))
        {
            throw new DeployException(
                $"The last release of {target.Environment} was rolled back ({record.RolledBackRevision ?? "its candidate"} was rejected; {record.DeployedRevision ?? "the previous revision"} serves): there is nothing to promote. Deploy a new image with --target=Deploy --env={target.Environment}.",
                2);
        }
    }

    /// <summary>A step that throws (a refused <c>gcloud run deploy</c>) leaves the record at "failed", never at "deploying".</summary>
    private async Task<ExecutionOutcome> RecordingFailureAsync(DeployTarget target, string action, string account, string? image, DeployPlan plan, Func<Task<ExecutionOutcome>> run)
    {
        try
        {
            return await run().ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is DeployException or ToolFailedException)
        {
            store.Update(target.RecordKey, r => r.WithEvent(new ReleaseEvent(DateTimeOffset.UtcNow, action, account, image, plan.CandidateRevision, "failed: " + exception.Message.Split('\n')[0], [])) with { Status = "failed" });
            throw;
        }
    }

    private void Finish(DeployTarget target, string action, string account, string? image, DeployPlan plan, ExecutionOutcome outcome, bool firstDeploy)
    {
        var status = outcome.Succeeded ? plan.FinalStatus : outcome.TrafficReturned ? "rolled-back" : "failed";
        var entry = new ReleaseEvent(DateTimeOffset.UtcNow, action, account, image, plan.CandidateRevision, status, outcome.Gates);
        store.Update(target.RecordKey, r => r.WithEvent(entry) with { Status = status, RolledBackRevision = outcome.TrafficReturned ? plan.CandidateRevision : r.RolledBackRevision });
        if (outcome.Succeeded)
        {
            log.Information(plan.FinalStatus == "canary"
                ? $"Canary: {plan.CandidateRevision} takes {target.Settings.CanarySteps[^1]}% of traffic. Finish with --target=Promote --env={target.Environment}, undo with --target=Rollback --env={target.Environment}."
                : $"Deployed: {plan.CandidateRevision} serves all traffic of {target.Settings.Service} in {target.Environment}.");
            return;
        }

        var what = outcome.TrafficReturned
            ? $"all traffic was returned to {plan.PreviousRevision}."
            : firstDeploy
                ? $"this is the service's first revision, so it is what the service serves: fix what failed and deploy again."
                : $"no traffic was moved; {plan.PreviousRevision} still serves everything. {plan.CandidateRevision} stays listed without traffic or tag for inspection (DeployStatus).";
        throw new DeployException($"Deploy to {target.Environment} stopped: {outcome.Failure}; {what}");
    }

    private string? preflightAccount;

    /// <summary>The account check runs once per run, however many services and jobs it deploys.</summary>
    private async Task<string> PreflightAsync(CloudRunClient client) => preflightAccount ??= await client.PreflightAsync().ConfigureAwait(false);

    private CloudRunClient Client(DeployTarget target) => new(gcloud, target.Location, log, secrets, externalCredentials);

    private DeployExecutor Executor(DeployTarget target, CloudRunClient client) =>
        new(client, new HealthChecker(log), log, target.Settings.AllowUnauthenticated);

    private static DeployException NoService(DeployTarget target) =>
        new($"Service {target.Settings.Service} does not exist in project {target.Settings.Project} ({target.Settings.Region}): deploy it first with --target=Deploy --env={target.Environment}.", 2);
}
