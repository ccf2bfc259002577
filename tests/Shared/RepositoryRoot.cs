namespace Tests.Shared;

/// <summary>The checkout the tests belong to (the folder holding build.sh and global.json); compiled into every test project.</summary>
public static class RepositoryRoot
{
    public static string Path { get; } = Find();

    private static string Find()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(directory.FullName, "build.sh")) && File.Exists(System.IO.Path.Combine(directory.FullName, "global.json")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("The repository root (with build.sh and global.json) was not found above " + AppContext.BaseDirectory);
    }
}
