using System.Diagnostics;
using System.Net.Http.Headers;
using Build.Configuration;
using Cake.Core.Diagnostics;

namespace Build.Deploy;

public sealed record HealthResult(bool Healthy, int Attempts, string LastAnswer);

/// <summary>
/// A health gate: GET <c>&lt;url&gt;&lt;path&gt;</c> until the configured number of 200 answers in a row, or the time limit.
/// Any other answer (or none) starts the count again.
/// </summary>
public sealed class HealthChecker(ICakeLog log) : IDisposable
{
    private readonly HttpClient client = new(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromSeconds(30) }) { Timeout = TimeSpan.FromSeconds(10) };

    public async Task<HealthResult> WaitHealthyAsync(Uri baseUrl, HealthConfig health, string? bearerToken, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(baseUrl);
        ArgumentNullException.ThrowIfNull(health);
        var url = new Uri(baseUrl.ToString().TrimEnd('/') + health.Path);
        var clock = Stopwatch.StartNew();
        var limit = TimeSpan.FromSeconds(health.TimeoutSeconds);
        var interval = TimeSpan.FromSeconds(health.IntervalSeconds);
        var inRow = 0;
        var attempts = 0;
        var last = "no answer yet";
        while (true)
        {
            attempts++;
            last = await AskAsync(url, bearerToken, cancellationToken).ConfigureAwait(false);
            inRow = last == "200" ? inRow + 1 : 0;
            log.Verbose($"   health {url}: {last} ({inRow}/{health.Consecutive} in a row)");
            if (inRow >= health.Consecutive)
            {
                log.Information($"   healthy: {health.Consecutive} answers 200 in a row from {url}");
                return new HealthResult(true, attempts, last);
            }

            if (clock.Elapsed + interval >= limit)
            {
                return new HealthResult(false, attempts, last);
            }

            await Task.Delay(interval, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<string> AskAsync(Uri url, string? bearerToken, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        if (bearerToken is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearerToken);
        }

        try
        {
            using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
            return ((int)response.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
        catch (HttpRequestException exception)
        {
            return "no answer (" + exception.Message + ")";
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return "no answer within 10 s";
        }
    }

    public void Dispose() => client.Dispose();
}
