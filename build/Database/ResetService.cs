namespace Build.Database;

/// <summary>What DbReset was asked to do: a plain reset, storing a snapshot, or resetting from one.</summary>
public sealed record ResetRequest(string? SaveSnapshot, string? FromSnapshot, string? SeedProfile);

/// <summary>
/// DbReset as a plan, once the guard has let it through: keep a copy aside first (when configured), then either store the
/// database as a template snapshot, clone a snapshot over it, or end other sessions, recreate the application's
/// schemas and clear the migration history (one transaction), apply every migration and seed the profile's files.
/// A dry run prints <see cref="PlanAsync"/>; <see cref="RunAsync"/> runs that same plan.
/// </summary>
public sealed class ResetService(DatabaseWorkspace workspace)
{
    public async Task<DatabasePlan> PlanAsync(ResetRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.SaveSnapshot is not null || request.FromSnapshot is not null)
        {
            return Plan(request, null);
        }

        // A plain reset builds a new database from the migrations when the database holds nothing they do not make; what
        // else it holds decides, so it is read now when the server answers (a dry run without one says so in a note).
        var (connection, _) = await DatabaseConnector.TryOpenAsync(workspace.Target, cancellationToken).ConfigureAwait(false);
        if (connection is null)
        {
            return Plan(request, null);
        }

        await using (connection.ConfigureAwait(false))
        {
            return Plan(request, await ServerInfo.ObjectsOutsideAsync(connection, RebuiltSchemas, cancellationToken).ConfigureAwait(false));
        }
    }

    /// <summary>The schemas a database rebuilt from the migrations has: the app's, and the migration history's.</summary>
    private IReadOnlyCollection<string> RebuiltSchemas => [.. workspace.Config.Schemas, workspace.Config.History.Schema];

    /// <param name="outside">What the database holds that its migrations do not make (empty: nothing; null: not read).</param>
    private DatabasePlan Plan(ResetRequest request, IReadOnlyList<string>? outside)
    {
        ArgumentNullException.ThrowIfNull(request);
        var target = workspace.Target;
        var database = target.Database;
        if (request.SaveSnapshot is { } save)
        {
            return new DatabasePlan
            {
                Title = $"Save {target.Describe()} as snapshot '{save}' (template database '{workspace.Snapshots.SnapshotDatabaseName(save)}'):",
                Steps = [new SnapshotStep(SnapshotAction.Save, save, workspace.Snapshots.SaveStatements(save))],
                Notes = [$"reset to it later with --target=DbReset --from-snapshot={save}"],
            };
        }

        if (request.FromSnapshot is { } from)
        {
            // The snapshot's clone replaces the database by renames; the replaced database is the aside copy.
            return new DatabasePlan
            {
                Title = $"Reset {target.Describe()} from snapshot '{from}':",
                Steps = [new SnapshotStep(SnapshotAction.Restore, from, workspace.Snapshots.RestoreStatements(from))],
            };
        }

        var profile = request.SeedProfile ?? workspace.Config.Seed.DefaultProfile;
        if (outside is not { Count: > 0 })
        {
            var notes = outside is null
                ? new List<string> { $"if {database} holds objects outside the schemas its migrations make ({string.Join(", ", RebuiltSchemas)}, and extensions), read at run time, the reset keeps them: it copies {database} aside by template and resets the schemas in place instead" }
                : [];
            return workspace.Config.MigrationCommand is not null || workspace.Config.Seed.Command is not null
                ? MovePlan(profile, notes)
                : RebuildPlan(profile, notes);
        }

        var steps = new List<DatabaseStep>();
        if (workspace.Config.Backup.BeforeReset)
        {
            var asides = workspace.Asides;
            steps.Add(new RetentionStep(asides.PruneStep()));
            steps.Add(new AsideCopyStep(asides.CopyStatements(asides.PlannedName, "copied before DbReset", "<now>"), asides.PutBackStatements(asides.PlannedName), After: null));
        }

        var history = workspace.Config.History;
        steps.Add(ServerInfo.TerminateOtherSessionsStep(database, database) with { Report = "Ended {0} other session(s) on " + database });
        steps.Add(SchemaReset.Step(database, workspace.Config.Schemas, history));
        if (workspace.Config.MigrationCommand is { } command)
        {
            steps.Add(workspace.ServiceCommand(command, command.Command, "migrationCommand"));
        }
        else
        {
            // The history was just cleared: every migration file is pending, so the list is known before the run.
            var migrations = workspace.LoadMigrations();
            steps.Add(new MigrateStep(database, migrations, Sql.Qualified(history.Schema, history.Table)) { All = migrations });
        }

        steps.Add(workspace.SeedStep(profile) with { Tables = [] });
        return new DatabasePlan
        {
            Title = $"Reset {target.Describe()}:",
            Steps = steps,
            Notes = [$"in place, because {database} holds what its migrations do not make ({string.Join(", ", outside)}{(outside.Count > 3 ? ", ..." : string.Empty)}), which a reset keeps"],
        };
    }

    /// <summary>Retention beside the reset, when it keeps an aside copy (backup.beforeReset).</summary>
    private static DatabaseStep[] Retention(AsideCopies asides, Configuration.DatabaseConfig config) =>
        config.Backup.BeforeReset ? [new RetentionStep(asides.PruneStep())] : [];

    /// <summary>
    /// SQL migrations: the new database is built beside the old one under a temporary name, migrated and seeded, then
    /// swapped in; the old one is renamed aside in the same transaction. Nothing is copied, and until the swap the
    /// database is not touched at all.
    /// </summary>
    private DatabasePlan RebuildPlan(string profile, IReadOnlyList<string> notes)
    {
        var (target, asides, config) = (workspace.Target, workspace.Asides, workspace.Config);
        var incoming = asides.IncomingName;
        var exists = new SqlStep(config.MaintenanceDatabase, ServerInfo.DatabaseExistsSql) { Parameters = [new SqlParameter("name", incoming)] };
        var migrations = workspace.LoadMigrations();
        var history = Sql.Qualified(config.History.Schema, config.History.Table);
        DatabaseStep[] steps =
        [
            .. Retention(asides, config),
            new NewDatabaseStep(incoming,
            [
                new SqlStep(config.MaintenanceDatabase, $"DROP DATABASE {Sql.Identifier(incoming)} WITH (FORCE)") { OnlyIf = exists },
                new SqlStep(config.MaintenanceDatabase, ServerInfo.CreateLikeSql(incoming, ServerInfo.LikePlaceholder(target.Database))),
            ]),
            new MigrateStep(incoming, migrations, history) { All = migrations },
            workspace.SeedStep(profile) with { Database = incoming, Tables = [] },
            new SwapStep(incoming, "replaced by DbReset", asides.SwapStatements(incoming, asides.PlannedName, "replaced by DbReset", "<now>"),
                config.Backup.BeforeReset ? null : asides.DropStep(asides.PlannedName)),
        ];
        return new DatabasePlan { Title = $"Reset {target.Describe()} by building a new database from the migrations:", Steps = steps, Notes = notes };
    }

    /// <summary>
    /// The app's own migration or seed command, which works on the database by its name: the database is renamed
    /// aside and an empty one made like it takes its name; the command and the seed run on that one. A failure drops it
    /// and renames the aside copy back.
    /// </summary>
    private DatabasePlan MovePlan(string profile, IReadOnlyList<string> notes)
    {
        var (target, asides, config) = (workspace.Target, workspace.Asides, workspace.Config);
        var steps = new List<DatabaseStep>(Retention(asides, config))
        {
            new AsideCopyStep(asides.MoveStatements(asides.PlannedName, "renamed aside by DbReset", "<now>"), asides.PutBackStatements(asides.PlannedName),
                config.Backup.BeforeReset ? null : asides.DropStep(asides.PlannedName)) { Move = true },
        };
        if (config.MigrationCommand is { } command)
        {
            steps.Add(workspace.ServiceCommand(command, command.Command, "migrationCommand"));
        }
        else
        {
            var migrations = workspace.LoadMigrations();
            steps.Add(new MigrateStep(target.Database, migrations, Sql.Qualified(config.History.Schema, config.History.Table)) { All = migrations });
        }

        steps.Add(workspace.SeedStep(profile) with { Tables = [] });
        return new DatabasePlan { Title = $"Reset {target.Describe()} into a new, empty database:", Steps = steps, Notes = notes };
    }

    /// <summary>Runs the plan and returns the line that says what the database is now.</summary>
    public async Task<string> RunAsync(DatabasePlan plan, ResetRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(request);
        var result = await new DatabasePlanExecutor(workspace).RunAsync(plan, cancellationToken).ConfigureAwait(false);
        var target = workspace.Target.Describe();
        if (request.SaveSnapshot is { } save)
        {
            return $"Saved snapshot '{save}' of {target} as template database '{workspace.Snapshots.SnapshotDatabaseName(save)}'. Reset to it with --from-snapshot={save}.";
        }

        if (request.FromSnapshot is { } from)
        {
            return $"Reset {target} from snapshot '{from}'.";
        }

        // An app's own migration tool keeps its own history: the kit counts no files for it.
        var migrated = workspace.Config.MigrationCommand is not null
            ? "the app's migration command ran"
            : $"{result.Migrated?.Applied.Count ?? 0} migration(s) applied (version {result.Migrated?.CurrentVersion ?? 0:D4})";
        return $"Reset {target}: {migrated}, "
            + (result.Seeded is { } seeded ? $"seeded profile '{seeded.Profile}'." : "not seeded.");
    }
}
