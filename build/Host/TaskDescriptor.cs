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
    DryRunKind DryRun,
    OnProtected? ChangesEnvironment = null)
{
    /// <summary>The task overrides <c>OnError</c>: read from its class, so the host need not make the task to know it.</summary>
    public bool HandlesErrors => TaskReflection.Overrides(Type, "OnError");

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
            DryRunKindOf(type),
            type.GetCustomAttribute<ChangesEnvironmentAttribute>()?.OnProtected);
    }

    /// <summary>What a dry run does with a task of <paramref name="type"/>; a task that is none of the kinds is refused.</summary>
    private static DryRunKind DryRunKindOf(Type type)
    {
        if (typeof(IPlannedTask).IsAssignableFrom(type))
        {
            return DryRunKind.Plan;
        }

        if (type.GetCustomAttribute<ReadsOnlyAttribute>() is not null)
        {
            return DryRunKind.ReadsOnly;
        }

        if (!TaskReflection.Overrides(type, "Run") && !TaskReflection.Overrides(type, "RunAsync"))
        {
            return DryRunKind.NoBody;
        }

        throw new InvalidOperationException(
            $"Task {type.FullName} has a body but no plan: derive it from PlannedTask (its plan is what --dryrun prints), or mark it [ReadsOnly] if it changes nothing.");
    }

    private static string DefaultName(Type type) =>
        type.Name.EndsWith("Task", StringComparison.Ordinal) ? type.Name[..^4] : type.Name;
}

/// <summary>What <c>--dryrun</c> does with a task.</summary>
public enum DryRunKind
{
    /// <summary>Prints the task's plan (<see cref="IPlannedTask"/>).</summary>
    Plan,

    /// <summary>Lists the task: it changes nothing (<see cref="ReadsOnlyAttribute"/>).</summary>
    ReadsOnly,

    /// <summary>Lists the task: it only groups its dependencies.</summary>
    NoBody,
}
