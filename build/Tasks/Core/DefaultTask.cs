using Build.Host;
using Cake.Core;

namespace Build.Tasks.Core;

[TaskName(nameof(Default))]
[TaskDescription("Lists every task with its description and an example")]
[ReadsOnly]
public sealed class DefaultTask(TaskCatalog catalog, IConsole console) : FrostingTask<BuildContext>
{
    private const string Default = "Default";

    public override void Run(BuildContext context)
    {
        var tasks = catalog.Tasks.Where(t => t.Name != Default).OrderBy(t => t.Name, StringComparer.Ordinal).ToArray();
        var width = tasks.Max(t => t.Name.Length);
        console.WriteLine("Tasks (run one with ./build.sh --target=<Task>):");
        foreach (var task in tasks)
        {
            console.WriteLine($"  {task.Name.PadRight(width)}  {task.Description}");
        }

        console.WriteLine(string.Empty);
        console.WriteLine("Examples:");
        console.WriteLine("  ./build.sh --target=DevUp                 start the stack and wait until it is healthy");
        console.WriteLine("  ./build.sh --target=Test                  run every test project");
        console.WriteLine("  ./build.sh --target=Backup --dryrun       show the plan without running it");
        console.WriteLine("  ./build.sh --help                         the options");
    }
}
