using System.Text.Json;

namespace Build.Deploy;

/// <summary>The image a build pushed, read from <c>gcloud builds submit --format=json</c> (<c>results.images[{name, digest}]</c>).</summary>
public static class CloudBuildResult
{
    /// <summary>The pushed image as <c>repository@sha256:...</c>: the entry tagged <paramref name="preferredTag"/>, else the first.</summary>
    public static string PushedImage(string output, string preferredTag)
    {
        var images = PushedImages(output, preferredTag);
        return images.Values.First();
    }

    /// <summary>
    /// Every pushed image by its name (the repository path's last part: <c>sample-api</c>, <c>sample-web</c>) as
    /// <c>repository@sha256:...</c>, the one tagged <paramref name="preferredTag"/> first when a build pushes several.
    /// </summary>
    public static IReadOnlyDictionary<string, string> PushedImages(string output, string preferredTag)
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

            var pushed = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var (name, digest) in images.OrderBy(i => i.Name!.EndsWith(":" + preferredTag, StringComparison.Ordinal) ? 0 : 1))
            {
                var repository = name!;
                var colon = repository.LastIndexOf(':');
                if (colon > repository.LastIndexOf('/'))
                {
                    repository = repository[..colon];
                }

                pushed.TryAdd(repository[(repository.LastIndexOf('/') + 1)..], ImageReference.RequireDigest($"{repository}@{digest}", "The build's image"));
            }

            return pushed;
        }
        catch (JsonException exception)
        {
            throw new DeployException($"gcloud builds submit printed a build that is not valid JSON ({exception.Message}).");
        }
    }
}
