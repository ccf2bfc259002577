namespace Build.Tools.Compose;

public enum ComposeFlavor
{
    /// <summary><c>docker compose</c>, the CLI plugin.</summary>
    V2,

    /// <summary><c>docker-compose</c>, the Python program.</summary>
    V1,
}

/// <summary>Which Compose is installed, and what the kit does differently for the older one.</summary>
public sealed record ComposeVersion(ComposeFlavor Flavor, string Version)
{
    public string Executable => Flavor == ComposeFlavor.V2 ? "docker" : "docker-compose";

    public IReadOnlyList<string> Prefix => Flavor == ComposeFlavor.V2 ? ["compose"] : [];

    public bool SupportsWait => Flavor == ComposeFlavor.V2;

    public IReadOnlyList<string> Limitations => Flavor == ComposeFlavor.V2
        ? []
        :
        [
            "no 'up --wait': the kit waits for health checks itself",
            "no top-level 'name:': the kit passes the project name with -p",
            "does not look for compose.yaml: the kit passes every file with -f",
            "builds with BuildKit only when COMPOSE_DOCKER_CLI_BUILD=1 and DOCKER_BUILDKIT=1: the kit sets them",
        ];

    public string Describe() => Flavor == ComposeFlavor.V2
        ? $"Compose v2 {Version} ('docker compose')"
        : $"Compose v1 {Version} ('docker-compose'); Compose v2 is recommended";
}
