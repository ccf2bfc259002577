using Build.Configuration;
using Build.Host;
using Build.Ops;
using Cake.Core.Diagnostics;

namespace Build.Tasks.Ops;

[TaskName(nameof(CreateEnv))]
[TaskDescription("Writes .env from .env.example with a generated development password for each placeholder; never overwrites an existing .env")]
[SupportsDryRun]
public sealed class CreateEnvTask : FrostingTask<BuildContext>
{
    private const string CreateEnv = "CreateEnv";

    public override void Run(BuildContext context)
    {
        // Not a ShouldRun: the engine fails a run whose target it skips, and onboarding runs this as its target.
        if (File.Exists(context.Paths.DotEnv))
        {
            context.Log.Information("Skipped: .env exists (it is never overwritten; Doctor checks it against .env.example)");
            return;
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
        if (context.IsDryRun)
        {
            context.Log.Information($"would write .env from .env.example, generating {created.DescribeGenerated()}");
            return;
        }

        EnvFileWriter.Write(context.Paths.DotEnv, created.Text);
        context.Log.Information($"Wrote .env from .env.example, generating {created.DescribeGenerated()}. It is ignored by git; keep it that way.");
    }
}
