using Cake.Core;

namespace Build.Host;

/// <summary>
/// Not part of Frosting: checks the run's whole plan (the tasks the engine will run, in its order) once, before the
/// engine starts: before the lifetime's Setup and before any task, so nothing of the run has happened yet. A refusal is
/// an exception; the host ends the run with its exit code and its one line, without the engine's banners or report.
/// Tasks say what a guard should look at by attributes (<see cref="ChangesEnvironmentAttribute"/>).
/// </summary>
public abstract class FrostingRunGuard<TContext>
    where TContext : ICakeContext
{
    public abstract void Check(TContext context, IReadOnlyList<TaskDescriptor> plan);
}
