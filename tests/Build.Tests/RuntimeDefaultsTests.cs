namespace Build.Tests;

/// <summary>
/// The runtime settings a bootstrapper chose for the program alone (W^X off for a short run's start-up) stay the
/// program's: taken out of its environment before it starts anything, so the tools it runs keep the runtime's defaults.
/// </summary>
[NonParallelizable]
public sealed class RuntimeDefaultsTests
{
    [Test]
    public void The_settings_the_bootstrapper_named_are_taken_out_of_the_environment_and_nothing_else()
    {
        var names = new[] { Bootstrapper.RuntimeDefaultsVariable, "DOTNET_KitTestKnob", "KIT_TEST_NOT_DOTNET", "DOTNET_KitTestUsersOwn" };
        var saved = names.ToDictionary(n => n, Environment.GetEnvironmentVariable);
        try
        {
            Environment.SetEnvironmentVariable("DOTNET_KitTestKnob", "0");
            Environment.SetEnvironmentVariable("KIT_TEST_NOT_DOTNET", "kept");
            Environment.SetEnvironmentVariable("DOTNET_KitTestUsersOwn", "1");
            Environment.SetEnvironmentVariable(Bootstrapper.RuntimeDefaultsVariable, "DOTNET_KitTestKnob KIT_TEST_NOT_DOTNET");

            Bootstrapper.WithdrawRuntimeDefaults();

            Assert.That(Environment.GetEnvironmentVariable("DOTNET_KitTestKnob"), Is.Null, "named by the bootstrapper: the program's own");
            Assert.That(Environment.GetEnvironmentVariable("KIT_TEST_NOT_DOTNET"), Is.EqualTo("kept"), "only runtime (DOTNET_) settings are ever taken out");
            Assert.That(Environment.GetEnvironmentVariable("DOTNET_KitTestUsersOwn"), Is.EqualTo("1"), "not named: the user's, for every tool");
            Assert.That(Environment.GetEnvironmentVariable(Bootstrapper.RuntimeDefaultsVariable), Is.Null);
        }
        finally
        {
            foreach (var (name, value) in saved)
            {
                Environment.SetEnvironmentVariable(name, value);
            }
        }
    }
}
