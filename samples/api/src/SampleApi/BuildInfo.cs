using System.Reflection;

namespace SampleApi;

/// <summary>What GET /version serves; baked in at build time as assembly metadata.</summary>
public sealed record BuildInfo(string Version, string Commit, string BuildTime)
{
    public const string Unknown = "unknown";

    public static BuildInfo FromAssembly(Assembly assembly)
    {
        var metadata = assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .GroupBy(attribute => attribute.Key)
            .ToDictionary(group => group.Key, group => group.Last().Value);
        var version = assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion;
        return new BuildInfo(
            OrDefault(version, "dev"),
            OrDefault(metadata.GetValueOrDefault("GitCommit"), Unknown),
            OrDefault(metadata.GetValueOrDefault("BuildTime"), Unknown));
    }

    private static string OrDefault(string? value, string fallback) =>
        string.IsNullOrWhiteSpace(value) ? fallback : value;
}
