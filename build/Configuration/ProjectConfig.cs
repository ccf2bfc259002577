namespace Build.Configuration;

/// <summary><c>config/project.json</c>: who this kit is for and which environments exist.</summary>
public sealed record ProjectConfig
{
    /// <summary>Lower-case kebab name; the compose project name and image names derive from it.</summary>
    public required string Name { get; init; }

    public string DefaultEnvironment { get; init; } = "dev";

    public IReadOnlyDictionary<string, EnvironmentConfig> Environments { get; init; } = new Dictionary<string, EnvironmentConfig>();

    /// <summary>
    /// .NET test projects the Test target runs first, in order, relative to the app root: shorthand for
    /// <see cref="Tests"/> entries with a <see cref="TestSuiteConfig.Project"/> alone.
    /// </summary>
    public IReadOnlyList<string> TestProjects { get; init; } = [];

    /// <summary>Test suites of any language the Test target runs after <see cref="TestProjects"/>, in order.</summary>
    public IReadOnlyList<TestSuiteConfig> Tests { get; init; } = [];

    /// <summary>
    /// How many suites the Test target runs at once (1: one after another). Above 1, suites start in the order listed,
    /// each output line carries its suite's name, and .NET test projects are built one after another before any runs.
    /// </summary>
    public int TestParallelism { get; init; } = 1;

    public EnvironmentConfig Environment(string name) =>
        Environments.TryGetValue(name, out var environment)
            ? environment
            : throw new ConfigurationException(
                "config/project.json",
                0,
                $"has no environment '{name}'.{Host.Suggestions.DidYouMean(name, Environments.Keys)} Known: {string.Join(", ", Environments.Keys)}.");
}

/// <summary>
/// One entry of <c>tests</c>: exactly one of a .NET test project (TRX), an image of config/docker.json built at a
/// target whose files hold a JUnit report, or a command run on this machine that writes one. The schema enforces which
/// keys go together.
/// </summary>
public sealed record TestSuiteConfig
{
    /// <summary>Lower-case kebab name: results are kept under it and a failure names it.</summary>
    public required string Name { get; init; }

    /// <summary>A .NET test project (.csproj), relative to the app root.</summary>
    public string? Project { get; init; }

    /// <summary>For a project: which of its tests this suite runs (<c>dotnet test --filter</c>), so one project can be split into suites.</summary>
    public string? Filter { get; init; }

    /// <summary>An image name of config/docker.json: its Dockerfile, context and build arguments, built at <see cref="Target"/>.</summary>
    public string? Image { get; init; }

    /// <summary>The stage exported with <c>--output type=local</c>: keep it small (a scratch stage with the reports).</summary>
    public string? Target { get; init; }

    /// <summary>An executable and its arguments, run from the app root (or <see cref="WorkingDirectory"/>).</summary>
    public IReadOnlyList<string> Command { get; init; } = [];

    /// <summary>For a command: the folder it runs in, relative to the app root.</summary>
    public string? WorkingDirectory { get; init; }

    /// <summary>
    /// The JUnit XML report: for an image, its path inside the target stage's files; for a command, relative to the
    /// app root.
    /// </summary>
    public string? Results { get; init; }
}

public sealed record EnvironmentConfig
{
    public string? Description { get; init; }

    /// <summary>Destructive tasks refuse a protected environment outright; Deploy asks for a typed confirmation.</summary>
    public bool Protected { get; init; }

    /// <summary>Runs on this machine (the compose stack): database tasks run without confirmation.</summary>
    public bool Local { get; init; }
}
