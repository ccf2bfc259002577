using System.Globalization;
using Build.Host;
using Build.Tools;
using Cake.Core;

namespace Build.Configuration;

/// <summary>
/// The parameters of one run, typed, immutable and parsed once: the command line wins over the process environment,
/// which wins over <c>.env</c>; settings from <c>config/</c> are the defaults behind all three (read where used).
/// A value that does not parse is a usage error naming where it came from.
/// Each parameter is declared once, here: a property with a <see cref="ParameterAttribute"/> gives its name, aliases,
/// variable, help, choices or range, and its type is the parameter's kind (<see cref="Arguments.All"/> reads them).
/// </summary>
public sealed record BuildParameters
{
    [Parameter("env", "environment from config/project.json (dev, staging, production)", Variable = "KIT_ENV", Aliases = ["environment"])]
    public string? Environment { get; init; }

    /// <summary>The app folder as given; <see cref="KitPaths"/> resolves it, before <c>.env</c> (which is the app's) is read.</summary>
    [Parameter("app", "the app folder (config/, compose files, migrations, .env); default: the repository root", Variable = "KIT_APP")]
    public string? App { get; init; }

    [Parameter("project-name", "compose project name, so two checkouts run side by side", Variable = "KIT_PROJECT_NAME")]
    public string? ProjectName { get; init; }

    [Parameter("port-offset", "added to every host port of the stack", Variable = "KIT_PORT_OFFSET", Maximum = 50000)]
    public int PortOffset { get; init; }

    [Parameter("connection", "Npgsql connection string overriding the environment's database", Variable = "KIT_CONNECTION", IsSecret = true)]
    public string? Connection { get; init; }

    [Parameter("confirm", "typed confirmation of a destructive step: the database, project or environment name")]
    public string? Confirm { get; init; }

    [Parameter("allow-remote", "allow a destructive database task against a non-local host")]
    public bool AllowRemote { get; init; }

    [Parameter("yes", "apply what would otherwise only be previewed (Prune), answer yes (onboarding)")]
    public bool Yes { get; init; }

    [Parameter("volumes", "also remove data volumes (needs --confirm=<project name>)")]
    public bool Volumes { get; init; }

    [Parameter("seed", "seed profile, one of config/database.json seed.profiles (default minimal, demo)")]
    public string? Seed { get; init; }

    [Parameter("save-snapshot", "store the current database as a named template snapshot")]
    public string? SaveSnapshot { get; init; }

    [Parameter("from-snapshot", "reset by cloning a named snapshot")]
    public string? FromSnapshot { get; init; }

    [Parameter("backup", "backup to restore: latest or a folder")]
    public string? Backup { get; init; }

    [Parameter("verify", "restore the new backup into a scratch database and compare row counts")]
    public bool Verify { get; init; }

    [Parameter("service", "compose service (Logs, Shell); Cloud Run service or job of config/deploy.json (Deploy, Promote, Rollback, DeployStatus, PreviewCleanup)")]
    public string? Service { get; init; }

    [Parameter("follow", "keep streaming logs")]
    public bool Follow { get; init; }

    [Parameter("tail", "number of log lines to show", Maximum = 1_000_000)]
    public int? Tail { get; init; }

    [Parameter("revision", "Cloud Run revision to roll back to")]
    public string? Revision { get; init; }

    [Parameter("image", "image reference (by digest) to deploy")]
    public string? Image { get; init; }

    /// <summary>Null: the environment's own strategy from config/deploy.json.</summary>
    [Parameter("strategy", "Deploy: override the environment's traffic strategy")]
    public DeployStrategyKind? Strategy { get; init; }

    [Parameter("preview", "Deploy: a no-traffic revision tagged from the pull request (pr-<n>) or branch, for review at its own URL")]
    public bool Preview { get; init; }

    [Parameter("branches", "PreviewCleanup: the branches (and pr-<n>) whose previews stay, comma-separated; default: the branches of git remote origin")]
    public string? Branches { get; init; }

    [Parameter("older-than", "only images older than this (e.g. 7d, 12h)")]
    public TimeSpan? OlderThan { get; init; }

    [Parameter("skip-build", "start the stack from the images already built")]
    public bool SkipBuild { get; init; }

    [Parameter("filter", "test filter passed to dotnet test")]
    public string? Filter { get; init; }

    public bool DryRun { get; init; }

    /// <summary>Running under a CI service (<c>CI=true</c>).</summary>
    public bool IsCi { get; init; }

    /// <summary>
    /// Every declared parameter filled from where it is given (an absent one keeps its property's default), plus the
    /// host's <c>--dryrun</c> and <c>CI</c>.
    /// </summary>
    public static BuildParameters Create(
        ICakeArguments arguments, IReadOnlyDictionary<string, string?> environment, DotEnvFile dotEnv, SecretMasker masker)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        ArgumentNullException.ThrowIfNull(environment);
        ArgumentNullException.ThrowIfNull(dotEnv);
        ArgumentNullException.ThrowIfNull(masker);
        var source = new Source(arguments, environment, dotEnv, masker);
        var parameters = new BuildParameters
        {
            DryRun = arguments.HasArgument("dryrun") && bool.TryParse(arguments.GetArguments("dryrun").Last(), out var dry) && dry,
            IsCi = ContinuousIntegration.IsDetected(environment),
        };
        foreach (var definition in Arguments.All)
        {
            if (source.Value(definition) is { } value)
            {
                // The record is not yet shared: filling its init-only properties here is still its construction.
                definition.Property.SetValue(parameters, value);
            }
        }

        return parameters;
    }

    /// <summary>The longest duration a parameter or setting may give: what <see cref="TimeSpan"/> holds, in whole days.</summary>
    public const int MaximumDurationDays = 10_675_199;

    /// <summary>
    /// "7d", "12h", "30m", "45s", "2w" or a .NET time span ("1.02:00:00"); null for anything else, including a duration
    /// longer than <see cref="MaximumDurationDays"/> (it would overflow <see cref="TimeSpan"/>).
    /// </summary>
    public static TimeSpan? ParseDuration(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.Length >= 2 && double.TryParse(text[..^1], NumberStyles.Float, CultureInfo.InvariantCulture, out var amount) && double.IsFinite(amount) && amount >= 0)
        {
            var unit = char.ToLowerInvariant(text[^1]);
            var daysPerUnit = unit switch { 'w' => 7, 'd' => 1, 'h' => 1.0 / 24, 'm' => 1.0 / (24 * 60), 's' => 1.0 / (24 * 60 * 60), _ => 0 };
            if (daysPerUnit > 0)
            {
                if (amount * daysPerUnit > MaximumDurationDays)
                {
                    return null;
                }

                return unit switch
                {
                    'w' => TimeSpan.FromDays(amount * 7),
                    'd' => TimeSpan.FromDays(amount),
                    'h' => TimeSpan.FromHours(amount),
                    'm' => TimeSpan.FromMinutes(amount),
                    _ => TimeSpan.FromSeconds(amount),
                };
            }
        }

        return TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out var span) && span >= TimeSpan.Zero ? span : null;
    }

    private static string? Get(IReadOnlyDictionary<string, string?> environment, string name) =>
        environment.TryGetValue(name, out var value) ? value : null;

    private sealed class Source(ICakeArguments arguments, IReadOnlyDictionary<string, string?> environment, DotEnvFile dotEnv, SecretMasker masker)
    {
        /// <summary>The typed value of a parameter that is given, or null; a value that does not parse is a <see cref="UsageException"/>.</summary>
        public object? Value(ParameterDefinition definition)
        {
            if (Read(definition) is not { } found)
            {
                return null;
            }

            return definition.Kind switch
            {
                ParameterKind.Text => found.Value,
                ParameterKind.Flag => Flag(found),
                ParameterKind.Integer => Integer(found, definition.Minimum, definition.Maximum),
                ParameterKind.Duration => Duration(found),
                ParameterKind.Choice => Choice(found, definition),
                _ => throw new InvalidOperationException($"--{definition.Name} has no reader for {definition.Kind}."),
            };
        }

        private static bool Flag((string Value, string Origin) found) =>
            bool.TryParse(found.Value, out var on)
                ? on
                : throw new UsageException($"{found.Origin} is a switch: true or false, not '{found.Value}'.");

        private static int Integer((string Value, string Origin) found, int minimum, int maximum) =>
            int.TryParse(found.Value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var number) && number >= minimum && number <= maximum
                ? number
                : throw new UsageException($"{found.Origin} must be a whole number from {minimum} to {maximum}, not '{found.Value}'.");

        private static TimeSpan Duration((string Value, string Origin) found) =>
            ParseDuration(found.Value)
                ?? throw new UsageException($"{found.Origin} must be a duration such as 7d, 12h or 30m, at most {MaximumDurationDays}d, not '{found.Value}'.");

        private static object Choice((string Value, string Origin) found, ParameterDefinition definition) =>
            definition.Choices.Contains(found.Value, StringComparer.Ordinal)
                ? definition.ChoiceValue(found.Value)
                : throw new UsageException(
                    $"{found.Origin} must be one of {string.Join(", ", definition.Choices)}, not '{found.Value}'.{Suggestions.DidYouMean(found.Value, definition.Choices)}");

        private (string Value, string Origin)? Read(ParameterDefinition definition)
        {
            (string Value, string Origin)? found = null;
            if (arguments.HasArgument(definition.Name))
            {
                found = (arguments.GetArguments(definition.Name).Last(), $"--{definition.Name}");
            }
            else if (definition.EnvironmentVariable is { } variable)
            {
                if (Get(environment, variable) is { } fromEnvironment)
                {
                    found = (fromEnvironment, $"environment variable {variable}");
                }
                else if (dotEnv.Values.TryGetValue(variable, out var fromFile))
                {
                    found = (fromFile, $"{variable} in {dotEnv.Path} line {dotEnv.Lines[variable]}");
                }
            }

            if (found is { } value)
            {
                if (value.Value.Length == 0 && definition.Kind != ParameterKind.Text)
                {
                    throw new UsageException($"{value.Origin} is empty. Give a value or leave it out.");
                }

                if (definition.IsSecret)
                {
                    masker.Add(value.Value);
                }
            }

            return found;
        }
    }
}
