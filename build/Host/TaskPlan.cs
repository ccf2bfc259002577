using Cake.Core;

namespace Build.Host;

/// <summary>
/// What a task will do, as data: the lines <c>--dryrun</c> prints are rendered from the same record the task then runs,
/// so what is printed is what runs. A value known only when a step runs is written in angle brackets
/// (<c>&lt;pending migrations, read at run time&gt;</c>).
/// </summary>
public interface ITaskPlan
{
    IEnumerable<string> Render();
}

/// <summary>A task whose body is a plan: the host asks for the plan alone in a dry run.</summary>
public interface IPlannedTask
{
    Task<ITaskPlan> PlanAsync(ICakeContext context);
}

/// <summary>
/// A task that changes state: it first computes its plan (<see cref="PlanAsync"/>: from config, files and local tools,
/// with no engine, database or cloud needed), then runs it. <c>--dryrun</c> prints the plan and runs nothing; there is
/// no other dry-run path.
/// </summary>
public abstract class PlannedTask<TContext, TPlan> : AsyncFrostingTask<TContext>, IPlannedTask
    where TContext : ICakeContext
    where TPlan : ITaskPlan
{
    /// <summary>The plan; changes nothing. A check that can refuse may throw here, so it refuses in a dry run too.</summary>
    public abstract Task<TPlan> PlanAsync(TContext context);

    /// <summary>Runs <paramref name="plan"/> (made by <see cref="PlanAsync"/> in this run).</summary>
    public abstract Task RunAsync(TContext context, TPlan plan);

    public sealed override async Task RunAsync(TContext context) =>
        await RunAsync(context, await PlanAsync(context).ConfigureAwait(false)).ConfigureAwait(false);

    async Task<ITaskPlan> IPlannedTask.PlanAsync(ICakeContext context) => await PlanAsync((TContext)context).ConfigureAwait(false);
}

/// <summary>Numbered steps under a title, then notes: the one text layout of the kit's plans.</summary>
public static class PlanText
{
    /// <summary><paramref name="steps"/>: each step's first line, then its detail lines.</summary>
    public static IEnumerable<string> Render(string title, IEnumerable<IReadOnlyList<string>> steps, IEnumerable<string> notes)
    {
        ArgumentNullException.ThrowIfNull(steps);
        ArgumentNullException.ThrowIfNull(notes);
        yield return title;
        var number = 0;
        foreach (var lines in steps)
        {
            yield return $"   {++number,2}. {lines[0]}";
            foreach (var line in lines.Skip(1))
            {
                yield return "       " + line;
            }
        }

        foreach (var note in notes)
        {
            yield return "   note: " + note;
        }
    }
}
