using Build.Docs;
using Build.Host;
using Build.Tests.Support;

namespace Build.Tests;

public sealed class ReadmeTests
{
    [Test]
    public void The_task_table_matches_the_tasks()
    {
        var catalog = new TaskCatalog(typeof(BuildContext).Assembly.GetTypes().Where(t => typeof(IFrostingTask).IsAssignableFrom(t) && !t.IsAbstract));
        var readme = File.ReadAllText(Path.Combine(RepositoryRoot.Path, "README.md"));

        Assert.That(TaskTable.Current(readme), Is.EqualTo(TaskTable.Render(catalog).Trim('\n')), "README.md is out of date: run ./build.sh --target=UpdateReadme");
    }

    [Test]
    public void The_readme_shows_the_two_commands_first()
    {
        var readme = File.ReadAllText(Path.Combine(RepositoryRoot.Path, "README.md"));
        var firstCode = readme.IndexOf("```", StringComparison.Ordinal);

        Assert.That(firstCode, Is.GreaterThan(0));
        var block = readme[firstCode..readme.IndexOf("```", firstCode + 3, StringComparison.Ordinal)];
        Assert.That(block, Does.Contain("./build.sh --target=DevUp").And.Contain("./build.sh --target=Test"));
    }
}
