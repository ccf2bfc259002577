using Build.Ci;
using Build.Docker;
using Build.Host;
using Build.Tasks.Core;
using Cake.Core;
using Cake.Core.Diagnostics;

namespace Build;

/// <summary>Once per run, around all tasks.</summary>
public sealed class BuildLifetime(TaskTimings timings) : FrostingLifetime<BuildContext>
{
    private string target = "?";

    /// <summary>
    /// The run's inputs, checked before the engine starts: every configuration file there is, the environment, a
    /// given <c>--project-name</c>, and the compose stack when a task drives it. Bad input is one line, exit 2.
    /// </summary>
    public override void Prepare(BuildContext context, IReadOnlyList<TaskDescriptor> plan)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(plan);

        // The task list shows whatever the configuration holds: it is where a newcomer starts.
        if (plan.All(t => t.Type == typeof(DefaultTask)))
        {
            return;
        }

        context.Config.LoadPresent();
        context.Clock.Mark("configuration read and validated");
        var environments = context.Config.Project.Environments.Keys;
        if (!environments.Contains(context.EnvironmentName))
        {
            throw new UsageException(
                $"Unknown environment '{context.EnvironmentName}'.{Suggestions.DidYouMean(context.EnvironmentName, environments)} Give --env one of {string.Join(", ", environments)} (config/project.json).");
        }

        if (context.Parameters.ProjectName is { } projectName)
        {
            ComposeProject.CheckName(projectName);
        }

        // A fresh clone's .env (the README's first command is DevUp), before the stack's inputs are read from it.
        if (plan.Any(t => t.Type.IsDefined(typeof(CreatesStackAttribute), inherit: false)))
        {
            Tasks.Dev.FirstRunEnvFile.EnsureFor(context);
        }

        bool Any<TAttribute>() where TAttribute : Attribute => plan.Any(t => t.Type.IsDefined(typeof(TAttribute), inherit: false));
        var usesStack = Any<UsesComposeStackAttribute>();
        var usesDatabase = Any<Database.UsesDatabaseAttribute>() && context.Parameters.Connection is null;
        // An app without a database (no config/database.json): a database task as the target is an error; as a
        // dependency (DevUp's Migrate and Seed) it is skipped and says why (MigrateTask.ShouldRun).
        if (usesDatabase && !context.Config.HasDatabase && plan[^1].Type.IsDefined(typeof(Database.UsesDatabaseAttribute), inherit: false))
        {
            throw new UsageException(
                $"{plan[^1].Name} works on a database, and this app has none: {context.Paths.Relative(Path.Combine(context.Paths.App, "config", "database.json"))} is missing. Add one (samples/python/config/database.json shows the keys), or pass --connection=\"<Npgsql connection string>\".");
        }

        context.Config.RequireSections(
            context.EnvironmentName,
            compose: usesStack,
            database: usesDatabase && context.Config.HasDatabase,
            deploy: Any<ChangesEnvironmentAttribute>());
        var run = context.ResolveRun();
        if (usesStack)
        {
            run.CheckStackInputs();
            context.Clock.Mark("stack inputs read (compose files, variables, ports)");
        }

        // DevUp as the target may find the stack up to date and skip its dependencies (a dry run only shows the plan).
        if (!context.IsDryRun && plan[^1].Type == typeof(Tasks.Dev.DevUpTask))
        {
            run.CheckUpToDateForDevUp();
        }
    }

    public override void Setup(BuildContext context, ISetupContext info)
    {
        ArgumentNullException.ThrowIfNull(info);
        target = info.TargetTask.Name;
        if (context.IsDryRun)
        {
            context.Log.Information($"Dry run of {info.TargetTask.Name}: the tasks in order and the commands they would run. Nothing is changed.");
        }
    }

    public override void Teardown(BuildContext context, ITeardownContext info)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(info);
        if (context.IsGitHubActions && context.ProcessEnvironment.GetValueOrDefault("GITHUB_STEP_SUMMARY") is { Length: > 0 } summary)
        {
            File.AppendAllText(summary, timings.ToMarkdown(target));
        }
    }
}
