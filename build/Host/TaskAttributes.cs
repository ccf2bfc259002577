namespace Build.Host;

// The attributes mirror Cake.Frosting's names so that moving to the package is a change of `using`.

/// <summary>The name a task is invoked by (<c>--target=Name</c>).</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
public sealed class TaskNameAttribute(string name) : Attribute
{
    public string Name { get; } = name;
}

/// <summary>One sentence shown by the Default target, <c>--description</c> and the README's task table. Required.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
public sealed class TaskDescriptionAttribute(string description) : Attribute
{
    public string Description { get; } = description;
}

/// <summary>The task runs after <paramref name="task"/>.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class IsDependentOnAttribute(Type task) : Attribute
{
    public Type Task { get; } = task;
}

/// <summary>The task runs before <paramref name="task"/> whenever that task runs.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class IsDependeeOfAttribute(Type task) : Attribute
{
    public Type Task { get; } = task;
}

/// <summary>A failure of this task is reported but does not stop the run.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
public sealed class ContinueOnErrorAttribute : Attribute;

/// <summary>
/// Not part of Frosting: the task reads and reports (a status table, logs, a health check) and changes nothing, so a
/// dry run lists it and does not enter it. Every other task with a body is a <see cref="PlannedTask{TContext, TPlan}"/>:
/// the catalog refuses a task that is neither.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
public sealed class ReadsOnlyAttribute : Attribute;

/// <summary>
/// Not part of Frosting: the task changes the environment the run targets (<c>--env</c>): its cloud project, images,
/// traffic or data. Declaring it is how a task gets the protected-environment guard: the application's lifetime reads
/// the engine's plan before the first task (<see cref="TaskCatalog.Plan"/>) and asks for consent once for the whole
/// run, so a dependency can never act on a protected environment before the target's consent was given.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
public sealed class ChangesEnvironmentAttribute(OnProtected onProtected = OnProtected.Confirm) : Attribute
{
    public OnProtected OnProtected { get; } = onProtected;
}

/// <summary>What a task that changes the environment needs when that environment is protected.</summary>
public enum OnProtected
{
    /// <summary>A typed confirmation naming the environment (or the configured CI approval).</summary>
    Confirm,

    /// <summary>Never runs against it, confirmed or not (destructive tasks such as a database reset).</summary>
    Refuse,
}
