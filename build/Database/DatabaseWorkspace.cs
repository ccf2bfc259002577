using Build.Configuration;
using Build.Docker;
using Build.Tools;
using Build.Tools.Compose;
using Build.Tools.Postgres;
using Cake.Core.Diagnostics;

namespace Build.Database;

/// <summary>
/// What every database task starts from, resolved once per run by <see cref="RunProfile"/>: the target, the
/// configuration, the folders, and where pg_dump/pg_restore run. Keeps the tasks thin and the services free of the context.
/// </summary>
public sealed class DatabaseWorkspace
{
    private readonly Func<ComposeProject> composeProject;

    public DatabaseWorkspace(
        DatabaseTarget target,
        DatabaseConfig config,
        string root,
        ICommandRunner runner,
        ICakeLog log,
        Func<ComposeProject> composeProject)
    {
        Target = target;
        Config = config;
        Root = root;
        Runner = runner;
        Log = log;
        this.composeProject = composeProject;
    }

    public DatabaseTarget Target { get; }

    public DatabaseConfig Config { get; }

    public string Root { get; }

    public ICommandRunner Runner { get; }

    public ICakeLog Log { get; }

    public string MigrationsFolder => Path.GetFullPath(Config.Migrations, Root);

    public IReadOnlyList<MigrationFile> LoadMigrations() => MigrationFile.Load(MigrationsFolder, Root);

    public MigrationRunner Migrations => new(Config.History, Log);

    public Seeder Seeder => new(Config.Seed, Root, Log, Runner);

    /// <summary>The seed step of <paramref name="profile"/>: its SQL files, or the app's seed command.</summary>
    public SeedStep SeedStep(string profile)
    {
        var seed = Config.Seed;
        Seeder.RequireProfile(profile);
        return seed.Command is { } command
            ? new SeedStep(Target.Database, profile, []) { Tables = seed.Tables, Command = ServiceCommand(command, command.For(profile), "seed.command").Command }
            : new SeedStep(Target.Database, profile, Seeder.FilesOf(profile)) { Tables = seed.Tables };
    }

    /// <summary>
    /// The app's own tool in a one-off container of its compose service (<c>compose run --rm --no-deps -T</c>). An
    /// environment without a compose stack has no such service: one line saying where such a command belongs.
    /// </summary>
    public ToolStep ServiceCommand(ServiceCommandConfig config, IReadOnlyList<string> command, string key)
    {
        ArgumentNullException.ThrowIfNull(config);
        if (!Target.IsCompose)
        {
            throw new ConfigurationException(
                "config/database.json",
                0,
                $"{key} runs in compose service '{config.Service}', and environment '{Target.EnvironmentName}' has no compose stack: run it where the app is deployed (a release job), or use SQL files for this environment.");
        }

        return new ToolStep(composeProject().Command(ComposeTool.RunArguments(config.Service, command)), $"the app's own tool, in a one-off container of service '{config.Service}'");
    }

    public SnapshotService Snapshots => new(Target, Config.MaintenanceDatabase, Asides, Config.Backup.BeforeReset, Log);

    /// <summary>The aside copies DbReset and Restore keep of the target on its server.</summary>
    public AsideCopies Asides => new(Target, Config.MaintenanceDatabase, Config.Backup.KeepAside, Log);

    /// <summary>Inside the compose service's container when the environment's database is one (and --connection was not given); else the host's clients.</summary>
    public async Task<IPostgresClientHost> ClientHostAsync()
    {
        if (Target.ComposeService is { } service)
        {
            var project = composeProject();
            return new ComposeClientHost(Runner, project.Version, project.Settings, service, Target.Username, Target.Password);
        }

        return new LocalClientHost(Runner, Target.ToClientConnection());
    }

    public async Task<BackupService> BackupsAsync() => new(Target, await ClientHostAsync().ConfigureAwait(false), Config.Backup, Root, Log);

    /// <summary>The backups folder of this environment, without needing a client.</summary>
    public BackupStore Store => new(Path.Combine(Path.GetFullPath(Config.Backup.Folder, Root), Target.EnvironmentName));

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
