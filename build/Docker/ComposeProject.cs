using System.Text.RegularExpressions;
using Build.Configuration;
using Build.Host;
using Build.Tools;
using Build.Tools.Compose;

namespace Build.Docker;

/// <summary>
/// One compose stack as the kit drives it: the project name, the compose files of the environment and the variables
/// handed to compose through the process environment (compose gives them precedence over any env file):
/// <c>.env</c>, then the env overlays of config/docker.json (<c>.env.offline</c>), with names already set in the
/// kit's own environment left to it; every host-port variable of config plus <c>--port-offset</c>; and each built
/// image's compose variable, so compose runs what BuildImages tagged.
/// </summary>
public sealed partial record ComposeProject
{
    /// <summary>The label compose puts on every container, network and volume of a project.</summary>
    public const string ProjectLabel = "com.docker.compose.project";

    public required string Name { get; init; }

    public required string EnvironmentName { get; init; }

    public required ComposeVersion Version { get; init; }

    /// <summary>What every compose command of this stack takes: project, files, profiles, variables, working directory.</summary>
    public required ComposeSettings Settings { get; init; }

    /// <summary>Host-port variables after the offset.</summary>
    public required IReadOnlyDictionary<string, int> HostPorts { get; init; }

    public int PortOffset { get; init; }

    public required DockerConfig Config { get; init; }

    public required ComposeEnvironmentConfig Environment { get; init; }

    /// <summary>The kit's own process environment (it wins over .env and overlays, as in compose).</summary>
    public IReadOnlyDictionary<string, string?> ProcessEnvironment { get; init; } = new Dictionary<string, string?>();

    /// <summary>Every value that must never be printed (secret-named variables).</summary>
    public IReadOnlyList<string> SecretValues { get; init; } = [];

    public string DatabaseService => Config.DatabaseService;

    /// <summary>A variable as compose sees it: what the kit passes, else the kit's own environment.</summary>
    public string? Variable(string name) =>
        Settings.EnvironmentVariables.TryGetValue(name, out var passed) ? passed
        : ProcessEnvironment.TryGetValue(name, out var inherited) ? inherited
        : null;

    public string Expand(string text) => VariableExpander.Expand(text, Variable);

    public ToolCommand Command(IEnumerable<string> subcommand, bool query = false, bool quiet = false) =>
        ComposeTool.Command(Version, Settings, subcommand, query, quiet);

    public ToolCommand Command(ArgumentList subcommand, bool query = false, bool quiet = false) =>
        Command((subcommand ?? throw new ArgumentNullException(nameof(subcommand))).Values, query, quiet);

    /// <summary>
    /// A compose command that creates no container (<c>config</c>, <c>ps</c>, <c>logs</c>, <c>down</c>, <c>restart</c>).
    /// Compose interpolates every file even for these, so a required variable that is unset (<c>.env</c> deleted)
    /// would stop them, and a running stack could no longer be stopped: such a variable gets a placeholder value here.
    /// Never for <c>up</c>: the preflight refuses a missing required variable before anything is created.
    /// </summary>
    public ToolCommand NonCreatingCommand(ArgumentList subcommand, bool query = false, bool quiet = false)
    {
        ArgumentNullException.ThrowIfNull(subcommand);
        var missing = MissingVariables();
        if (missing.Count == 0)
        {
            return Command(subcommand, query, quiet);
        }

        var variables = new Dictionary<string, string?>(Settings.EnvironmentVariables);
        foreach (var name in missing)
        {
            variables[name] = UnsetPlaceholder;
        }

        return ComposeTool.Command(Version, Settings with { EnvironmentVariables = variables }, subcommand.Values, query, quiet);
    }

    /// <summary>What <see cref="NonCreatingCommand"/> hands compose for a required variable that is not set.</summary>
    public const string UnsetPlaceholder = "unset-by-kit";

    /// <summary>Variables the compose files of the environment require (<c>${NAME:?message}</c>, <c>${NAME?message}</c>).</summary>
    public IReadOnlyList<string> RequiredByFiles { get; init; } = [];

    /// <summary>
    /// The seam for database tasks (pg_dump, psql inside the database container): the command runs in
    /// <paramref name="service"/> (default: the configured database service) without a terminal.
    /// </summary>
    public ToolCommand Exec(IReadOnlyList<string> command, string? service = null, bool interactive = false) =>
        Command(ComposeTool.ExecArguments(service ?? DatabaseService, command, interactive));

    /// <summary>A <c>--project-name</c> compose accepts; else a usage error.</summary>
    public static void CheckName(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (!ValidProjectName().IsMatch(name))
        {
            throw new UsageException(
                $"'{name}' is not a valid compose project name: use lower-case letters, digits, '-' and '_', starting with a letter or digit (--project-name).");
        }
    }

    /// <summary>The stack from typed inputs (<see cref="RunProfile"/> resolves this run's once).</summary>
    public static ComposeProject Create(ComposeVersion version, DockerConfig config, ComposeInputs inputs)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(inputs);
        var environment = config.Environment(inputs.EnvironmentName);
        var name = inputs.ProjectNameOverride ?? $"{inputs.NameStem}-{inputs.EnvironmentName}";
        CheckName(name);

        var requiredByFiles = new List<string>();
        foreach (var file in environment.Files)
        {
            var path = Path.Combine(inputs.Root, file);
            if (!File.Exists(path))
            {
                throw new ConfigurationException("config/docker.json", 0, $"environment '{inputs.EnvironmentName}' lists compose file '{file}', which does not exist.");
            }

            requiredByFiles.AddRange(RequiredVariablesIn(File.ReadAllText(path)));
        }

        var process = inputs.ProcessEnvironment;
        var passed = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var file in new[] { inputs.DotEnv }.Concat(inputs.Overlays))
        {
            foreach (var (key, value) in file.Values)
            {
                if (!process.ContainsKey(key))
                {
                    passed[key] = value;
                }
            }
        }

        string? Lookup(string key) => passed.TryGetValue(key, out var value) ? value : process.TryGetValue(key, out var inherited) ? inherited : null;

        var ports = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var (variable, fallback) in config.HostPorts)
        {
            var text = Lookup(variable);
            var basePort = fallback;
            if (!string.IsNullOrWhiteSpace(text)
                && (!int.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out basePort) || basePort is < 1 or > 65535))
            {
                throw new ConfigurationException($"{variable}='{text}' is not a port number from 1 to 65535 (set in the environment, .env or an overlay).");
            }

            var port = basePort + inputs.PortOffset;
            if (port is < 1 or > 65535)
            {
                throw new UsageException($"{variable} {basePort} + --port-offset={inputs.PortOffset} = {port} is outside 1-65535: choose a smaller offset.");
            }

            ports[variable] = port;
            passed[variable] = port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        // Compose must run the image the kit built: when the image's variable is unset, point it at the dev tag.
        foreach (var image in config.Images.Values)
        {
            if (image.ComposeVariable is { } variable && string.IsNullOrEmpty(Lookup(variable)))
            {
                passed[variable] = $"{image.Repository}:{DefaultTag}";
            }
        }

        var secretNames = passed.Keys.Concat(process.Keys).Where(BuildContext.IsSecretName).ToHashSet(StringComparer.Ordinal);
        var secretValues = secretNames.Select(Lookup).OfType<string>().Where(v => v.Length > 0).Distinct(StringComparer.Ordinal).ToArray();
        return new ComposeProject
        {
            Name = name,
            EnvironmentName = inputs.EnvironmentName,
            Version = version,
            Settings = new ComposeSettings
            {
                ProjectName = name,
                Files = environment.Files,
                Profiles = environment.Profiles,
                WorkingDirectory = inputs.Root,
                EnvironmentVariables = passed,
                SecretVariables = secretNames.Where(passed.ContainsKey).ToHashSet(StringComparer.Ordinal),
            },
            HostPorts = ports,
            PortOffset = inputs.PortOffset,
            Config = config,
            Environment = environment,
            ProcessEnvironment = process,
            SecretValues = secretValues,
            RequiredByFiles = requiredByFiles.Distinct(StringComparer.Ordinal).ToArray(),
        };
    }

    /// <summary>The tag a compose image variable points at when nothing else sets it.</summary>
    public const string DefaultTag = "dev";

    /// <summary>Required variables (config's <c>requiredVariables</c> and the compose files' <c>${NAME:?}</c>) that are unset or empty.</summary>
    public IReadOnlyList<string> MissingVariables() =>
        Config.RequiredVariables.Concat(RequiredByFiles).Distinct(StringComparer.Ordinal).Where(v => string.IsNullOrEmpty(Variable(v))).ToArray();

    /// <summary>
    /// Names compose refuses to run without: <c>${NAME:?...}</c> and <c>${NAME?...}</c>, not escaped as <c>$${</c>.
    /// Read from the files' text; a comment mentioning one counts too, which only makes a placeholder more likely.
    /// </summary>
    public static IReadOnlyList<string> RequiredVariablesIn(string composeText)
    {
        ArgumentNullException.ThrowIfNull(composeText);
        return RequiredVariablePattern().Matches(composeText).Select(m => m.Groups["name"].Value).Distinct(StringComparer.Ordinal).ToArray();
    }

    [GeneratedRegex(@"(?<!\$)\$\{(?<name>[A-Za-z_][A-Za-z0-9_]*):?\?")]
    private static partial Regex RequiredVariablePattern();

    [GeneratedRegex("^[a-z0-9][a-z0-9_-]*$")]
    private static partial Regex ValidProjectName();
}

/// <summary>What a compose project is resolved from.</summary>
public sealed record ComposeInputs
{
    public required string Root { get; init; }

    public required string NameStem { get; init; }

    public required string EnvironmentName { get; init; }

    public string? ProjectNameOverride { get; init; }

    public int PortOffset { get; init; }

    public required DotEnvFile DotEnv { get; init; }

    public IReadOnlyList<DotEnvFile> Overlays { get; init; } = [];

    public IReadOnlyDictionary<string, string?> ProcessEnvironment { get; init; } = new Dictionary<string, string?>();
}
