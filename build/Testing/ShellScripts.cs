namespace Build.Testing;

/// <summary>The repository's shell scripts: *.sh files and extensionless files starting with a bash or sh shebang.</summary>
public static class ShellScripts
{
    private static readonly string[] Skipped = ["bin", "obj", ".git", ".build", ".dotnet", "node_modules", "backups"];

    public static IReadOnlyList<string> Find(string root)
    {
        var found = new List<string>();
        Walk(root, root, found);
        found.Sort(StringComparer.Ordinal);
        return found;
    }

    private static void Walk(string root, string directory, List<string> found)
    {
        foreach (var file in Directory.EnumerateFiles(directory))
        {
            if (file.EndsWith(".sh", StringComparison.Ordinal) || (Path.GetExtension(file).Length == 0 && HasShellShebang(file)))
            {
                found.Add(Path.GetRelativePath(root, file));
            }
        }

        foreach (var child in Directory.EnumerateDirectories(directory))
        {
            if (!Skipped.Contains(Path.GetFileName(child)))
            {
                Walk(root, child, found);
            }
        }
    }

    private static bool HasShellShebang(string file)
    {
        using var reader = new StreamReader(file);
        var first = reader.ReadLine() ?? string.Empty;
        return first.StartsWith("#!", StringComparison.Ordinal) && (first.Contains("bash", StringComparison.Ordinal) || first.EndsWith("/sh", StringComparison.Ordinal));
    }
}
