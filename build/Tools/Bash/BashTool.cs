namespace Build.Tools.Bash;

public sealed record BashScriptSettings : ToolSettings
{
    public required string Script { get; init; }

    public IReadOnlyList<string> Arguments { get; init; } = [];

    /// <summary>What a failure is named after instead of bash ("docker/offline/build.sh").</summary>
    public string? Name { get; init; }

    /// <summary>What the script needs besides bash, shown when it cannot start.</summary>
    public string? Requirements { get; init; }
}

/// <summary><c>bash</c> running one of the kit's scripts (the offline image builder).</summary>
public sealed class BashTool(ICommandRunner runner) : Tool<BashScriptSettings>(runner)
{
    protected override string ToolName => "bash";

    protected override string? InstallHint => "Install bash (apt-get install bash).";

    public static ArgumentList Arguments(BashScriptSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return new ArgumentList([settings.Script]).Add(settings.Arguments);
    }

    /// <summary>The script's command, named after the script (what a plan prints and runs).</summary>
    public ToolCommand ScriptCommand(BashScriptSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return CreateCommand(settings, Arguments(settings)) with
        {
            Tool = settings.Name ?? ToolName,
            InstallHint = settings.Requirements ?? InstallHint,
        };
    }

    public Task<CommandResult> RunScriptAsync(BashScriptSettings settings, CancellationToken cancellationToken = default) =>
        Runner.RunAsync(ScriptCommand(settings), cancellationToken);
}
