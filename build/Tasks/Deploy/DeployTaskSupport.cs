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

    public static ReleaseStore Store(BuildContext context) => new(Path.Combine(context.Paths.State, "deploy"));

    public static DeployWorkflow Workflow(BuildContext context, DeployTarget target) => new(
        context.Gcloud,
        Store(context),
        context.Log,
        context.Secrets);

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
