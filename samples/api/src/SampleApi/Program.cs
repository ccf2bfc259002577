using Npgsql;
using SampleApi;

// Container health check without curl in the image: probe our own /health and exit 0/1.
if (args.Contains(HealthProbe.Argument))
{
    return await HealthProbe.RunAsync(Environment.GetEnvironmentVariable("ASPNETCORE_HTTP_PORTS"));
}

var builder = WebApplication.CreateBuilder(args);

builder.Services.AddSingleton(BuildInfo.FromAssembly(typeof(Program).Assembly));
builder.Services.AddSingleton(serviceProvider =>
{
    var connectionString = DatabaseConnection.ConnectionString(builder.Configuration);
    return new DatabaseOptions(connectionString is null ? null : NpgsqlDataSource.Create(connectionString));
});
builder.Services.AddSingleton(_ => new RedisOptions(builder.Configuration.GetConnectionString("Redis")));
builder.Services.AddSingleton<IDependencyCheck, DatabaseCheck>();
builder.Services.AddSingleton<IDependencyCheck, CacheCheck>();
builder.Services.AddSingleton<HealthService>();
builder.Services.AddSingleton<ItemRepository>();
builder.Services.AddProblemDetails();

var app = builder.Build();

app.MapGet("/health", async (HealthService health, CancellationToken cancellationToken) =>
{
    var report = await health.CheckAsync(cancellationToken);
    return Results.Json(report, statusCode: report.HttpStatusCode);
});

app.MapGet("/version", (BuildInfo buildInfo) => Results.Ok(buildInfo));

app.MapItemEndpoints();

app.Run();
return 0;

/// <summary>Entry point type, public so in-memory HTTP tests can host the app.</summary>
public partial class Program;
