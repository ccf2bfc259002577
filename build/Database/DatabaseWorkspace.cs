using Build.Configuration;
using Build.Docker;
using Build.Tools;
using Build.Tools.Compose;
using Build.Tools.Postgres;
using Cake.Core.Diagnostics;

namespace Build.Database;

/// <summary>
/// What every database task starts from, read once from the context: the target, the configuration, the folders,
/// and where pg_dump/pg_restore run. Keeps the tasks thin and the services free of the context.
/// </summary>
public sealed class DatabaseWorkspace
{
    private readonly Func<Task<(ComposeVersion Version, ComposeSettings Settings)>> composeProject;

    public DatabaseWorkspace(
        DatabaseTarget target,
        DatabaseConfig config,
        string root,
        ICommandRunner runner,
        ICakeLog log,
        bool isDryRun,
        Func<Task<(ComposeVersion Version, ComposeSettings Settings)>> composeProject)
    {
        Target = target;
        Config = config;
        Root = root;
        Runner = runner;
        Log = log;
        IsDryRun = isDryRun;
        this.composeProject = composeProject;
    }

    public DatabaseTarget Target { get; }

    public DatabaseConfig Config { get; }

    public string Root { get; }

    public ICommandRunner Runner { get; }

    public ICakeLog Log { get; }

    public bool IsDryRun { get; }

    public static DatabaseWorkspace FromContext(BuildContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var config = context.Config.Database;
        var target = DatabaseTargetResolver.Resolve(
            context.EnvironmentName,
            context.Parameters.Connection,
            config,
            context.Config.Project,
            context.Variable,
            context.Parameters.PortOffset,
            context.Secrets,
            context.IsDryRun);
        return new DatabaseWorkspace(target, config, context.Paths.Root, context.Runner, context.Log, context.IsDryRun, () => ComposeProjectAsync(context));
    }

    /// <summary>
    /// The compose stack of this checkout (project name, files, variables), as the dev-environment tasks resolve it:
    /// pg_dump, pg_restore and psql then run inside its database container.
    /// </summary>
    public static async Task<(ComposeVersion Version, ComposeSettings Settings)> ComposeProjectAsync(BuildContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var project = await ComposeProject.ResolveAsync(context).ConfigureAwait(false);
        return (project.Version, project.Settings);
    }

    public string MigrationsFolder => Path.GetFullPath(Config.Migrations, Root);

    public IReadOnlyList<MigrationFile> LoadMigrations() => MigrationFile.Load(MigrationsFolder, Root);

    public MigrationRunner Migrations => new(Config.History, Log);

    public Seeder Seeder => new(Config.Seed, Root, Log);

    public SnapshotService Snapshots => new(Target, Config.MaintenanceDatabase, Log);

    /// <summary>Inside the compose service's container when the environment's database is one (and --connection was not given); else the host's clients.</summary>
    public async Task<IPostgresClientHost> ClientHostAsync()
    {
        if (Target.ComposeService is { } service)
        {
            var (version, settings) = await composeProject().ConfigureAwait(false);
            return new ComposeClientHost(Runner, version, settings, service, Target.Username, Target.Password);
        }

        return new LocalClientHost(Runner, Target.ToClientConnection());
    }

    public async Task<BackupService> BackupsAsync() => new(Target, await ClientHostAsync().ConfigureAwait(false), Config.Backup, Root, Log);

    /// <summary>The backups folder of this environment, without needing a client.</summary>
    public BackupStore Store => new(Path.Combine(Path.GetFullPath(Config.Backup.Folder, Root), Target.EnvironmentName));

    /// <summary>
    /// Throws the refusal of a protected environment before anything else is resolved, so a destructive task says
    /// "protected" rather than asking for the environment's connection variable first.
    /// </summary>
    public static void RefuseProtectedEnvironment(BuildContext context, string action)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (ResetGuard.Protected(action, context.EnvironmentName, context.Config.Project.Environment(context.EnvironmentName).Protected) is { } refusal)
        {
            throw DatabaseException.Refused(refusal);
        }
    }

    /// <summary>Throws the guard's refusal, if any.</summary>
    public void Guard(string action, bool allowRemote, string? confirm)
    {
        if (ResetGuard.Check(GuardRequest.For(action, Target, allowRemote, confirm)) is { } refusal)
        {
            throw DatabaseException.Refused(refusal);
        }
    }

    public string Relative(string path) => Path.GetRelativePath(Root, path);
}
