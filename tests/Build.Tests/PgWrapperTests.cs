using Build.Tools.Postgres;

namespace Build.Tests;

/// <summary>
/// Debian's postgresql-common: pg_dump, pg_restore and psql on PATH are links to pg_wrapper, which given --host execs
/// the newest installed version's binary. The runner starts that binary directly (PgWrapper.Unwrap).
/// </summary>
public sealed class PgWrapperTests
{
    private string root = null!;

    [SetUp]
    public void CreateLayout()
    {
        root = Directory.CreateTempSubdirectory("kit-pgwrapper-").FullName;
        Directory.CreateDirectory(Path.Combine(root, "bin"));
        Directory.CreateDirectory(Path.Combine(root, "share", "postgresql-common"));
        File.WriteAllText(Path.Combine(root, "share", "postgresql-common", "pg_wrapper"), "#!/usr/bin/perl\n");
        foreach (var (version, tools) in new[] { ("9.6", new[] { "pg_dump", "pg_restore" }), ("15", ["pg_dump", "pg_restore", "psql"]), ("17", ["psql"]), ("notes", ["pg_dump"]) })
        {
            Directory.CreateDirectory(Path.Combine(root, "lib", "postgresql", version, "bin"));
            foreach (var tool in tools)
            {
                File.WriteAllText(Path.Combine(root, "lib", "postgresql", version, "bin", tool), string.Empty);
            }
        }

        foreach (var tool in new[] { "pg_dump", "pg_restore", "psql" })
        {
            File.CreateSymbolicLink(Path.Combine(root, "bin", tool), "../share/postgresql-common/pg_wrapper");
        }

        File.WriteAllText(Path.Combine(root, "bin", "docker"), string.Empty);
    }

    [TearDown]
    public void RemoveLayout() => Directory.Delete(root, recursive: true);

    private string? Unwrap(string executable, string? path = null) =>
        PgWrapper.Unwrap(executable, path ?? Path.Combine(root, "bin"), Path.Combine(root, "lib", "postgresql"));

    [Test]
    public void A_client_behind_the_wrapper_is_the_newest_version_that_has_it()
    {
        Assert.That(Unwrap("pg_dump"), Is.EqualTo(Path.Combine(root, "lib", "postgresql", "15", "bin", "pg_dump")), "15 over 9.6; 17 has no pg_dump, 'notes' is no version");
        Assert.That(Unwrap("pg_restore"), Is.EqualTo(Path.Combine(root, "lib", "postgresql", "15", "bin", "pg_restore")));
        Assert.That(Unwrap("psql"), Is.EqualTo(Path.Combine(root, "lib", "postgresql", "17", "bin", "psql")));
    }

    [Test]
    public void Anything_else_starts_as_it_is()
    {
        Assert.That(Unwrap("docker"), Is.Null, "not a link to the wrapper");
        Assert.That(Unwrap("gcloud"), Is.Null, "not on PATH");
        Assert.That(Unwrap(Path.Combine(root, "bin", "pg_dump")), Is.Null, "a path is started as given");
        Assert.That(Unwrap("pg_dump", Path.Combine(root, "nowhere")), Is.Null);
    }

    [Test]
    public void The_first_PATH_entry_that_has_the_name_decides()
    {
        var own = Path.Combine(root, "own");
        Directory.CreateDirectory(own);
        File.WriteAllText(Path.Combine(own, "pg_dump"), string.Empty);

        Assert.That(Unwrap("pg_dump", own + Path.PathSeparator + Path.Combine(root, "bin")), Is.Null, "a pg_dump of the user's own comes first on PATH: it runs");
        Assert.That(Unwrap("pg_dump", Path.Combine(root, "bin") + Path.PathSeparator + own), Is.Not.Null);
    }

    [Test]
    public void A_wrapper_without_any_installed_version_leaves_the_name()
    {
        Directory.Delete(Path.Combine(root, "lib"), recursive: true);

        Assert.That(Unwrap("pg_dump"), Is.Null, "the wrapper itself then says what to install");
    }
}
