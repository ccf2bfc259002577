using Build.Database;
using Build.Host;
using Cake.Core.Diagnostics;

namespace Build.Tasks.Database;

[TaskName(nameof(Migrate))]
[UsesDatabase]
[TaskDescription("Applies pending migrations (scripts/db/migrations/NNNN_*.sql) in order, each in its own transaction")]
[SupportsDryRun]
public sealed class MigrateTask : AsyncFrostingTask<BuildContext>
{
    private const string Migrate = "Migrate";

    /// <summary>The database is resolved before the run starts: a missing connection variable or password is one line.</summary>
    public override void CheckInputs(BuildContext context) => _ = context.Run.Database;

    public override async Task RunAsync(BuildContext context)
    {
        var workspace = context.Run.Database;
        var migrations = workspace.LoadMigrations();
        var (opened, problem) = workspace.IsDryRun
            ? await DatabaseConnector.TryOpenAsync(workspace.Target).ConfigureAwait(false)
            : (await DatabaseConnector.OpenAsync(workspace.Target).ConfigureAwait(false), null);
        if (opened is null)
        {
            // A dry run needs no database (DevUp's would start it first): the plan says what it reads at run time.
            context.Log.Information($"Would apply <pending migrations, read at run time> of the {migrations.Count} in {workspace.Relative(workspace.MigrationsFolder)} to {workspace.Target.Describe()} (now: {problem})");
            return;
        }

        await using var connection = opened;
        var result = await workspace.Migrations.MigrateAsync(connection, migrations, workspace.IsDryRun).ConfigureAwait(false);
        if (workspace.IsDryRun)
        {
            context.Log.Information(result.Pending.Count == 0
                ? $"{workspace.Target.Describe()} is up to date (version {result.CurrentVersion:D4})."
                : $"Would apply {result.Pending.Count} migration(s) to {workspace.Target.Describe()}: {string.Join(", ", result.Pending.Select(m => m.RelativePath))}");
            return;
        }

        context.Log.Information(result.Applied.Count == 0
            ? $"{workspace.Target.Describe()} is up to date (version {result.CurrentVersion:D4}, {migrations.Count} migration(s))."
            : $"Applied {result.Applied.Count} migration(s) to {workspace.Target.Describe()}; now at version {result.CurrentVersion:D4}.");
    }
}
