namespace Build.Tests.Support;

public static class RepositoryRoot
{
    /// <summary>The checkout these tests belong to (the folder holding global.json and build.sh).</summary>
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
