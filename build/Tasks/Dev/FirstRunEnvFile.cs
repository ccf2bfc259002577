using Build.Configuration;
using Build.Ops;
using Cake.Core.Diagnostics;

namespace Build.Tasks.Dev;

/// <summary>
/// A fresh clone has no <c>.env</c>, and the README's first command must still work: the tasks that create the dev
/// stack write it from <c>.env.example</c> with generated development passwords (as CreateEnv does), say so in one
/// line and go on, when a variable the stack requires is set nowhere. Never for a protected or non-local environment, whose secrets nobody should invent; never over
/// an existing file. A dry run writes nothing but goes on with the file it would write, so its plan is the real one.
/// </summary>
internal static class FirstRunEnvFile
{
    /// <summary>Once per run, while it is prepared (<see cref="Docker.CreatesStackAttribute"/>), before the stack's inputs are read.</summary>
    public static void EnsureFor(BuildContext context)
    {
        if (File.Exists(context.Paths.DotEnv) || !File.Exists(context.Paths.DotEnvExample))
        {
            return;
        }

        // Every required variable already in the kit's environment (CI, the kit's own tests): nothing is missing.
        var docker = context.Config.Docker;
        var required = docker.RequiredVariables.Concat(docker.Environment(context.EnvironmentName).Files
            .Select(f => Path.Combine(context.Paths.App, f)).Where(File.Exists).SelectMany(f => Docker.ComposeProject.RequiredVariablesIn(File.ReadAllText(f))));
        if (required.All(v => !string.IsNullOrEmpty(context.ProcessEnvironment.GetValueOrDefault(v))))
        {
            return;
        }

        // An environment config/project.json does not declare might be anything: only a declared local, unprotected one.
        if (!context.Config.Project.Environments.TryGetValue(context.EnvironmentName, out var environment) || environment.Protected || !environment.Local)
        {
            return;
        }

        var created = EnvFileWriter.FromExample(File.ReadAllText(context.Paths.DotEnvExample), context.Paths.DotEnvExample, EnvFileWriter.NewPassword);
        if (context.IsDryRun)
        {
            context.Log.Information($"No .env: would write it from .env.example, generating {created.DescribeGenerated()} (the plan below uses it).");
        }
        else
        {
            EnvFileWriter.Write(context.Paths.DotEnv, created.Text);
            context.Log.Information($"No .env: wrote it from .env.example, generating {created.DescribeGenerated()} (git ignores it; {Bootstrapper.Command} --target=Doctor checks it).");
        }

        context.UseDotEnv(DotEnvFile.Parse(created.Text, context.Paths.DotEnv));
    }
}
