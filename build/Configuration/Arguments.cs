namespace Build.Configuration;

/// <summary>Every parameter the kit accepts, in one place. The host refuses any other name.</summary>
public static class Arguments
{
    public static readonly ParameterDefinition Environment = new("env", ParameterKind.Text, "environment from config/project.json (dev, staging, production)")
    {
        Aliases = ["environment"],
        EnvironmentVariable = "KIT_ENV",
    };

    public static readonly ParameterDefinition App = new("app", ParameterKind.Text, "the app folder (config/, compose files, migrations, .env); default: the repository root")
    {
        EnvironmentVariable = "KIT_APP",
    };

    public static readonly ParameterDefinition ProjectName = new("project-name", ParameterKind.Text, "compose project name, so two checkouts run side by side")
    {
        EnvironmentVariable = "KIT_PROJECT_NAME",
    };

    public static readonly ParameterDefinition PortOffset = new("port-offset", ParameterKind.Integer, "added to every host port of the stack")
    {
        EnvironmentVariable = "KIT_PORT_OFFSET",
    };

    public static readonly ParameterDefinition Connection = new("connection", ParameterKind.Text, "Npgsql connection string overriding the environment's database")
    {
        EnvironmentVariable = "KIT_CONNECTION",
        IsSecret = true,
    };

    public static readonly ParameterDefinition Confirm = new("confirm", ParameterKind.Text, "typed confirmation of a destructive step: the database, project or environment name");

    public static readonly ParameterDefinition AllowRemote = new("allow-remote", ParameterKind.Flag, "allow a destructive database task against a non-local host");

    public static readonly ParameterDefinition Yes = new("yes", ParameterKind.Flag, "apply what would otherwise only be previewed (Prune), answer yes (onboarding)");

    public static readonly ParameterDefinition Volumes = new("volumes", ParameterKind.Flag, "also remove data volumes (needs --confirm=<project name>)");

    public static readonly ParameterDefinition Seed = new("seed", ParameterKind.Choice, "seed profile") { Choices = ["minimal", "demo"] };

    public static readonly ParameterDefinition SaveSnapshot = new("save-snapshot", ParameterKind.Text, "store the current database as a named template snapshot");

    public static readonly ParameterDefinition FromSnapshot = new("from-snapshot", ParameterKind.Text, "reset by cloning a named snapshot");

    public static readonly ParameterDefinition Backup = new("backup", ParameterKind.Text, "backup to restore: latest or a folder");

    public static readonly ParameterDefinition Verify = new("verify", ParameterKind.Flag, "restore the new backup into a scratch database and compare row counts");

    public static readonly ParameterDefinition Service = new("service", ParameterKind.Text, "compose service (Logs, Shell)");

    public static readonly ParameterDefinition Follow = new("follow", ParameterKind.Flag, "keep streaming logs");

    public static readonly ParameterDefinition Tail = new("tail", ParameterKind.Integer, "number of log lines to show");

    public static readonly ParameterDefinition Revision = new("revision", ParameterKind.Text, "Cloud Run revision to roll back to");

    public static readonly ParameterDefinition Image = new("image", ParameterKind.Text, "image reference (by digest) to deploy");

    public static readonly ParameterDefinition Strategy = new("strategy", ParameterKind.Choice, "Deploy: override the environment's traffic strategy")
    {
        Choices = ["direct", "blue-green", "canary"],
    };

    public static readonly ParameterDefinition OlderThan = new("older-than", ParameterKind.Duration, "only images older than this (e.g. 7d, 12h)");

    public static readonly ParameterDefinition SkipBuild = new("skip-build", ParameterKind.Flag, "start the stack from the images already built");

    public static readonly ParameterDefinition Filter = new("filter", ParameterKind.Text, "test filter passed to dotnet test");

    public static readonly IReadOnlyList<ParameterDefinition> All =
    [
        Environment, App, ProjectName, PortOffset, Connection, Confirm, AllowRemote, Yes, Volumes, Seed, SaveSnapshot, FromSnapshot,
        Backup, Verify, Service, Follow, Tail, Revision, Image, Strategy, OlderThan, SkipBuild, Filter,
    ];
}
