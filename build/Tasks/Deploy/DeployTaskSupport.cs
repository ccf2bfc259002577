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

    /// <summary>
    /// The image that passed <paramref name="source"/>: its last Deploy (or Promote) finished with all traffic on it.
    /// Read from the local release record, the same in a dry run and a real one.
    /// </summary>
    public static string PassedImage(BuildContext context, DeployTarget target, string source)
    {
        var store = Store(context);
        var record = store.Read(source);
        if (record is not { Status: "serving", DeployedImage: { } image })
        {
            var state = record is null ? "nothing is recorded" : $"its last release is {record.Status ?? "unknown"}";
            throw new DeployException(
                $"{target.Environment} deploys the image that passed {source} (promoteFrom), and {state} ({Path.GetRelativePath(context.Paths.App, store.PathOf(source))}): deploy to {source} first, or pass --image=<repository>/<name>@sha256:<digest>.", 2);
        }

        return ImageReference.RequireDigest(image, $"The image recorded for {source}");
    }

    /// <summary>The commit an image was built from, as the release records know it (null for an --image from elsewhere).</summary>
    public static string? CommitOf(BuildContext context, DeployTarget target, string image)
    {
        var store = Store(context);
        return new[] { target.Environment, target.Settings.PromoteFrom }
            .OfType<string>()
            .Select(store.Read)
            .Select(r => r is null ? null
                : string.Equals(r.BuiltImage, image, StringComparison.Ordinal) ? r.BuiltCommit
                : string.Equals(r.DeployedImage, image, StringComparison.Ordinal) ? r.DeployedCommit
                : null)
            .FirstOrDefault(c => c is not null);
    }

    public static ReleaseStore Store(BuildContext context) => new(Path.Combine(context.Paths.State, "deploy"));

    public static DeployWorkflow Workflow(BuildContext context, DeployTarget target) => new(
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

/// <summary>Promote's or Rollback's plan, made from config and the release record: the target and the steps.</summary>
public sealed record DeployStepsPlan(DeployTarget Target, DeployPlan Plan) : ITaskPlan
{
    public IEnumerable<string> Render() => Plan.Render();
}
