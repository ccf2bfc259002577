using Build.Host;

namespace Build.Configuration;

public enum ParameterKind
{
    Text,
    Flag,
    Integer,
    Duration,
    Choice,
}

/// <summary>
/// One <c>--name=value</c> parameter: its type, where else it may come from and whether it is secret.
/// Safety switches (<c>--yes</c>, <c>--confirm</c>) have no environment variable on purpose: a stray variable
/// must never approve a destructive step.
/// </summary>
public sealed record ParameterDefinition(string Name, ParameterKind Kind, string Description)
{
    public string[] Aliases { get; init; } = [];

    public string? EnvironmentVariable { get; init; }

    public bool IsSecret { get; init; }

    public string[] Choices { get; init; } = [];

    public HostParameter ToHostParameter() => new(Name, Kind == ParameterKind.Flag, Aliases) { IsSecret = IsSecret };
}
