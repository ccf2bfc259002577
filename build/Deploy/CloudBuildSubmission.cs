using Build.Configuration;
using Build.Tools;
using Build.Tools.Gcloud;
using Cake.Core.Diagnostics;

namespace Build.Deploy;

/// <summary>
/// CloudBuildDeploy: validates the substitutions against the Cloud Build file, submits the build (its log streams),
/// and records the pushed image's digest for Deploy.
/// </summary>
public sealed class CloudBuildSubmission(GcloudTool gcloud, ReleaseStore store, ICakeLog log, SecretMasker secrets, string root, string? externalCredentials = null)
{
    /// <summary>
    /// What the kit passes: the file's own keys, COMMIT_SHA (set by triggers only, so a manual build passes it), and
    /// the image's version and build time (the commit's time, so an unchanged commit builds the same image).
    /// </summary>
    public static IReadOnlyDictionary<string, string> Substitutions(DeployTarget target, string commit, string version, string buildTime)
    {
        ArgumentNullException.ThrowIfNull(target);
        return new SortedDictionary<string, string>(StringComparer.Ordinal)
        {
            ["COMMIT_SHA"] = commit,
            ["_BUILD_TIME"] = buildTime,
            ["_VERSION"] = version,
            ["_DEPLOY"] = "false",
            ["_ENVIRONMENT"] = target.Environment,
            ["_REGION"] = target.Settings.Region,
            ["_REPOSITORY"] = target.Settings.Repository,
            ["_SERVICE"] = target.Settings.Service,
        };
    }

    /// <summary>
    /// A preview's build is recorded apart (<c>&lt;env&gt;.preview</c>): the environment's record keeps the image its own
    /// Deploy built, so a later <c>--skip-build</c> never deploys a branch's image.
    /// </summary>
    public static string PreviewRecordKey(string environment) => environment + ".preview";

    public BuildsSubmitSettings Prepare(DeployTarget target, CloudBuildConfig config, string commit, string version, string buildTime)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(config);
        var file = Path.Combine(root, config.Config);
        if (!File.Exists(file))
        {
            throw new ConfigurationException("config/deploy.json", 0, $"cloudBuild/config '{config.Config}' does not exist.");
        }

        var substitutions = Substitutions(target, commit, version, buildTime);
        var result = SubstitutionValidator.Validate(File.ReadAllText(file), substitutions, config.Config);
        if (result.Problems.Count > 0)
        {
            // One line, as every refusal: the first problem; fixing it and running again shows the next.
            var more = result.Problems.Count > 1 ? $" ({result.Problems.Count - 1} more after this one.)" : string.Empty;
            throw new DeployException($"{result.Problems[0]}{more} Nothing was uploaded.", 2);
        }

        return new BuildsSubmitSettings
        {
            Project = target.Settings.Project,
            Region = target.Settings.Region,
            Source = config.Source,
            Config = config.Config,
            Substitutions = substitutions,
            ServiceAccount = target.Settings.BuildServiceAccount,
        };
    }

    /// <param name="recordKey">Where the pushed digests are recorded: the environment's record, or a preview's own (<see cref="PreviewRecordKey"/>).</param>
    public async Task<string> SubmitAsync(DeployTarget target, BuildsSubmitSettings settings, string commit, string? recordKey = null)
    {
        var key = recordKey ?? target.Environment;
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(settings);
        await new CloudRunClient(gcloud, target.Location, log, secrets, externalCredentials).PreflightAsync().ConfigureAwait(false);
        var command = GcloudTool.Command(GcloudTool.BuildsSubmitArguments(settings)) with { WorkingDirectory = root };
        var result = await GcloudErrors.ExplainedAsync(() => gcloud.ExecuteAsync(command), target.Settings.Project).ConfigureAwait(false);
        var images = CloudBuildResult.PushedImages(result.StandardOutput, commit);
        var image = images.GetValueOrDefault(target.Settings.ImageName) ?? images.Values.First();
        store.Update(key, r => r with
        {
            Project = target.Settings.Project,
            Service = target.Settings.Service,
            BuiltImage = image,
            BuiltImages = images,
            BuiltCommit = commit,
            BuiltAt = DateTimeOffset.UtcNow,
        });
        log.Information($"Pushed {image} (recorded in {Path.GetRelativePath(root, store.PathOf(key))}).");
        return image;
    }
}
