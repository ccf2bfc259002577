namespace Build.Host;

/// <summary>Every task class of an assembly, validated: unique names, a description each, dependencies that are tasks.</summary>
public sealed class TaskCatalog
{
    private readonly Dictionary<Type, TaskDescriptor> byType;

    public TaskCatalog(IEnumerable<Type> taskTypes)
    {
        byType = taskTypes.Select(TaskDescriptor.From).ToDictionary(d => d.Type);
        var duplicate = byType.Values.GroupBy(d => d.Name, StringComparer.OrdinalIgnoreCase).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw new InvalidOperationException($"Two tasks are named '{duplicate.Key}': {string.Join(", ", duplicate.Select(d => d.Type.Name))}.");
        }

        foreach (var task in byType.Values)
        {
            foreach (var dependency in task.DependsOn.Concat(task.DependeeOf))
            {
                if (!byType.ContainsKey(dependency))
                {
                    throw new InvalidOperationException($"Task {task.Type.Name} refers to {dependency.Name}, which is not a task.");
                }
            }
        }
    }

    public IReadOnlyCollection<TaskDescriptor> Tasks => byType.Values;

    public TaskDescriptor this[Type type] => byType[type];

    public TaskDescriptor? Find(string name) => byType.Values.FirstOrDefault(d => d.Name == name);

    /// <summary>The descriptors of the tasks the engine is about to run (a lifetime's <c>TasksToExecute</c>), in its order.</summary>
    public IReadOnlyList<TaskDescriptor> Plan(IEnumerable<string> taskNames)
    {
        ArgumentNullException.ThrowIfNull(taskNames);
        return taskNames.Select(name => Find(name) ?? throw new InvalidOperationException($"The engine plans '{name}', which is not in the catalog.")).ToArray();
    }
}
