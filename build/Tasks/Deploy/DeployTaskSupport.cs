using Build.Deploy;
using Build.Host;
using Cake.Core.Diagnostics;

namespace Build.Tasks.Deploy;

/// <summary>What every deploy task reads from the context, in one place.</summary>
internal static class DeployTaskSupport
{
    public static DeployTarget Target(BuildContext context)
    {
        var target = DeployTarget.Resolve(context.EnvironmentName, context.Config, context.Parameters.Strategy);
        DeployGuard.CheckProject(target, context.Config.Deploy);
        return target;
    }

    /// <summary>The services and jobs of --env in deploy order, or only --service's (<paramref name="only"/> null: all of them).</summary>
    public static IReadOnlyList<DeployTarget> Targets(BuildContext context, string? only) =>
        DeployTarget.ResolveAll(Target(context).Environment, context.Config, context.Parameters.Strategy, only);

    /// <summary>The services and jobs this run acts on: --service's, else all of them.</summary>
    public static IReadOnlyList<DeployTarget> Targets(BuildContext context) => Targets(context, context.Parameters.Service);

    /// <summary>The services (not the jobs) this run acts on; --service naming a job is refused.</summary>
    public static IReadOnlyList<DeployTarget> Services(BuildContext context, string task)
    {
        var services = Targets(context).Where(t => t.Kind == Configuration.DeployUnitKind.Service).ToArray();
        return services.Length > 0
            ? services
            : throw new DeployException($"{task} acts on services, and --service={context.Parameters.Service} is a job (it has no traffic or revisions to move): pick a service.", 2);
    }

    /// <summary>
    /// The image that passed <paramref name="source"/>: its last Deploy (or Promote) finished with all traffic on it.
    /// Read from the local release record, the same in a dry run and a real one.
    /// </summary>
    public static string PassedImage(BuildContext context, DeployTarget target, string source, string recordKey)
    {
        var store = Store(context);
        var record = store.Read(recordKey);
        if (record is not { Status: "serving", DeployedImage: { } image })
        {
            var state = record is null ? "nothing is recorded" : $"its last release is {record.Status ?? "unknown"}";
            throw new DeployException(
                $"{target.Environment} deploys the image that passed {source} (promoteFrom), and {state} ({Path.GetRelativePath(context.Paths.App, store.PathOf(recordKey))}): deploy to {source} first, or pass --image=<repository>/<name>@sha256:<digest>.", 2);
        }

        return ImageReference.RequireDigest(image, $"The image recorded for {source}");
    }

    /// <summary>The commit an image was built from, as the release records know it (null for an --image from elsewhere).</summary>
    public static string? CommitOf(BuildContext context, DeployTarget target, string image)
    {
        var store = Store(context);
        return new[] { BuildRecordKey(context, target), target.RecordKey, target.Settings.PromoteFrom }
            .OfType<string>()
            .Select(store.Read)
            .Select(r => r is null ? null
                : string.Equals(r.BuiltImage, image, StringComparison.Ordinal) || r.BuiltImages.Values.Contains(image, StringComparer.Ordinal) ? r.BuiltCommit
                : string.Equals(r.DeployedImage, image, StringComparison.Ordinal) ? r.DeployedCommit
                : null)
            .FirstOrDefault(c => c is not null);
    }

    /// <summary>Where this run's build is recorded: the environment's record, or apart for a preview.</summary>
    public static string BuildRecordKey(BuildContext context, DeployTarget target) =>
        context.Parameters.Preview ? CloudBuildSubmission.PreviewRecordKey(target.Environment) : target.Environment;

    public static ReleaseStore Store(BuildContext context) => new(Path.Combine(context.Paths.State, "deploy"));

    /// <summary>One workflow per run: its account check runs once for every service and job.</summary>
    public static DeployWorkflow Workflow(BuildContext context) => new(
        context.Gcloud,
        Store(context),
        context.Log,
        context.Secrets,
        ExternalCredentials(context));

    /// <summary>The variable that gives gcloud credentials its account list does not show, when one is set.</summary>
    public static string? ExternalCredentials(BuildContext context) =>
        CloudRunClient.CredentialVariables.FirstOrDefault(v => !string.IsNullOrEmpty(context.ProcessEnvironment.GetValueOrDefault(v)));

    /// <summary>A real run prints its plan first, as a dry run would.</summary>
    public static void Print(BuildContext context, ITaskPlan plan)
    {
        foreach (var line in plan.Render())
        {
            context.Log.Information(line);
        }
    }
}

/// <summary>Promote's, Rollback's or PreviewCleanup's plan, made from config and the release records: each service's steps.</summary>
public sealed record DeployStepsPlan(IReadOnlyList<(DeployTarget Target, DeployPlan Plan)> Services) : ITaskPlan
{
    public IEnumerable<string> Render() => Services.SelectMany(s => s.Plan.Render());
}
