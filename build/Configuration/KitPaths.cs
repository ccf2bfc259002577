namespace Build.Configuration;

/// <summary>Every path the kit uses, relative to the repository root, in one place.</summary>
public sealed record KitPaths(string Root)
{
    public string DotEnv => Path.Combine(Root, ".env");

    public string DotEnvExample => Path.Combine(Root, ".env.example");

    public string Docker => Path.Combine(Root, "docker");

    /// <summary>The kit's own scratch space (ignored by git): build stamps, test results, recorded deploys.</summary>
    public string State => Path.Combine(Root, ".build");

    public string TestResults => Path.Combine(Root, ".build", "test-results");

    public string Relative(string path) => Path.GetRelativePath(Root, path);

    /// <summary>The repository root: <c>KIT_ROOT</c> when the bootstrapper set it, else the folder above this program's <c>build/</c>.</summary>
    public static KitPaths Discover()
    {
        if (System.Environment.GetEnvironmentVariable("KIT_ROOT") is { Length: > 0 } root)
        {
            return new KitPaths(Path.GetFullPath(root));
        }

        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "global.json")) && Directory.Exists(Path.Combine(directory.FullName, "build")))
            {
                return new KitPaths(directory.FullName);
            }
        }

        return new KitPaths(System.Environment.CurrentDirectory);
    }
}
