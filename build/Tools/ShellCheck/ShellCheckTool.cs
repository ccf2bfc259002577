namespace Build.Tools.ShellCheck;

public sealed record ShellCheckSettings : ToolSettings
{
    /// <summary>The scripts, relative to <see cref="ToolSettings.WorkingDirectory"/>.</summary>
    public IReadOnlyList<string> Files { get; init; } = [];

    /// <summary>Follow <c>source</c> of files not named on the command line.</summary>
    public bool ExternalSources { get; init; } = true;

    /// <summary>One line per finding, <c>file:line:column: level: message</c>, which CI annotations read.</summary>
    public string Format { get; init; } = "gcc";
}

/// <summary>The <c>shellcheck</c> linter.</summary>
public sealed class ShellCheckTool(ICommandRunner runner) : Tool<ShellCheckSettings>(runner)
{
    protected override string ToolName => "shellcheck";

    protected override string? InstallHint => "Install it: apt-get install shellcheck (or brew install shellcheck).";

    public static ArgumentList Arguments(ShellCheckSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return new ArgumentList().AddSwitch("--external-sources", settings.ExternalSources).AddJoined("--format", settings.Format).Add(settings.Files);
    }

    /// <summary>Checks the files; a finding fails with shellcheck's exit code, a missing shellcheck with 127.</summary>
    public Task<CommandResult> CheckAsync(ShellCheckSettings settings, CancellationToken cancellationToken = default) =>
        RunAsync(settings, Arguments(settings), cancellationToken);

    /// <summary>The command <see cref="CheckAsync"/> runs (what a plan prints).</summary>
    public ToolCommand CheckCommand(ShellCheckSettings settings) => CreateCommand(settings, Arguments(settings));
}
