namespace Build.Tools;

/// <summary>What every tool's settings share, in the spirit of Cake's <c>ToolSettings</c>.</summary>
public abstract record ToolSettings
{
    public string? WorkingDirectory { get; init; }

    public IReadOnlyDictionary<string, string?> EnvironmentVariables { get; init; } = new Dictionary<string, string?>();

    public TimeSpan? Timeout { get; init; }
}
