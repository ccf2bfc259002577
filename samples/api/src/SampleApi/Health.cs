using System.Diagnostics;
using System.Text.Json.Serialization;
using Npgsql;

namespace SampleApi;

public static class HealthStatus
{
    public const string Healthy = "healthy";
    public const string Unhealthy = "unhealthy";
}

public sealed record CheckResult(
    string Status,
    double DurationMs,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Error = null);

public sealed record HealthReport(string Status, IReadOnlyDictionary<string, CheckResult> Checks)
{
    [JsonIgnore]
    public int HttpStatusCode => Status == HealthStatus.Healthy ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable;

    /// <summary>Healthy only when every check is: one broken dependency makes the service unready.</summary>
    public static HealthReport From(IReadOnlyDictionary<string, CheckResult> checks) =>
        new(checks.Count > 0 && checks.Values.All(check => check.Status == HealthStatus.Healthy)
                ? HealthStatus.Healthy
                : HealthStatus.Unhealthy,
            checks);
}

public interface IDependencyCheck
{
    string Name { get; }

    Task CheckAsync(CancellationToken cancellationToken);
}

public sealed class HealthService(IEnumerable<IDependencyCheck> checks)
{
    /// <summary>Short, so a health probe answers well within the container health check's timeout.</summary>
    public static readonly TimeSpan CheckTimeout = TimeSpan.FromSeconds(2);

    public async Task<HealthReport> CheckAsync(CancellationToken cancellationToken)
    {
        var results = await Task.WhenAll(checks.Select(check => RunAsync(check, cancellationToken)));
        return HealthReport.From(results.ToDictionary(result => result.Name, result => result.Result));
    }

    private static async Task<(string Name, CheckResult Result)> RunAsync(IDependencyCheck check, CancellationToken cancellationToken)
    {
        var stopwatch = Stopwatch.StartNew();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(CheckTimeout);
        try
        {
            await check.CheckAsync(timeout.Token);
            return (check.Name, new CheckResult(HealthStatus.Healthy, Elapsed(stopwatch)));
        }
        catch (Exception exception) when (!cancellationToken.IsCancellationRequested)
        {
            var error = timeout.IsCancellationRequested ? $"timed out after {CheckTimeout.TotalSeconds:0} s" : exception.Message;
            return (check.Name, new CheckResult(HealthStatus.Unhealthy, Elapsed(stopwatch), error));
        }
    }

    private static double Elapsed(Stopwatch stopwatch) => Math.Round(stopwatch.Elapsed.TotalMilliseconds, 1);
}

/// <summary>The PostgreSQL data source, or null when neither ConnectionStrings__Postgres nor a Postgres__* part is set.</summary>
public sealed record DatabaseOptions(NpgsqlDataSource? DataSource);

public sealed class DatabaseCheck(DatabaseOptions options) : IDependencyCheck
{
    public string Name => "database";

    public async Task CheckAsync(CancellationToken cancellationToken)
    {
        var dataSource = options.DataSource ?? throw new InvalidOperationException("the database is not configured: set ConnectionStrings__Postgres or Postgres__Host/__Database/__Username/__Password");
        await using var command = dataSource.CreateCommand("SELECT 1");
        await command.ExecuteScalarAsync(cancellationToken);
    }
}

/// <summary>The Redis connection string (StackExchange.Redis syntax), or null when not set.</summary>
public sealed record RedisOptions(string? ConnectionString);

public sealed class CacheCheck(RedisOptions options) : IDependencyCheck
{
    public string Name => "cache";

    public Task CheckAsync(CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(options.ConnectionString))
        {
            throw new InvalidOperationException("ConnectionStrings__Redis is not set");
        }

        return RedisPing.PingAsync(RedisEndpoint.Parse(options.ConnectionString), cancellationToken);
    }
}

public static class HealthProbe
{
    public const string Argument = "--healthcheck";

    public static Uri HealthUri(string? httpPorts)
    {
        // ASPNETCORE_HTTP_PORTS may list several ports ("8080;8081"); the first one answers.
        var port = (httpPorts ?? "").Split([';', ','], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .FirstOrDefault() ?? "8080";
        return new Uri($"http://127.0.0.1:{port}/health");
    }

    public static async Task<int> RunAsync(string? httpPorts)
    {
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        try
        {
            using var response = await client.GetAsync(HealthUri(httpPorts));
            Console.WriteLine($"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
            return response.IsSuccessStatusCode ? 0 : 1;
        }
        catch (Exception exception)
        {
            Console.Error.WriteLine($"health check failed: {exception.Message}");
            return 1;
        }
    }
}
