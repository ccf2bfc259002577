using Cake.Core;

namespace Build.Host;

/// <summary>Runs once before the first task and once after the last, whatever happened in between.</summary>
public abstract class FrostingLifetime<TContext>
    where TContext : ICakeContext
{
    /// <summary>
    /// Not in Frosting: runs before the engine starts, so before its first banner, with the tasks about to run in
    /// order. The place to resolve and check the run's inputs: what it throws ends the run as one line.
    /// </summary>
    public virtual void Prepare(TContext context, IReadOnlyList<TaskDescriptor> plan)
    {
    }

    public abstract void Setup(TContext context, ISetupContext info);

    public abstract void Teardown(TContext context, ITeardownContext info);
}

/// <summary>Runs around every task.</summary>
public abstract class FrostingTaskLifetime<TContext>
    where TContext : ICakeContext
{
    public abstract void Setup(TContext context, ITaskSetupContext info);

    public abstract void Teardown(TContext context, ITaskTeardownContext info);
}
