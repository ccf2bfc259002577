using Cake.Core;

namespace Build.Host;

// Typed lifetimes (and run guards) invoked by a host that is not generic over the context type.
internal sealed class LifetimeInvoker(object lifetime)
{
    public void Prepare(ICakeContext context, IReadOnlyList<TaskDescriptor> plan) =>
        Invoke(nameof(FrostingLifetime<ICakeContext>.Prepare), context, plan);

    public void Setup(ICakeContext context, ISetupContext info) =>
        Invoke(nameof(FrostingLifetime<ICakeContext>.Setup), context, info);

    public void Teardown(ICakeContext context, ITeardownContext info) =>
        Invoke(nameof(FrostingLifetime<ICakeContext>.Teardown), context, info);

    public void TaskSetup(ICakeContext context, ITaskSetupContext info) =>
        Invoke(nameof(FrostingTaskLifetime<ICakeContext>.Setup), context, info);

    public void TaskTeardown(ICakeContext context, ITaskTeardownContext info) =>
        Invoke(nameof(FrostingTaskLifetime<ICakeContext>.Teardown), context, info);

    public void Check(ICakeContext context, IReadOnlyList<TaskDescriptor> plan) =>
        Invoke(nameof(FrostingRunGuard<ICakeContext>.Check), context, plan);

    private void Invoke(string method, ICakeContext context, object info)
    {
        var target = lifetime.GetType().GetMethods().Single(m =>
            m.Name == method && m.GetParameters() is { Length: 2 } p && p[1].ParameterType.IsInstanceOfType(info));
        try
        {
            target.Invoke(lifetime, [context, info]);
        }
        catch (System.Reflection.TargetInvocationException e) when (e.InnerException is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e.InnerException).Throw();
        }
    }
}
