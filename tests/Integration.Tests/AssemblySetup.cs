using Integration.Tests.Support;

// No namespace: an NUnit set-up fixture applies to its namespace and below, and this one is for every test here.
#pragma warning disable CA1050
/// <summary>Starts the server once for the whole assembly and stops it at the end.</summary>
[SetUpFixture]
public sealed class PostgresServerSetup
{
    [OneTimeSetUp]
    public void Start() => PostgresServer.Start();

    [OneTimeTearDown]
    public void Stop() => PostgresServer.Stop();
}
#pragma warning restore CA1050
