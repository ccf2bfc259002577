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
public sealed class DeployWorkflow(GcloudTool gcloud, ReleaseStore store, ICakeLog log, SecretMasker secrets)
{
    public static DeployPlan PlanDeploy(DeployTarget target, string image) => DeployPlanner.Deploy(target, image, ServiceObservation.Unknown);

    public DeployPlan PlanPromote(DeployTarget target)
    {
        ArgumentNullException.ThrowIfNull(target);
        var record = store.Read(target.Environment);
        return DeployPlanner.Promote(target, record?.DeployedRevision ?? "<candidate revision>", record?.PreviousRevision ?? DeployPlanner.ServingPlaceholder, ServiceObservation.Unknown);
    }

    public DeployPlan PlanRollback(DeployTarget target, string? revision) => DeployPlanner.Rollback(target, Destination(target, revision), serving: null);

    /// <summary>Where Rollback sends traffic: <c>--revision</c>, else the revision recorded before the last deploy.</summary>
    private string Destination(DeployTarget target, string? revision)
    {
        ArgumentNullException.ThrowIfNull(target);
        return revision ?? store.Read(target.Environment)?.PreviousRevision
            ?? throw new DeployException(
                $"No previous revision is recorded for {target.Environment} ({store.PathOf(target.Environment)}): pass --revision=<name> (DeployStatus lists the revisions).", 2);
    }

    public async Task DeployAsync(DeployTarget target, string image)
    {
        ArgumentNullException.ThrowIfNull(target);
        var client = Client(target);
        await client.PreflightAsync().ConfigureAwait(false);
        var service = await client.DescribeAsync().ConfigureAwait(false);
        var plan = DeployPlanner.Deploy(target, image, service is null ? ServiceObservation.Missing : ServiceObservation.Of(service));
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
        store.Update(target.Environment, r => r with
        {
            Project = target.Settings.Project,
            Service = target.Settings.Service,
            PreviousRevision = service?.ServingRevision ?? r.PreviousRevision,
            DeployedRevision = plan.CandidateRevision,
            DeployedImage = image,
            Status = "deploying",
        });
        var outcome = await Executor(target, client).ExecuteAsync(plan).ConfigureAwait(false);
        Finish(target, plan, outcome, firstDeploy: service is null);
    }

    public async Task PromoteAsync(DeployTarget target)
    {
        ArgumentNullException.ThrowIfNull(target);
        var record = store.Read(target.Environment);
        var client = Client(target);
        await client.PreflightAsync().ConfigureAwait(false);
        var service = await client.DescribeAsync().ConfigureAwait(false) ?? throw NoService(target);
        var candidate = service.TagRevision(DeployPlanner.CandidateTag) ?? record?.DeployedRevision
            ?? throw new DeployException($"There is no canary to promote in {target.Environment}: no revision has the '{DeployPlanner.CandidateTag}' tag and nothing is recorded. Deploy first.", 2);
        if (string.Equals(service.ServingRevision, candidate, StringComparison.Ordinal) && !service.IsSplit)
        {
            log.Information($"{candidate} already serves all traffic of {service.Name}: nothing to promote.");
            return;
        }

        var previous = service.Serving.FirstOrDefault(t => !string.Equals(t.RevisionName, candidate, StringComparison.Ordinal))?.RevisionName
            ?? record?.PreviousRevision
            ?? throw new DeployException($"No previous revision is known to return to if {candidate} fails: check DeployStatus, then use --target=Rollback --revision=<name>.", 2);
        var plan = DeployPlanner.Promote(target, candidate, previous, ServiceObservation.Of(service));
        foreach (var line in plan.Render())
        {
            log.Information(line);
        }

        store.Update(target.Environment, r => r with { PreviousRevision = previous, DeployedRevision = candidate, Status = "promoting" });
        var outcome = await Executor(target, client).ExecuteAsync(plan).ConfigureAwait(false);
        Finish(target, plan, outcome, firstDeploy: false);
    }

    public async Task RollbackAsync(DeployTarget target, string? revision)
    {
        ArgumentNullException.ThrowIfNull(target);
        var destination = Destination(target, revision);
        var client = Client(target);
        await client.PreflightAsync().ConfigureAwait(false);
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
        store.Update(target.Environment, r => r with { PreviousRevision = from, DeployedRevision = destination, Status = "rolled-back" });
        log.Information($"Rolled back: {destination} serves all traffic of {service.Name} (was {from}; Rollback again returns to it).");
        log.Information("   note: traffic is now pinned to that revision; the next Deploy moves it explicitly and ends with --to-latest.");
    }

    public async Task StatusAsync(DeployTarget target)
    {
        ArgumentNullException.ThrowIfNull(target);
        var client = Client(target);
        await client.PreflightAsync().ConfigureAwait(false);
        var service = await client.DescribeAsync().ConfigureAwait(false);
        if (service is null)
        {
            log.Information($"{target.Settings.Service} does not exist in project {target.Settings.Project} ({target.Settings.Region}): the first Deploy creates it.");
            return;
        }

        var revisions = await client.RevisionsAsync().ConfigureAwait(false);
        foreach (var line in DeployStatusReport.Lines(target, service, revisions, store.Read(target.Environment)))
        {
            log.Information(line);
        }
    }

    private void Finish(DeployTarget target, DeployPlan plan, ExecutionOutcome outcome, bool firstDeploy)
    {
        var status = outcome.Succeeded ? plan.FinalStatus : outcome.TrafficReturned ? "rolled-back" : "failed";
        store.Update(target.Environment, r => r with { Status = status });
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
                ? $"this is the service's first revision, so it is what the service serves: fix the image and deploy again."
                : $"no traffic was moved; {plan.PreviousRevision} still serves everything. {plan.CandidateRevision} stays deployed without traffic for inspection.";
        throw new DeployException($"Deploy to {target.Environment} stopped: {outcome.Failure}; {what}");
    }

    private CloudRunClient Client(DeployTarget target) => new(gcloud, target.Location, log, secrets);

    private DeployExecutor Executor(DeployTarget target, CloudRunClient client) =>
        new(client, new HealthChecker(log), log, target.Settings.AllowUnauthenticated);

    private static DeployException NoService(DeployTarget target) =>
        new($"Service {target.Settings.Service} does not exist in project {target.Settings.Project} ({target.Settings.Region}): deploy it first with --target=Deploy --env={target.Environment}.", 2);
}
