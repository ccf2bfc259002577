using E2E.Tests.Support;

namespace E2E.Tests.Ops;

/// <summary>Small readers the Ops tests share; running things is <see cref="Kit"/>'s job.</summary>
public static class OpsKit
{
    public static IReadOnlyList<string> Lines(Kit.Result result) =>
        result.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    /// <summary>True when docker knows the object (image, container, volume, network).</summary>
    public static bool Exists(string kind, string name) => Kit.Docker(kind, "inspect", name).ExitCode == 0;
}
