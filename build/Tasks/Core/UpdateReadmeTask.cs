using Build.Docs;
using Build.Host;
using Build.Tools;
using Cake.Core.Diagnostics;

namespace Build.Tasks.Core;

[TaskName(nameof(UpdateReadme))]
[TaskDescription("Regenerates the task table in README.md from the tasks' descriptions")]
public sealed class UpdateReadmeTask(TaskCatalog catalog) : PlannedTask<BuildContext, StepPlan>
{
    private const string UpdateReadme = "UpdateReadme";

    public override Task<StepPlan> PlanAsync(BuildContext context)
    {
        var path = Path.Combine(context.Paths.Kit, "README.md");
        var readme = File.ReadAllText(path);
        var updated = TaskTable.Replace(readme, TaskTable.Render(catalog));
        return Task.FromResult(updated == readme
            ? new StepPlan("README.md task table is up to date.", [])
            : new StepPlan("Update README.md:", [new("write the task table from the tasks' descriptions", _ => File.WriteAllTextAsync(path, updated))]));
    }

    public override async Task RunAsync(BuildContext context, StepPlan plan)
    {
        await plan.RunAsync().ConfigureAwait(false);
        context.Log.Information(plan.Steps.Count == 0 ? plan.Title : "README.md task table updated.");
    }
}
