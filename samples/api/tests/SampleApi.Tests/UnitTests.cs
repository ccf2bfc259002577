using System.Text;
using Microsoft.Extensions.Configuration;
using SampleApi;

namespace SampleApi.Tests;

public sealed class HealthReportTests
{
    [Test]
    public void Healthy_when_every_check_is_healthy()
    {
        var report = HealthReport.From(new Dictionary<string, CheckResult>
        {
            ["database"] = new(HealthStatus.Healthy, 1),
            ["cache"] = new(HealthStatus.Healthy, 1),
        });

        Assert.That(report.Status, Is.EqualTo(HealthStatus.Healthy));
        Assert.That(report.HttpStatusCode, Is.EqualTo(200));
    }

    [Test]
    public void Unhealthy_with_503_when_one_check_fails()
    {
        var report = HealthReport.From(new Dictionary<string, CheckResult>
        {
            ["database"] = new(HealthStatus.Healthy, 1),
            ["cache"] = new(HealthStatus.Unhealthy, 2000, "timed out"),
        });

        Assert.That(report.Status, Is.EqualTo(HealthStatus.Unhealthy));
        Assert.That(report.HttpStatusCode, Is.EqualTo(503));
    }

    [Test]
    public void Unhealthy_when_nothing_was_checked() =>
        Assert.That(HealthReport.From(new Dictionary<string, CheckResult>()).Status, Is.EqualTo(HealthStatus.Unhealthy));

    [Test]
    public async Task A_check_that_hangs_is_reported_as_timed_out()
    {
        var service = new HealthService([new HangingCheck()]);

        var report = await service.CheckAsync(CancellationToken.None);

        Assert.That(report.Checks["hangs"].Status, Is.EqualTo(HealthStatus.Unhealthy));
        Assert.That(report.Checks["hangs"].Error, Does.Contain("timed out"));
        Assert.That(report.Checks["hangs"].DurationMs, Is.LessThan(10_000));
    }

    private sealed class HangingCheck : IDependencyCheck
    {
        public string Name => "hangs";

        public Task CheckAsync(CancellationToken cancellationToken) => Task.Delay(Timeout.Infinite, cancellationToken);
    }
}

public sealed class HealthProbeTests
{
    [TestCase(null, "http://127.0.0.1:8080/health")]
    [TestCase("", "http://127.0.0.1:8080/health")]
    [TestCase("5000", "http://127.0.0.1:5000/health")]
    [TestCase("8081;8082", "http://127.0.0.1:8081/health")]
    public void Probes_the_first_http_port(string? ports, string expected) =>
        Assert.That(HealthProbe.HealthUri(ports).ToString(), Is.EqualTo(expected));

    [Test]
    public async Task Fails_when_nothing_listens() =>
        Assert.That(await HealthProbe.RunAsync("1"), Is.EqualTo(1));
}

public sealed class RedisTests
{
    [TestCase("cache:6379", "cache", 6379, null, null)]
    [TestCase("cache", "cache", 6379, null, null)]
    [TestCase("10.0.0.5:6380,password=secret,abortConnect=false", "10.0.0.5", 6380, null, "secret")]
    [TestCase("cache:6379,user=app,password=p=w", "cache", 6379, "app", "p=w")]
    [TestCase("[::1]:6379", "::1", 6379, null, null)]
    public void Parses_StackExchange_style_connection_strings(string connectionString, string host, int port, string? user, string? password) =>
        Assert.That(RedisEndpoint.Parse(connectionString), Is.EqualTo(new RedisEndpoint(host, port, user, password)));

    [Test]
    public void Rejects_a_connection_string_without_host() =>
        Assert.Throws<FormatException>(() => RedisEndpoint.Parse("password=secret"));

    [Test]
    public void Encodes_commands_as_RESP_arrays() =>
        Assert.That(Encoding.UTF8.GetString(RedisPing.Command("AUTH", "pä")), Is.EqualTo("*2\r\n$4\r\nAUTH\r\n$3\r\npä\r\n"));
}

public sealed class NewItemTests
{
    [Test]
    public void A_named_item_is_valid() =>
        Assert.That(new NewItem("widget", null).Validate(), Is.Empty);

    [TestCase(null)]
    [TestCase("")]
    [TestCase("   ")]
    public void Name_is_required(string? name) =>
        Assert.That(new NewItem(name, "x").Validate().Keys, Is.EquivalentTo(new[] { "name" }));

    [Test]
    public void Long_name_and_description_are_rejected() =>
        Assert.That(
            new NewItem(new string('n', NewItem.NameMaxLength + 1), new string('d', NewItem.DescriptionMaxLength + 1)).Validate().Keys,
            Is.EquivalentTo(new[] { "name", "description" }));
}

public sealed class BuildInfoTests
{
    [Test]
    public void Unstamped_builds_report_dev_and_unknown()
    {
        var info = BuildInfo.FromAssembly(typeof(BuildInfo).Assembly);

        // A plain `dotnet test` does not stamp the build; the image build passes -p:AppVersion etc.
        Assert.That(info, Is.EqualTo(new BuildInfo("dev", "unknown", "unknown")));
    }
}

public sealed class DatabaseConnectionTests
{
    [TestCase("Sup3r$ecret-Value")]
    [TestCase("Pa\"ss\\wo;rd=X$y-1")]
    [TestCase("it's; Database=other")]
    public void A_password_given_on_its_own_survives_whatever_it_holds(string password)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ConnectionStrings:Postgres"] = "Host=db;Port=5432;Timeout=5",
            ["Postgres:Database"] = "app",
            ["Postgres:Username"] = "app",
            ["Postgres:Password"] = password,
        }).Build();

        var combined = new Npgsql.NpgsqlConnectionStringBuilder(DatabaseConnection.ConnectionString(configuration));

        Assert.That(combined.Password, Is.EqualTo(password));
        Assert.That(combined.Database, Is.EqualTo("app"));
        Assert.That(combined.Host, Is.EqualTo("db"));
        Assert.That(combined.Timeout, Is.EqualTo(5));
    }

    [Test]
    public void Nothing_configured_is_no_connection_string() =>
        Assert.That(DatabaseConnection.ConnectionString(new ConfigurationBuilder().Build()), Is.Null);
}
