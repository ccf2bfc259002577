namespace Build.Tools.Compose;

public sealed record ComposeSettings : ToolSettings
{
    public required string ProjectName { get; init; }

    public IReadOnlyList<string> Files { get; init; } = [];

    public IReadOnlyList<string> Profiles { get; init; } = [];
}

/// <summary>Compose v2 (<c>docker compose</c>) or v1 (<c>docker-compose</c>), detected once, driven with the same typed settings.</summary>
public sealed class ComposeTool(ICommandRunner runner)
{
    private const string InstallHint = "Install Compose v2 (https://docs.docker.com/compose/install/) or, on Debian, apt-get install docker-compose.";

    public async Task<ComposeVersion> DetectAsync(CancellationToken cancellationToken = default)
    {
        foreach (var (flavor, executable, prefix) in new[]
                 {
                     (ComposeFlavor.V2, "docker", new[] { "compose" }),
                     (ComposeFlavor.V1, "docker-compose", Array.Empty<string>()),
                 })
        {
            try
            {
                var result = await runner.RunAsync(
                    new ToolCommand
                    {
                        Tool = "compose",
                        Executable = executable,
                        Arguments = new ArgumentList(prefix).Add(["version", "--short"]),
                        IsQuery = true,
                        Quiet = true,
                    },
                    cancellationToken).ConfigureAwait(false);
                var version = result.StandardOutput.Trim().TrimStart('v');
                if (version.Length > 0)
                {
                    return new ComposeVersion(flavor, version);
                }
            }
            catch (ToolFailedException)
            {
                // Not this one; try the next.
            }
        }

        throw new ToolFailedException("compose", 127, "neither 'docker compose' (v2) nor 'docker-compose' (v1) was found. " + InstallHint, []);
    }

    /// <summary>The global part of every compose command: project, files, profiles, then the subcommand.</summary>
    public static ArgumentList Arguments(ComposeVersion version, ComposeSettings settings, IEnumerable<string> subcommand)
    {
        ArgumentNullException.ThrowIfNull(version);
        ArgumentNullException.ThrowIfNull(settings);
        var arguments = new ArgumentList(version.Prefix).AddOption("-p", settings.ProjectName);
        arguments.AddOptions("-f", settings.Files);
        arguments.AddOptions("--profile", settings.Profiles);
        return arguments.Add(subcommand);
    }

    public static ToolCommand Command(ComposeVersion version, ComposeSettings settings, IEnumerable<string> subcommand, bool query = false, bool quiet = false)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var environment = new Dictionary<string, string?>(settings.EnvironmentVariables);
        if (version.Flavor == ComposeFlavor.V1)
        {
            // v1 builds with the legacy builder (no RUN --mount) unless told to hand builds to the docker CLI.
            environment["COMPOSE_DOCKER_CLI_BUILD"] = "1";
            environment["DOCKER_BUILDKIT"] = "1";
        }

        return new ToolCommand
        {
            Tool = version.Flavor == ComposeFlavor.V2 ? "docker compose" : "docker-compose",
            Executable = version.Executable,
            Arguments = Arguments(version, settings, subcommand),
            WorkingDirectory = settings.WorkingDirectory,
            Environment = environment,
            Timeout = settings.Timeout,
            IsQuery = query,
            Quiet = quiet,
            InstallHint = InstallHint,
        };
    }

    public Task<CommandResult> RunAsync(ComposeVersion version, ComposeSettings settings, IEnumerable<string> subcommand, CancellationToken cancellationToken = default) =>
        runner.RunAsync(Command(version, settings, subcommand), cancellationToken);

    public Task<CommandResult> QueryAsync(ComposeVersion version, ComposeSettings settings, IEnumerable<string> subcommand, CancellationToken cancellationToken = default) =>
        runner.RunAsync(Command(version, settings, subcommand, query: true, quiet: true), cancellationToken);
}
