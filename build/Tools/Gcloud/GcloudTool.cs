namespace Build.Tools.Gcloud;

public sealed record GcloudSettings : ToolSettings
{
    public string? Project { get; init; }
}

/// <summary>The <c>gcloud</c> CLI. Output is asked for as JSON and parsed with System.Text.Json.</summary>
public sealed class GcloudTool(ICommandRunner runner) : Tool<GcloudSettings>(runner)
{
    protected override string ToolName => "gcloud";

    protected override string? InstallHint => "Install the Google Cloud CLI: https://cloud.google.com/sdk/docs/install";

    public static ArgumentList Arguments(GcloudSettings settings, IEnumerable<string> command, bool json)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var arguments = new ArgumentList(command).AddJoined("--project", settings.Project);
        return json ? arguments.Add("--format=json") : arguments;
    }

    public Task<CommandResult> RunAsync(GcloudSettings settings, IEnumerable<string> command, CancellationToken cancellationToken = default) =>
        RunAsync(settings, Arguments(settings, command, json: false), cancellationToken);

    public Task<CommandResult> QueryJsonAsync(GcloudSettings settings, IEnumerable<string> command, CancellationToken cancellationToken = default) =>
        QueryAsync(settings, Arguments(settings, command, json: true), cancellationToken);
}
