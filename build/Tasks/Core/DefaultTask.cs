using Build.Host;
using Cake.Core;

namespace Build.Tasks.Core;

[TaskName(nameof(Default))]
[TaskDescription("Lists every task with its description and an example")]
[ReadsOnly]
public sealed class DefaultTask(TaskCatalog catalog, IConsole console) : FrostingTask<BuildContext>
{
    private const string Default = "Default";

    public override void Run(BuildContext context) => console.Write(Listing(catalog));

    /// <summary>The listing: every task but this one with its description, and examples. The host prints it alone for a bare run.</summary>
    public static string Listing(TaskCatalog catalog)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        var tasks = catalog.Tasks.Where(t => t.Name != Default).OrderBy(t => t.Name, StringComparer.Ordinal).ToArray();
        var width = tasks.Max(t => t.Name.Length);
        var text = new System.Text.StringBuilder();
        text.AppendLine($"Tasks (run one with {Bootstrapper.Command} --target=<Task>):");
        foreach (var task in tasks)
        {
            text.AppendLine($"  {task.Name.PadRight(width)}  {task.Description}");
        }

        text.AppendLine()
            .AppendLine("Examples:")
            .AppendLine($"  {Bootstrapper.Command} --target=DevUp                 start the stack and wait until it is healthy")
            .AppendLine($"  {Bootstrapper.Command} --target=Test                  run every test project")
            .AppendLine($"  {Bootstrapper.Command} --target=Backup --dryrun       show the plan without running it")
            .AppendLine($"  {Bootstrapper.Command} --help                         the options");
        return text.ToString();
    }
}
