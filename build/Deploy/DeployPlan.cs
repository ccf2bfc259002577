using Build.Configuration;
using Build.Tools;
using Build.Tools.Gcloud;

namespace Build.Deploy;

/// <summary>What a mutating step does to the service, so the executor knows when a failure must return traffic.</summary>
public enum StepEffect
{
    /// <summary>A revision that gets no traffic (<c>--no-traffic</c>).</summary>
    CreatesRevision,

    /// <summary>Traffic moves (a deploy that takes traffic, <c>update-traffic</c>).</summary>
    MovesTraffic,

    /// <summary>A job is created or updated (<c>gcloud run jobs deploy</c>); nothing runs yet.</summary>
    UpdatesJob,

    /// <summary>A job runs to its end (<c>gcloud run jobs execute --wait</c>): a failed execution stops the deploy.</summary>
    RunsJob,

    /// <summary>Tags change, traffic does not (<c>update-traffic --remove-tags</c>).</summary>
    ChangesTags,
}

/// <summary>Where a health gate sends its requests.</summary>
public enum HealthTarget
{
    /// <summary>The candidate revision's own tag URL (<c>https://candidate---service-....run.app</c>): reaches it with no traffic.</summary>
    CandidateTag,

    /// <summary>The service's URL: what users reach.</summary>
    Service,
}

/// <summary>One step of a plan: a gcloud command or a health gate.</summary>
public abstract record PlanStep
{
    public abstract string Render();
}

public sealed record CommandStep(ArgumentList Arguments, StepEffect Effect) : PlanStep
{
    public override string Render() => Line(Arguments);

    public static string Line(ArgumentList arguments) => GcloudTool.Command(arguments).Render();
}

public sealed record HealthGateStep(HealthTarget Target, HealthConfig Health, string Tag = DeployPlanner.CandidateTag) : PlanStep
{
    public override string Render()
    {
        var where = Target == HealthTarget.CandidateTag ? $"<{Tag} tag URL>" : "<service URL>";
        return $"health gate: GET {where}{Health.Path} until {Health.Consecutive} healthy answers in a row (every {Health.IntervalSeconds:0.##} s, give up after {Health.TimeoutSeconds:0.##} s)";
    }
}

/// <summary>
/// A canary step's soak: requests through the service URL (what users reach, so the candidate answers its share of
/// them) for a while after traffic moved, judged by the share that failed and their latency.
/// </summary>
public sealed record SoakGateStep(int Percent, SoakConfig Soak, string Path) : PlanStep
{
    public override string Render() =>
        $"soak gate at {Percent}%: for {Soak.Seconds:0.##} s GET <service URL>{Path} at least {Soak.MinimumRequests} times; pass with at most {Soak.MaxFailedPercent:0.##}% failed and 95th percentile latency at most {Soak.MaxLatencyMilliseconds} ms";
}

/// <summary>
/// <c>--allow-unauthenticated</c> asks gcloud to grant roles/run.invoker to allUsers, and a refused grant is only a
/// warning (exit 0): the policy is read back, and a missing grant stops the deploy with what refused it.
/// </summary>
public sealed record PublicAccessCheckStep(ArgumentList Arguments) : PlanStep
{
    public const string Role = "roles/run.invoker";

    public const string Member = "allUsers";

    public override string Render() => $"check {Member} holds {Role}: {CommandStep.Line(Arguments)}";
}

/// <summary>A deploy, promote or rollback as data: the reads it starts with, the ordered steps, and how a failure undoes traffic moves.</summary>
public sealed record DeployPlan : Host.ITaskPlan
{
    public required string Title { get; init; }

    /// <summary>Read-only gcloud commands a real run starts with (never run in a dry run).</summary>
    public IReadOnlyList<ArgumentList> Reads { get; init; } = [];

    public IReadOnlyList<PlanStep> Steps { get; init; } = [];

    /// <summary>Run when a gate fails after traffic moved: all traffic back to the previous revision, the candidate's tag removed.</summary>
    public ArgumentList? RollbackOnFailure { get; init; }

    /// <summary>Run when a gate fails before traffic moved: the failed candidate loses its tag (it stays listed for inspection).</summary>
    public ArgumentList? CleanupOnFailure { get; init; }

    public IReadOnlyList<string> Notes { get; init; } = [];

    public string? CandidateRevision { get; init; }

    /// <summary>The revision serving before this plan moves traffic (a placeholder in a plan made without asking the cloud).</summary>
    public string? PreviousRevision { get; init; }

    /// <summary>Status recorded when every step passed: serving, or canary when traffic stays split for Promote.</summary>
    public string FinalStatus { get; init; } = "serving";

    public IEnumerable<string> Render()
    {
        yield return Title;
        foreach (var read in Reads)
        {
            yield return "   read:  " + CommandStep.Line(read);
        }

        var number = 0;
        foreach (var step in Steps)
        {
            yield return $"   {++number,2}. {step.Render()}";
        }

        if (RollbackOnFailure is not null)
        {
            yield return "   on a failed gate after traffic moved: " + CommandStep.Line(RollbackOnFailure);
        }

        if (CleanupOnFailure is not null)
        {
            yield return "   on a failed gate before traffic moved: " + CommandStep.Line(CleanupOnFailure);
        }

        foreach (var note in Notes)
        {
            yield return "   note: " + note;
        }
    }
}
