using System.Security.Cryptography;
using Build.Configuration;
using Build.Host;
using Build.Ops.Doctor;
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

        var exampleText = File.ReadAllText(context.Paths.DotEnvExample);
        var generated = EnvFileCheck.GeneratedKeys(DotEnvFile.Parse(exampleText, context.Paths.DotEnvExample));
        if (context.IsDryRun)
        {
            context.Log.Information($"would write .env from .env.example, generating {Describe(generated)}");
            return;
        }

        var text = EnvFileCheck.Generate(exampleText, generated.ToHashSet(StringComparer.Ordinal), _ =>
        {
            var value = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
            context.Secrets.Add(value);
            return value;
        });

        // Written beside, then moved: an interrupted run never leaves half a .env that would then be "never overwritten".
        var temporary = context.Paths.DotEnv + ".tmp";
        File.WriteAllText(temporary, text);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(temporary, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        File.Move(temporary, context.Paths.DotEnv, overwrite: false);
        context.Log.Information($"Wrote .env from .env.example, generating {Describe(generated)}. It is ignored by git; keep it that way.");
    }

    private static string Describe(IReadOnlyList<string> keys) => keys.Count == 0 ? "no passwords (none are placeholders)" : string.Join(", ", keys);
}
