using Build.Host;
using Cake.Core;
using Cake.Core.Diagnostics;

namespace Build;

/// <summary>Once per run, around all tasks.</summary>
public sealed class BuildLifetime : FrostingLifetime<BuildContext>
{
    public override void Setup(BuildContext context, ISetupContext info)
    {
        ArgumentNullException.ThrowIfNull(info);
        if (context.IsDryRun)
        {
            context.Log.Information($"Dry run of {info.TargetTask.Name}: the tasks in order and the commands they would run. Nothing is changed.");
        }
    }

    public override void Teardown(BuildContext context, ITeardownContext info)
    {
    }
}
