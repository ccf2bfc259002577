using Cake.Core;

namespace Build.Host;

/// <summary>What the host needs from any task, synchronous or not.</summary>
public interface IFrostingTask
{
    Task RunAsync(ICakeContext context);

    bool ShouldRun(ICakeContext context);

    void OnError(Exception exception, ICakeContext context);

    void Finally(ICakeContext context);

    /// <summary>
    /// Before the run starts (after the lifetime's Prepare, before the engine prints anything), for every task of the
    /// run: refuses bad input with a usage error or a refusal, one line; changes nothing.
    /// </summary>
    void CheckInputs(ICakeContext context);
}

/// <summary>A task with a synchronous body.</summary>
public abstract class FrostingTask<TContext> : IFrostingTask
    where TContext : ICakeContext
{
    public virtual void Run(TContext context)
    {
    }

    public virtual bool ShouldRun(TContext context) => true;

    /// <summary>Refuses bad input before the run starts (see <see cref="IFrostingTask.CheckInputs"/>); changes nothing.</summary>
    public virtual void CheckInputs(TContext context)
    {
    }

    /// <summary>Called when <c>Run</c> throws. The host rethrows afterwards, so the run still fails.</summary>
    public virtual void OnError(Exception exception, TContext context)
    {
    }

    public virtual void Finally(TContext context)
    {
    }

    Task IFrostingTask.RunAsync(ICakeContext context)
    {
        Run((TContext)context);
        return Task.CompletedTask;
    }

    bool IFrostingTask.ShouldRun(ICakeContext context) => ShouldRun((TContext)context);

    void IFrostingTask.OnError(Exception exception, ICakeContext context) => OnError(exception, (TContext)context);

    void IFrostingTask.Finally(ICakeContext context) => Finally((TContext)context);

    void IFrostingTask.CheckInputs(ICakeContext context) => CheckInputs((TContext)context);
}

/// <summary>A task with an asynchronous body.</summary>
public abstract class AsyncFrostingTask<TContext> : IFrostingTask
    where TContext : ICakeContext
{
    public virtual Task RunAsync(TContext context) => Task.CompletedTask;

    public virtual bool ShouldRun(TContext context) => true;

    /// <summary>Refuses bad input before the run starts (see <see cref="IFrostingTask.CheckInputs"/>); changes nothing.</summary>
    public virtual void CheckInputs(TContext context)
    {
    }

    /// <summary>Called when <c>RunAsync</c> throws. The host rethrows afterwards, so the run still fails.</summary>
    public virtual void OnError(Exception exception, TContext context)
    {
    }

    public virtual void Finally(TContext context)
    {
    }

    Task IFrostingTask.RunAsync(ICakeContext context) => RunAsync((TContext)context);

    bool IFrostingTask.ShouldRun(ICakeContext context) => ShouldRun((TContext)context);

    void IFrostingTask.OnError(Exception exception, ICakeContext context) => OnError(exception, (TContext)context);

    void IFrostingTask.Finally(ICakeContext context) => Finally((TContext)context);

    void IFrostingTask.CheckInputs(ICakeContext context) => CheckInputs((TContext)context);
}
