using System.Text.Json;

namespace Build.Deploy;

/// <summary>The image a build pushed, read from <c>gcloud builds submit --format=json</c> (<c>results.images[{name, digest}]</c>).</summary>
public static class CloudBuildResult
{
    /// <summary>The pushed image as <c>repository@sha256:...</c>: the entry tagged <paramref name="preferredTag"/>, else the first.</summary>
    public static string PushedImage(string output, string preferredTag)
    {
        ArgumentNullException.ThrowIfNull(output);
        // The build log streams first; the build resource is the JSON object that starts at the beginning of a line.
        var start = output.StartsWith('{') ? 0 : output.IndexOf("\n{", StringComparison.Ordinal) + 1;
        if (start < 0 || (start == 0 && !output.StartsWith('{')))
        {
            throw new DeployException("gcloud builds submit finished without printing the build as JSON: no image digest to record. Is gcloud up to date ('gcloud components update')?");
        }

        try
        {
            using var document = JsonDocument.Parse(output[start..]);
            var images = document.RootElement.TryGetProperty("results", out var results) && results.TryGetProperty("images", out var list) && list.ValueKind == JsonValueKind.Array
                ? list.EnumerateArray().Select(i => (Name: CloudRunService.Text(i, "name"), Digest: CloudRunService.Text(i, "digest"))).Where(i => i.Name is not null && i.Digest is not null).ToArray()
                : [];
            if (images.Length == 0)
            {
                throw new DeployException("The build pushed no image it reports (results.images is empty): config/cloudbuild.yaml needs an 'images:' list naming the pushed tags.");
            }

            var chosen = images.FirstOrDefault(i => i.Name!.EndsWith(":" + preferredTag, StringComparison.Ordinal));
            var (name, digest) = chosen.Name is null ? images[0] : chosen;
            var repository = name!;
            var colon = repository.LastIndexOf(':');
            if (colon > repository.LastIndexOf('/'))
            {
                repository = repository[..colon];
            }

            return ImageReference.RequireDigest($"{repository}@{digest}", "The build's image");
        }
        catch (JsonException exception)
        {
            throw new DeployException($"gcloud builds submit printed a build that is not valid JSON ({exception.Message}).");
        }
    }
}
