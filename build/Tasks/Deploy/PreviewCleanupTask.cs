using Build.Deploy;
using Build.Host;
using Build.Tools.Git;

namespace Build.Tasks.Deploy;

[TaskName(nameof(PreviewCleanup))]
[TaskDescription("Removes the preview tags of branches that no longer exist (git remote origin's branches, or --branches=a,b,pr-12) from every service of --env (or --service)")]
[ChangesEnvironment]
public sealed class PreviewCleanupTask : PlannedTask<BuildContext, PreviewCleanupRun>
{
    private const string PreviewCleanup = "PreviewCleanup";

    /// <summary>The remote whose branches are the live ones when no list is given.</summary>
    public const string Remote = "origin";

    /// <summary>The live branches are read here (git only), so the dry run shows what stays; the tags are read from Cloud Run at run time.</summary>
    public override async Task<PreviewCleanupRun> PlanAsync(BuildContext context)
    {
        var services = DeployTaskSupport.Services(context, PreviewCleanup);
        var all = DeployTaskSupport.Targets(context, only: null).Where(t => t.Kind == Configuration.DeployUnitKind.Service).Select(t => t.Settings.Service);
        var given = context.Parameters.Branches is { } list;
        IReadOnlyList<string> branches = given
            ? context.Parameters.Branches!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            : await RemoteBranchesAsync(context).ConfigureAwait(false);
        var keep = PreviewTag.TagsOf(branches, PreviewTag.MaxLength(all));
        var kept = (keep.Count == 0 ? "no branch" : string.Join(", ", keep.Order(StringComparer.Ordinal)))
            + (given ? " (--branches)" : $" (the branches of git remote {Remote}; pr-<n> tags are kept: pass --branches with the open pull requests to judge them)");
        return new PreviewCleanupRun(services.Select(t => (t, DeployPlanner.PreviewCleanup(t, null, kept))).ToArray(), keep, given, kept);
    }

    public override async Task RunAsync(BuildContext context, PreviewCleanupRun plan)
    {
        DeployTaskSupport.Print(context, plan);
        var workflow = DeployTaskSupport.Workflow(context);
        foreach (var (target, _) in plan.Services)
        {
            await workflow.PreviewCleanupAsync(target, plan.Keep, plan.JudgePullRequests, plan.Kept).ConfigureAwait(false);
        }
    }

    private static async Task<IReadOnlyList<string>> RemoteBranchesAsync(BuildContext context)
    {
        try
        {
            return await context.Git.RemoteBranchesAsync(new GitSettings { WorkingDirectory = context.Paths.App }, Remote).ConfigureAwait(false);
        }
        catch (Build.Tools.ToolFailedException failure)
        {
            throw new DeployException($"The branches of git remote {Remote} could not be read ({failure.ErrorTail.FirstOrDefault() ?? failure.Message}): pass the branches that still exist with --branches=<a,b,pr-12>.", 2);
        }
    }
}

/// <summary>PreviewCleanup's plan: each service's steps, and the tags that stay.</summary>
public sealed record PreviewCleanupRun(IReadOnlyList<(DeployTarget Target, DeployPlan Plan)> Services, IReadOnlySet<string> Keep, bool JudgePullRequests, string Kept) : ITaskPlan
{
    public IEnumerable<string> Render() => Services.SelectMany(s => s.Plan.Render());
}
