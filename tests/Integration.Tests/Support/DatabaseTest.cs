namespace Integration.Tests.Support;

/// <summary>A fresh database and a fresh kit checkout for every test; both are removed afterwards.</summary>
public abstract class DatabaseTest
{
    private readonly List<string> extraDatabases = [];

    protected PostgresServer Server { get; private set; } = null!;

    protected KitSandbox Kit { get; private set; } = null!;

    protected string Database { get; private set; } = null!;

    /// <summary>The Npgsql connection string of this test's database (superuser, password authentication).</summary>
    protected string Connection => Server.ConnectionString(Database);

    [SetUp]
    public async Task CreateDatabaseAndCheckout()
    {
        Server = PostgresServer.Instance;
        Kit = new KitSandbox();
        Database = await Server.CreateDatabaseAsync(DatabaseName());
    }

    [TearDown]
    public async Task RemoveDatabaseAndCheckout()
    {
        if (Server is null)
        {
            return;
        }

        Kit?.Dispose();
        // The aside copies DbReset and Restore keep are the test's too.
        var asides = Database is null ? [] : await Db.RowsAsync(Server.ConnectionString("postgres"), $"SELECT datname FROM pg_database WHERE starts_with(datname, '{Database.Replace("'", "''", StringComparison.Ordinal)}__aside__')");
        foreach (var name in extraDatabases.Append(Database).Concat(asides).OfType<string>())
        {
            await Server.DropDatabaseAsync(name);
        }
    }

    /// <summary>The database name this test uses; override to test awkward names.</summary>
    protected virtual string? DatabaseName() => null;

    /// <summary>Drops this database too when the test ends (snapshots, scratch databases).</summary>
    protected void DropAfterTest(string name) => extraDatabases.Add(name);

    /// <summary>Runs a task of the real host against this test's database.</summary>
    protected KitSandbox.Result RunTask(string target, params string[] extra) =>
        Kit.Run([$"--target={target}", $"--connection={Connection}", .. extra]);

    protected static void AssertSucceeded(KitSandbox.Result result) => Assert.That(result.ExitCode, Is.Zero, result.All);
}
