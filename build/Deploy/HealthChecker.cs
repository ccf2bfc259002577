using System.Diagnostics;
using System.Net.Http.Headers;
using Build.Configuration;
using Cake.Core.Diagnostics;

namespace Build.Deploy;

public sealed record HealthResult(bool Healthy, int Attempts, string LastAnswer);

/// <summary>What a soak saw: requests sent, how many failed, the 95th percentile latency, and whether that passes.</summary>
public sealed record SoakResult(bool Passed, int Requests, int Failed, double P95Milliseconds, string Summary);

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

    /// <summary>
    /// Sends <see cref="SoakConfig.MinimumRequests"/> GETs spread evenly over <see cref="SoakConfig.Seconds"/> (the
    /// last pause ends the soak), and judges them all: a failure is no answer or anything but 2xx.
    /// </summary>
    public async Task<SoakResult> SoakAsync(Uri baseUrl, string path, SoakConfig soak, string? bearerToken, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(baseUrl);
        ArgumentNullException.ThrowIfNull(soak);
        var url = new Uri(baseUrl.ToString().TrimEnd('/') + path);
        var interval = TimeSpan.FromSeconds(soak.Seconds / Math.Max(1, soak.MinimumRequests));
        var clock = Stopwatch.StartNew();
        var latencies = new List<double>();
        var failed = 0;
        for (var sent = 0; sent < soak.MinimumRequests; sent++)
        {
            var started = Stopwatch.StartNew();
            var answer = await AskAsync(url, bearerToken, cancellationToken).ConfigureAwait(false);
            latencies.Add(started.Elapsed.TotalMilliseconds);
            if (answer.Length != 3 || answer[0] != '2')
            {
                failed++;
            }

            log.Verbose($"   soak {url}: {answer}");
            var due = interval * (sent + 1) - clock.Elapsed;
            if (due > TimeSpan.Zero)
            {
                await Task.Delay(due, cancellationToken).ConfigureAwait(false);
            }
        }

        latencies.Sort();
        var p95 = latencies[Math.Min(latencies.Count - 1, (int)Math.Ceiling(latencies.Count * 0.95) - 1)];
        var share = 100.0 * failed / latencies.Count;
        var passed = share <= soak.MaxFailedPercent && p95 <= soak.MaxLatencyMilliseconds;
        var summary = string.Create(
            System.Globalization.CultureInfo.InvariantCulture,
            $"{latencies.Count} requests in {clock.Elapsed.TotalSeconds:0.#} s: {failed} failed ({share:0.#}%, at most {soak.MaxFailedPercent:0.##}%), 95th percentile {p95:0} ms (at most {soak.MaxLatencyMilliseconds} ms)");
        log.Information($"   soak {url}: {summary}");
        return new SoakResult(passed, latencies.Count, failed, p95, summary);
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
