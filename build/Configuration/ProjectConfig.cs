namespace Build.Configuration;

/// <summary><c>config/project.json</c>: who this kit is for and which environments exist.</summary>
public sealed record ProjectConfig
{
    /// <summary>Lower-case kebab name; the compose project name and image names derive from it.</summary>
    public required string Name { get; init; }

    public string DefaultEnvironment { get; init; } = "dev";

    public IReadOnlyDictionary<string, EnvironmentConfig> Environments { get; init; } = new Dictionary<string, EnvironmentConfig>();

    /// <summary>Test projects the Test target runs, in order, relative to the repository root.</summary>
    public IReadOnlyList<string> TestProjects { get; init; } = [];

    public EnvironmentConfig Environment(string name) =>
        Environments.TryGetValue(name, out var environment)
            ? environment
            : throw new ConfigurationException(
                "config/project.json",
                0,
                $"has no environment '{name}'.{Host.Suggestions.DidYouMean(name, Environments.Keys)} Known: {string.Join(", ", Environments.Keys)}.");
}

public sealed record EnvironmentConfig
{
    public string? Description { get; init; }

    /// <summary>Destructive tasks refuse a protected environment outright; Deploy asks for a typed confirmation.</summary>
    public bool Protected { get; init; }

    /// <summary>Runs on this machine (the compose stack): database tasks run without confirmation.</summary>
    public bool Local { get; init; }
}
