using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace SampleApi.Tests;

/// <summary>The API in memory, with no database or cache configured: what needs none of them.</summary>
public sealed class HttpTests
{
    private WebApplicationFactory<Program> factory = null!;
    private HttpClient client = null!;

    [OneTimeSetUp]
    public void StartApi()
    {
        factory = new WebApplicationFactory<Program>().WithWebHostBuilder(builder =>
        {
            builder.UseSetting("ConnectionStrings:Postgres", "");
            builder.UseSetting("ConnectionStrings:Redis", "");
        });
        client = factory.CreateClient();
    }

    [OneTimeTearDown]
    public void StopApi()
    {
        client.Dispose();
        factory.Dispose();
    }

    [Test]
    public async Task Health_is_503_with_a_check_per_dependency_when_they_are_missing()
    {
        using var response = await client.GetAsync("/health");
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.ServiceUnavailable));
        Assert.That(body.RootElement.GetProperty("status").GetString(), Is.EqualTo("unhealthy"));
        var checks = body.RootElement.GetProperty("checks");
        Assert.That(checks.GetProperty("database").GetProperty("status").GetString(), Is.EqualTo("unhealthy"));
        Assert.That(checks.GetProperty("cache").GetProperty("status").GetString(), Is.EqualTo("unhealthy"));
        Assert.That(checks.GetProperty("cache").GetProperty("error").GetString(), Does.Contain("ConnectionStrings__Redis"));
    }

    [Test]
    public async Task Version_has_version_commit_and_build_time()
    {
        var version = await client.GetFromJsonAsync<JsonElement>("/version");

        Assert.That(version.GetProperty("version").GetString(), Is.EqualTo("dev"));
        Assert.That(version.GetProperty("commit").GetString(), Is.EqualTo("unknown"));
        Assert.That(version.GetProperty("buildTime").GetString(), Is.EqualTo("unknown"));
    }

    [Test]
    public async Task Posting_an_item_without_name_is_a_validation_problem()
    {
        using var response = await client.PostAsJsonAsync("/items", new { description = "no name" });
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(problem.GetProperty("errors").TryGetProperty("name", out _), Is.True);
    }

    [Test]
    public async Task Items_are_unavailable_without_a_database()
    {
        using var response = await client.GetAsync("/items");

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.ServiceUnavailable));
    }
}
