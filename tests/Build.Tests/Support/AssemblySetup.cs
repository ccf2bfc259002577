// No namespace: an NUnit set-up fixture applies to its namespace and below, and this one is for every test here.
#pragma warning disable CA1050
/// <summary>
/// The tests expect the messages as build.sh's program writes them. Run through build.ps1 (the Windows CI job), this
/// process inherits KIT_BOOTSTRAPPER=build.ps1: cleared before any test reads it.
/// </summary>
[SetUpFixture]
public sealed class BootstrapperEnvironmentSetup
{
    [OneTimeSetUp]
    public void ClearBootstrapper() => Environment.SetEnvironmentVariable("KIT_BOOTSTRAPPER", null);
}
#pragma warning restore CA1050
