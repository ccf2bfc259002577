using Build.Deploy;

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

    public static ReleaseStore Store(BuildContext context) => new(Path.Combine(context.Paths.State, "deploy"));

    public static DeployWorkflow Workflow(BuildContext context, DeployTarget target) => new(
        context.Gcloud,
        Store(context),
        context.Log,
        context.Secrets,
        context.IsDryRun);
}
