using Build.Host;

namespace Build.Configuration;

/// <summary>
/// The two folders of a run: the kit (its program, the reusable Docker templates, the scripts) and the app folder a
/// team owns (config/, compose files, migrations, seed data, .env, its source). They are the same folder for the
/// sample at the repository root; <c>--app=&lt;folder&gt;</c> or <c>KIT_APP</c> names another.
/// </summary>
/// <param name="Kit">The kit's root: build/, docker/, scripts/, the schemas.</param>
/// <param name="App">The app folder: every path in the app's configuration is relative to it.</param>
public sealed record KitPaths(string Kit, string App)
{
    public string DotEnv => Path.Combine(App, ".env");

    public string DotEnvExample => Path.Combine(App, ".env.example");

    /// <summary>The app's image and compose configuration.</summary>
    public string DockerConfig => Path.Combine(App, "config", "docker.json");

    /// <summary>The kit's reusable Docker assets (templates per stack, the offline stand-ins).</summary>
    public string Docker => Path.Combine(Kit, "docker");

    /// <summary>The app's scratch space (ignored by git): test results, recorded deploys.</summary>
    public string State => Path.Combine(App, ".build");

    public string TestResults => Path.Combine(State, "test-results");

    /// <summary>A path as the user reads it: relative to the kit's root (so an app under samples/ shows as such).</summary>
    public string Relative(string path) => Display(Kit, path);

    /// <summary><paramref name="path"/> relative to <paramref name="root"/> when it is inside it, else in full.</summary>
    public static string Display(string root, string path)
    {
        var relative = Path.GetRelativePath(root, path);
        return relative == ".." || relative.StartsWith(".." + Path.DirectorySeparatorChar, StringComparison.Ordinal) || Path.IsPathRooted(relative)
            ? path
            : relative.Replace('\\', '/');
    }

    /// <summary>
    /// A file the app's configuration names (a Dockerfile): in the app folder when it is there, else in the kit, so an
    /// app uses <c>docker/python/Dockerfile</c> of the kit until it ships its own.
    /// </summary>
    public string AppOrKit(string relative)
    {
        var own = Path.GetFullPath(relative, App);
        return File.Exists(own) || App == Kit ? own : Path.GetFullPath(relative, Kit);
    }

    /// <summary>
    /// The kit's root (<c>KIT_ROOT</c> when the bootstrapper set it, else the folder above this program's <c>build/</c>)
    /// and the app folder: <paramref name="app"/> (<c>--app</c>, else <c>KIT_APP</c>), relative to the current folder;
    /// the kit's root when none is given. An app folder must hold config/project.json.
    /// </summary>
    public static KitPaths Discover(string? app = null, string? origin = null)
    {
        var kit = KitRoot();
        if (string.IsNullOrEmpty(app))
        {
            return new KitPaths(kit, kit);
        }

        var full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(app));
        if (!Directory.Exists(full))
        {
            throw new UsageException($"{origin ?? "--app"}='{app}': no such folder. Name the app folder (the one holding config/project.json), relative to the current folder.");
        }

        if (!File.Exists(Path.Combine(full, "config", "project.json")))
        {
            throw new UsageException($"{origin ?? "--app"}='{app}' has no config/project.json: an app folder holds config/ and its compose files (README, 'Adopting the kit').");
        }

        return new KitPaths(kit, full);
    }

    private static string KitRoot()
    {
        if (System.Environment.GetEnvironmentVariable("KIT_ROOT") is { Length: > 0 } root)
        {
            return Path.GetFullPath(root);
        }

        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "global.json")) && Directory.Exists(Path.Combine(directory.FullName, "build")))
            {
                return directory.FullName;
            }
        }

        return System.Environment.CurrentDirectory;
    }
}
