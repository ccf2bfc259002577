using Build.Configuration;
using Build.Host;
using Build.Ops;
using Build.Tools;
using Cake.Core.Diagnostics;

namespace Build.Tasks.Ops;

[TaskName(nameof(CreateEnv))]
[TaskDescription("Writes .env from .env.example with a generated development password for each placeholder; never overwrites an existing .env")]
public sealed class CreateEnvTask : PlannedTask<BuildContext, StepPlan>
{
    private const string CreateEnv = "CreateEnv";

    /// <summary>The file's text is made here, passwords included (masked), so the run writes exactly what was planned.</summary>
    public override Task<StepPlan> PlanAsync(BuildContext context)
    {
        // Not a ShouldRun: the engine fails a run whose target it skips, and onboarding runs this as its target.
        if (File.Exists(context.Paths.DotEnv))
        {
            return Task.FromResult(new StepPlan("Skipped: .env exists (it is never overwritten; Doctor checks it against .env.example)", []));
        }

        if (!File.Exists(context.Paths.DotEnvExample))
        {
            throw new ConfigurationException($"{context.Paths.Relative(context.Paths.DotEnvExample)} is missing: it is the template of .env.");
        }

        var created = EnvFileWriter.FromExample(File.ReadAllText(context.Paths.DotEnvExample), context.Paths.DotEnvExample, () =>
        {
            var value = EnvFileWriter.NewPassword();
            context.Secrets.Add(value);
            return value;
        });
        return Task.FromResult(new StepPlan("Create .env:",
        [
            new($"write .env from .env.example, generating {created.DescribeGenerated()}", _ =>
            {
                EnvFileWriter.Write(context.Paths.DotEnv, created.Text);
                return Task.CompletedTask;
            }),
        ]));
    }

    public override async Task RunAsync(BuildContext context, StepPlan plan)
    {
        await plan.RunAsync().ConfigureAwait(false);
        context.Log.Information(plan.Steps.Count == 0
            ? plan.Title
            : $"Wrote .env{plan.Steps[0].Text["write .env".Length..]}. It is ignored by git; keep it that way.");
    }
}
