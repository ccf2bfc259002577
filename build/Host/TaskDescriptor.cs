using System.Reflection;

namespace Build.Host;

/// <summary>What the attributes of one task class say, read once.</summary>
public sealed record TaskDescriptor(
    Type Type,
    string Name,
    string Description,
    IReadOnlyList<Type> DependsOn,
    IReadOnlyList<Type> DependeeOf,
    bool ContinueOnError,
    bool SupportsDryRun,
    OnProtected? ChangesEnvironment = null)
{
    public static TaskDescriptor From(Type type)
    {
        var name = type.GetCustomAttribute<TaskNameAttribute>()?.Name ?? DefaultName(type);
        var description = type.GetCustomAttribute<TaskDescriptionAttribute>()?.Description;
        if (string.IsNullOrWhiteSpace(description))
        {
            throw new InvalidOperationException($"Task {type.FullName} has no [TaskDescription]: every task must say what it does.");
        }

        return new TaskDescriptor(
            type,
            name,
            description,
            type.GetCustomAttributes<IsDependentOnAttribute>().Select(a => a.Task).ToArray(),
            type.GetCustomAttributes<IsDependeeOfAttribute>().Select(a => a.Task).ToArray(),
            type.GetCustomAttribute<ContinueOnErrorAttribute>() is not null,
            type.GetCustomAttribute<SupportsDryRunAttribute>() is not null,
            type.GetCustomAttribute<ChangesEnvironmentAttribute>()?.OnProtected);
    }

    private static string DefaultName(Type type) =>
        type.Name.EndsWith("Task", StringComparison.Ordinal) ? type.Name[..^4] : type.Name;
}
