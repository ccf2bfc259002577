using System.Text.Json;

namespace Build.Deploy;

/// <summary>
/// What the kit remembers about one environment (<c>.build/deploy/&lt;env&gt;.json</c>): the image CloudBuildDeploy pushed,
/// and the revision that served before the last traffic move, so Rollback knows where to go back to.
/// </summary>
public sealed record ReleaseRecord
{
    public required string Environment { get; init; }

    public string? Project { get; init; }

    public string? Service { get; init; }

    /// <summary>The last image pushed by CloudBuildDeploy, by digest.</summary>
    public string? BuiltImage { get; init; }

    /// <summary>Every image the last build pushed, by name (an app whose services run different images), by digest.</summary>
    public IReadOnlyDictionary<string, string> BuiltImages { get; init; } = new Dictionary<string, string>();

    public string? BuiltCommit { get; init; }

    public DateTimeOffset? BuiltAt { get; init; }

    /// <summary>The image of the last deploy, by digest.</summary>
    public string? DeployedImage { get; init; }

    /// <summary>The commit the deployed image was built from, when known (its revision's kit-commit label).</summary>
    public string? DeployedCommit { get; init; }

    /// <summary>The revision the last deploy created.</summary>
    public string? DeployedRevision { get; init; }

    /// <summary>The revision that served before traffic last moved: where Rollback goes.</summary>
    public string? PreviousRevision { get; init; }

    /// <summary>The revision the last Rollback took traffic from (or the candidate it rejected): Promote refuses it.</summary>
    public string? RolledBackRevision { get; init; }

    /// <summary>deploying, serving, canary (Promote finishes it), failed, rolled-back.</summary>
    public string? Status { get; init; }

    public DateTimeOffset? UpdatedAt { get; init; }

    /// <summary>Every Deploy, Promote and Rollback that moved or tried to move traffic, oldest first (the last 50).</summary>
    public IReadOnlyList<ReleaseEvent> History { get; init; } = [];

    public ReleaseRecord WithEvent(ReleaseEvent entry) => this with { History = [.. History.TakeLast(49), entry] };
}

/// <summary>One entry of a release history: who did what with which image, how each gate went, and the outcome.</summary>
public sealed record ReleaseEvent(DateTimeOffset At, string Action, string? Account, string? Image, string? Revision, string Outcome, IReadOnlyList<string> Gates);

/// <summary>Reads and writes <see cref="ReleaseRecord"/>s; a write replaces the file atomically.</summary>
public sealed class ReleaseStore(string directory)
{
    private static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    public string Directory { get; } = directory;

    public string PathOf(string environment) => System.IO.Path.Combine(Directory, environment + ".json");

    public ReleaseRecord? Read(string environment)
    {
        var path = PathOf(environment);
        if (!File.Exists(path))
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize<ReleaseRecord>(File.ReadAllText(path), Options);
        }
        catch (JsonException exception)
        {
            throw new DeployException($"{path} is not a release record ({exception.Message}): delete it and run CloudBuildDeploy again.", 2);
        }
    }

    public ReleaseRecord Update(string environment, Func<ReleaseRecord, ReleaseRecord> change)
    {
        ArgumentNullException.ThrowIfNull(change);
        var record = change(Read(environment) ?? new ReleaseRecord { Environment = environment }) with { UpdatedAt = DateTimeOffset.UtcNow };
        System.IO.Directory.CreateDirectory(Directory);
        var path = PathOf(environment);
        var temporary = path + ".tmp";
        File.WriteAllText(temporary, JsonSerializer.Serialize(record, Options));
        File.Move(temporary, path, overwrite: true);
        return record;
    }
}
