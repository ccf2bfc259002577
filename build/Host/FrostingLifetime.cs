using Cake.Core;

namespace Build.Host;

/// <summary>Runs once before the first task and once after the last, whatever happened in between.</summary>
public abstract class FrostingLifetime<TContext>
    where TContext : ICakeContext
{
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
