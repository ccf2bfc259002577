using System.Text.Json;

namespace E2E.Tests.Support;

/// <summary>
/// What the end-to-end tests need to know of the app they run (the repository's app folder), read from its
/// config/docker.json rather than written into the tests: a team that renames its images keeps a green suite.
/// </summary>
public static class AppConfig
{
    private static readonly Lazy<JsonElement> Docker = new(() =>
    {
        using var document = JsonDocument.Parse(
            File.ReadAllText(Path.Combine(Kit.Root, "config", "docker.json")),
            new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        return document.RootElement.Clone();
    });

    /// <summary>The repository of an image of config/docker.json (e.g. the sample's <c>api</c>).</summary>
    public static string Repository(string image) =>
        Docker.Value.GetProperty("images").GetProperty(image).GetProperty("repository").GetString()!;

    /// <summary>A host-port variable's default in config/docker.json (what a stack gets when no .env sets it).</summary>
    public static int HostPort(string variable) => Docker.Value.GetProperty("hostPorts").GetProperty(variable).GetInt32();

    /// <summary>A host-port variable's default in another app folder's config/docker.json (a sample under samples/).</summary>
    public static int HostPort(string app, string variable)
    {
        using var document = JsonDocument.Parse(
            File.ReadAllText(Path.Combine(Kit.Root, app, "config", "docker.json")),
            new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        return document.RootElement.GetProperty("hostPorts").GetProperty(variable).GetInt32();
    }

    /// <summary>A host-port variable as a .env written from .env.example has it (onboarding), else its default.</summary>
    public static int ExamplePort(string variable)
    {
        var line = File.ReadLines(Path.Combine(Kit.Root, ".env.example")).FirstOrDefault(l => l.StartsWith(variable + "=", StringComparison.Ordinal));
        return line is not null && int.TryParse(line[(variable.Length + 1)..].Trim(), out var port) ? port : HostPort(variable);
    }
}
