using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Build.Tests.Deploy.Support;

/// <summary>
/// A tiny real HTTP server on 127.0.0.1 standing for a Cloud Run revision's URL: answers every request with the status
/// <see cref="Answer"/> gives for the request's number (1-based), and records the requests.
/// </summary>
public sealed class HealthServer : IDisposable
{
    private readonly TcpListener listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource stop = new();
    private readonly List<string> requests = [];
    private int count;

    public HealthServer(Func<int, int> answer)
    {
        Answer = answer;
        listener.Start();
        _ = Task.Run(ServeAsync);
    }

    public static HealthServer Healthy() => new(_ => 200);

    public static HealthServer Unhealthy() => new(_ => 503);

    public Func<int, int> Answer { get; set; }

    public string Url => $"http://127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}";

    /// <summary>Request lines and Authorization headers received ("GET /health" or "GET /health auth=Bearer ...").</summary>
    public IReadOnlyList<string> Requests
    {
        get
        {
            lock (requests)
            {
                return requests.ToArray();
            }
        }
    }

    private async Task ServeAsync()
    {
        while (!stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await listener.AcceptTcpClientAsync(stop.Token);
            }
            catch (Exception exception) when (exception is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }

            _ = Task.Run(() => HandleAsync(client));
        }
    }

    private async Task HandleAsync(TcpClient client)
    {
        using (client)
        {
            var stream = client.GetStream();
            var reader = new StreamReader(stream, Encoding.ASCII);
            var requestLine = await reader.ReadLineAsync() ?? string.Empty;
            string? authorization = null;
            while (await reader.ReadLineAsync() is { Length: > 0 } header)
            {
                if (header.StartsWith("Authorization:", StringComparison.OrdinalIgnoreCase))
                {
                    authorization = header["Authorization:".Length..].Trim();
                }
            }

            var parts = requestLine.Split(' ');
            lock (requests)
            {
                requests.Add($"{parts[0]} {(parts.Length > 1 ? parts[1] : string.Empty)}{(authorization is null ? string.Empty : " auth=" + authorization)}");
            }

            var status = Answer(Interlocked.Increment(ref count));
            var body = status == 200 ? "Healthy" : "Unhealthy";
            var response = $"HTTP/1.1 {status} X\r\nContent-Type: text/plain\r\nContent-Length: {body.Length}\r\nConnection: close\r\n\r\n{body}";
            var bytes = Encoding.ASCII.GetBytes(response);
            await stream.WriteAsync(bytes);
        }
    }

    public void Dispose()
    {
        stop.Cancel();
        listener.Stop();
        stop.Dispose();
    }
}
