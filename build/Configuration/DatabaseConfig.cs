namespace Build.Configuration;

/// <summary><c>config/database.json</c>: the application's schemas, migrations, seeds, backups and where each environment's database is.</summary>
public sealed record DatabaseConfig : ICheckedConfig
{
    /// <summary>The application's schemas: DbReset drops and recreates exactly these.</summary>
    public IReadOnlyList<string> Schemas { get; init; } = ["app"];

    public HistoryTableConfig History { get; init; } = new();

    /// <summary>Folder of <c>NNNN_description.sql</c> files, relative to the repository root.</summary>
    public string Migrations { get; init; } = "scripts/db/migrations";

    /// <summary>Instead of <see cref="Migrations"/>' SQL files: the app's own migration tool, run in a compose service.</summary>
    public ServiceCommandConfig? MigrationCommand { get; init; }

    /// <summary>Connected to while another database is created, cloned or dropped.</summary>
    public string MaintenanceDatabase { get; init; } = "postgres";

    public SeedConfig Seed { get; init; } = new();

    public BackupConfig Backup { get; init; } = new();

    public IReadOnlyDictionary<string, DatabaseEnvironmentConfig> Environments { get; init; } = new Dictionary<string, DatabaseEnvironmentConfig>();

    public IEnumerable<(string Pointer, string Message)> Problems()
    {
        if (!Seed.Profiles.Contains(Seed.DefaultProfile, StringComparer.Ordinal))
        {
            yield return ("/seed/defaultProfile", $"'{Seed.DefaultProfile}' is not one of seed.profiles ({string.Join(", ", Seed.Profiles)}).");
        }
    }

    public DatabaseEnvironmentConfig Environment(string name) =>
        Environments.TryGetValue(name, out var environment)
            ? environment
            : throw new ConfigurationException(
                "config/database.json",
                0,
                $"has no database for environment '{name}'.{Host.Suggestions.DidYouMean(name, Environments.Keys)} Add one under \"environments\", or pass --connection.");
}

public sealed record HistoryTableConfig
{
    public string Schema { get; init; } = "kit";

    public string Table { get; init; } = "schema_migrations";
}

public sealed record SeedConfig
{
    public string Folder { get; init; } = "scripts/db/seed";

    /// <summary>The profiles, smallest first: each applies the files of the ones before it, then its own.</summary>
    public IReadOnlyList<string> Profiles { get; init; } = ["minimal", "demo"];

    public string DefaultProfile { get; init; } = "demo";

    /// <summary>Instead of the profile folders' SQL files: the app's seed command (<c>{profile}</c> replaced).</summary>
    public ServiceCommandConfig? Command { get; init; }

    /// <summary>Without <c>--seed</c>, seeding happens only while the seeded tables hold fewer rows than this.</summary>
    public int Threshold { get; init; } = 1;

    /// <summary><c>schema.table</c> names counted against the threshold.</summary>
    public IReadOnlyList<string> Tables { get; init; } = [];
}

public sealed record BackupConfig
{
    public string Folder { get; init; } = "backups";

    public RetentionConfig Retention { get; init; } = new();

    /// <summary>DbReset keeps the database it replaces aside (renamed, on the same server) before changing it.</summary>
    public bool BeforeReset { get; init; } = true;

    /// <summary>Restore keeps the database it replaces aside (renamed, on the same server).</summary>
    public bool BeforeRestore { get; init; } = true;

    /// <summary>How many aside copies of a database DbReset and Restore keep on its server; older ones are dropped.</summary>
    public int KeepAside { get; init; } = 2;

    /// <summary>The dump's zlib level: 1 is as small as pg_dump's default 6 on typical data at half the client's CPU.</summary>
    public int CompressionLevel { get; init; } = 1;

    /// <summary>Parallel pg_restore connections of a Restore with the host's client (the compose client streams: one).</summary>
    public int RestoreJobs { get; init; } = 2;

    /// <summary>A Restore with parallel jobs loads a table of at least this many rows (by the manifest) through all of them at once; 0: never.</summary>
    public int RestoreSplitRows { get; init; } = 500_000;
}

public sealed record RetentionConfig
{
    public int KeepLast { get; init; } = 7;

    public int KeepDailyForDays { get; init; } = 14;
}

public sealed record DatabaseEnvironmentConfig
{
    /// <summary>Set when the database is a service of this project's compose stack.</summary>
    public ComposeDatabaseConfig? Compose { get; init; }

    /// <summary>Name of the variable holding the Npgsql connection string; the value never lives in config.</summary>
    public string? ConnectionStringVariable { get; init; }

    public string Host { get; init; } = "127.0.0.1";

    public SettingValue? Port { get; init; }

    public bool AddPortOffset { get; init; }

    public SettingValue? Database { get; init; }

    public SettingValue? Username { get; init; }

    public SettingValue? Password { get; init; }
}

public sealed record ComposeDatabaseConfig
{
    public required string Service { get; init; }
}

/// <summary>A value read from a variable (process environment, then <c>.env</c>), else the default.</summary>
public sealed record SettingValue
{
    public string? Variable { get; init; }

    public string? Default { get; init; }
}

/// <summary>A command of the app's own tool, run in a one-off container of a compose service.</summary>
public sealed record ServiceCommandConfig
{
    public required string Service { get; init; }

    public required IReadOnlyList<string> Command { get; init; }

    /// <summary>The command with <c>{profile}</c> replaced (a seed command).</summary>
    public IReadOnlyList<string> For(string profile) => Command.Select(a => a.Replace("{profile}", profile, StringComparison.Ordinal)).ToArray();
}
