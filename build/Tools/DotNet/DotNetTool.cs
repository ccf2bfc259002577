namespace Build.Tools.DotNet;

public sealed record DotNetSettings : ToolSettings;

public sealed record DotNetTestSettings : ToolSettings
{
    /// <summary>The test project (.csproj) or solution.</summary>
    public required string Project { get; init; }

    public string Configuration { get; init; } = "Release";

    /// <summary>Each becomes one <c>--logger</c> ("trx;LogFileName=...", "console;verbosity=normal"), in order.</summary>
    public IReadOnlyList<string> Loggers { get; init; } = [];

    /// <summary>A test filter expression (<c>--filter</c>); none when null.</summary>
    public string? Filter { get; init; }
}

/// <summary>The <c>dotnet</c> CLI: the test suites, and Doctor's look at the installed SDKs.</summary>
public sealed class DotNetTool(ICommandRunner runner) : Tool<DotNetSettings>(runner)
{
    private const string InstallText = "Install the .NET SDK that global.json names (./build.sh installs it into .dotnet/ when the system's does not fit).";

    protected override string ToolName => "dotnet";

    protected override string? InstallHint => InstallText;

    /// <summary>
    /// A dotnet command from prepared arguments (Doctor's probes); <paramref name="executable"/> names another dotnet
    /// than the one on PATH (the repository's own <c>.dotnet/dotnet</c>).
    /// </summary>
    public static ToolCommand Command(ArgumentList arguments, bool query = false, string? executable = null) =>
        Bare("dotnet", InstallText, arguments, query, executable);

    public static ArgumentList ListSdksArguments() => new(["--list-sdks"]);

    public static ArgumentList TestArguments(DotNetTestSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var arguments = new ArgumentList(["test", settings.Project]).AddOption("--configuration", settings.Configuration).Add("--nologo");
        return arguments.AddOptions("--logger", settings.Loggers).AddOption("--filter", settings.Filter);
    }

    /// <summary><c>dotnet test</c>, streamed; a failing test run is a <see cref="ToolFailedException"/> like any other failure.</summary>
    public ToolCommand TestCommand(DotNetTestSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return CreateCommand(new DotNetSettings { WorkingDirectory = settings.WorkingDirectory, EnvironmentVariables = settings.EnvironmentVariables, Timeout = settings.Timeout }, TestArguments(settings)) with
        {
            // The name a failure carries: which dotnet command failed.
            Tool = "dotnet test",
        };
    }

    public Task<CommandResult> TestAsync(DotNetTestSettings settings, CancellationToken cancellationToken = default) =>
        Runner.RunAsync(TestCommand(settings), cancellationToken);
}
