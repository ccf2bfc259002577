namespace Build.Tests.Support;

/// <summary>
/// The unit tests' own app folder (tests/Build.Tests/Fixtures/app), copied into a scratch folder with the kit's config
/// schemas: tests read it instead of the repository's config/, which belongs to whoever adopts the kit.
/// </summary>
public sealed class FixtureApp : IDisposable
{
    private FixtureApp(string root) => Root = root;

    public string Root { get; }

    public static FixtureApp Create()
    {
        var root = Directory.CreateTempSubdirectory("kit-fixture-app-").FullName;
        Copy(Path.Combine(RepositoryRoot.Path, "tests", "Build.Tests", "Fixtures", "app"), root);
        Copy(Path.Combine(RepositoryRoot.Path, "config", "schema"), Path.Combine(root, "config", "schema"));
        return new FixtureApp(root);
    }

    public void Dispose() => Directory.Delete(Root, recursive: true);

    private static void Copy(string from, string to)
    {
        foreach (var file in Directory.GetFiles(from, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(to, Path.GetRelativePath(from, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
    }
}
