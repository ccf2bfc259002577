using Build.Docs;
using Build.Host;
using Cake.Core.Diagnostics;

namespace Build.Tasks.Core;

[TaskName(nameof(UpdateReadme))]
[TaskDescription("Regenerates the task table in README.md from the tasks' descriptions")]
public sealed class UpdateReadmeTask(TaskCatalog catalog) : FrostingTask<BuildContext>
{
    private const string UpdateReadme = "UpdateReadme";

    public override void Run(BuildContext context)
    {
        var path = Path.Combine(context.Paths.Kit, "README.md");
        var readme = File.ReadAllText(path);
        var updated = TaskTable.Replace(readme, TaskTable.Render(catalog));
        if (updated == readme)
        {
            context.Log.Information("README.md task table is up to date.");
            return;
        }

        File.WriteAllText(path, updated);
        context.Log.Information("README.md task table updated.");
    }
}
