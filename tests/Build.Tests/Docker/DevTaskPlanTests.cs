using Build.Tests.Support;

namespace Build.Tests.Docker;

public sealed class DevTaskPlanTests
{
    [Test]
    public void DevUp_starts_the_stack_before_waiting_for_it()
    {
        // A dry run would run the preflight's queries against the engine: the graph is read from the attributes.
        var dependencies = typeof(Build.Tasks.Dev.DevUpTask).GetCustomAttributes(typeof(Build.Host.IsDependentOnAttribute), false)
            .Cast<Build.Host.IsDependentOnAttribute>().Select(a => a.Task).ToArray();
        Assert.That(dependencies[0], Is.EqualTo(typeof(Build.Tasks.Dev.DevStartTask)));
    }

    [Test]
    public void DevDown_with_volumes_but_without_the_typed_project_name_is_refused_in_one_line()
    {
        var result = HostRun.Run("--target=DevDown", "--volumes", "--project-name=some-stack");

        Assert.That(result.ExitCode, Is.EqualTo(2), result.All);
        Assert.That(result.All, Does.Contain("--volumes deletes every data volume of stack 'some-stack'").And.Contain("--confirm=some-stack"));
        Assert.That(result.All, Does.Not.Contain("   at "), "no stack trace");
    }

    [Test]
    public void DevDown_volumes_refuses_a_confirmation_of_another_project()
    {
        using var app = FixtureApp.Create();
        var result = HostRun.RunIn(app.Root, "--target=DevDown", "--volumes", "--confirm=fixture-dev", "--env=local-prod");

        Assert.That(result.ExitCode, Is.EqualTo(2), result.All);
        Assert.That(result.All, Does.Contain("--confirm=fixture-local-prod"));
    }
}
