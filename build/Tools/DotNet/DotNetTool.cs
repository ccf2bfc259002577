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

    /// <summary>Runs what <see cref="DotNetTool.BuildCommand"/> built (<c>--no-build</c>): suites that run side by side never build one project twice at once.</summary>
    public bool NoBuild { get; init; }
}

/// <summary>The <c>dotnet</c> CLI: the test suites, and Doctor's look at the installed SDKs.</summary>
public sealed class DotNetTool(ICommandRunner runner) : Tool<DotNetSettings>(runner)
{
    private static readonly string InstallText = $"Install the .NET SDK that global.json names ({Bootstrapper.Command} installs it into .dotnet/ when the system's does not fit).";

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
        if (settings.NoBuild)
        {
            arguments.Add("--no-build");
        }

        return arguments.AddOptions("--logger", settings.Loggers).AddOption("--filter", settings.Filter);
    }

    /// <summary><c>dotnet build</c> of a test project in the configuration its <c>dotnet test --no-build</c> runs.</summary>
    public static ArgumentList BuildArguments(DotNetTestSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return new ArgumentList(["build", settings.Project]).AddOption("--configuration", settings.Configuration).Add("--nologo");
    }

    public ToolCommand BuildCommand(DotNetTestSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return CreateCommand(ProcessSettings(settings), BuildArguments(settings)) with
        {
            Tool = "dotnet build",
        };
    }

    /// <summary><c>dotnet test</c>, streamed; a failing test run is a <see cref="ToolFailedException"/> like any other failure.</summary>
    public ToolCommand TestCommand(DotNetTestSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return CreateCommand(ProcessSettings(settings), TestArguments(settings)) with
        {
            // The name a failure carries: which dotnet command failed.
            Tool = "dotnet test",
        };
    }

    private static DotNetSettings ProcessSettings(DotNetTestSettings settings) =>
        new() { WorkingDirectory = settings.WorkingDirectory, EnvironmentVariables = settings.EnvironmentVariables, Timeout = settings.Timeout };

    public Task<CommandResult> TestAsync(DotNetTestSettings settings, CancellationToken cancellationToken = default) =>
        Runner.RunAsync(TestCommand(settings), cancellationToken);
}
