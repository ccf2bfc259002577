namespace Build.Configuration;

/// <summary><c>config/ops.json</c>: what Prune may remove and what Doctor expects of a machine.</summary>
public sealed record OpsConfig : ICheckedConfig
{
    public PruneConfig Prune { get; init; } = new();

    public DoctorConfig Doctor { get; init; } = new();

    public IEnumerable<(string Pointer, string Message)> Problems()
    {
        // The schema checks the form ("24h"); only the number can tell a duration too long for a TimeSpan.
        if (Prune.ImagesOlderThan is { } text && BuildParameters.ParseDuration(text) is null)
        {
            yield return ("/prune/imagesOlderThan", $"'{text}' is longer than the longest duration, {BuildParameters.MaximumDurationDays}d.");
        }
    }
}

public sealed record PruneConfig
{
    /// <summary>
    /// Unused build cache is pruned only beyond this size. The cache is the engine's, shared by every project on it, so
    /// Prune never empties it: it trims the least recently used records down to the cap.
    /// </summary>
    public double BuildCacheCapGb { get; init; } = 10;

    /// <summary>Images younger than this are kept unless <c>--older-than</c> says otherwise (e.g. "24h"); null: any age.</summary>
    public string? ImagesOlderThan { get; init; }

    /// <summary>Tags of this project's repositories that are never removed: the ones compose runs.</summary>
    public IReadOnlyList<string> KeepTags { get; init; } = [];

    /// <summary>Checked at load (<see cref="OpsConfig.Problems"/>): a value here always parses.</summary>
    public TimeSpan? ImagesOlderThanSpan => ImagesOlderThan is null ? null : BuildParameters.ParseDuration(ImagesOlderThan)
        ?? throw new ConfigurationException("config/ops.json", 0, $"/prune/imagesOlderThan: '{ImagesOlderThan}' is not a duration.");
}

public sealed record DoctorConfig
{
    /// <summary>Below this much free disk where Docker keeps images, Doctor fails (image builds would).</summary>
    public double MinFreeDiskGb { get; init; } = 2;

    /// <summary>Below this, Doctor warns.</summary>
    public double WarnFreeDiskGb { get; init; } = 10;

    /// <summary>Each probe (docker, gcloud, psql ...) is stopped after this long: Doctor never hangs.</summary>
    public int ProbeTimeoutSeconds { get; init; } = 5;

    public TimeSpan ProbeTimeout => TimeSpan.FromSeconds(ProbeTimeoutSeconds);
}
