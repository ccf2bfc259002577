using System.Net.Sockets;
using System.Text;

namespace SampleApi;

/// <summary>
/// Host, port and credentials from a StackExchange.Redis-style connection string
/// ("cache:6379,password=secret,user=name"). StackExchange.Redis itself does not restore on
/// every package feed we use, and PING needs none of it.
/// </summary>
public sealed record RedisEndpoint(string Host, int Port, string? User, string? Password)
{
    public const int DefaultPort = 6379;

    public static RedisEndpoint Parse(string connectionString)
    {
        var parts = connectionString.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        string? address = null, user = null, password = null;
        foreach (var part in parts)
        {
            var equals = part.IndexOf('=');
            if (equals < 0)
            {
                address ??= part;
                continue;
            }

            var key = part[..equals].Trim().ToLowerInvariant();
            var value = part[(equals + 1)..].Trim();
            if (key == "password") password = value;
            else if (key == "user") user = value;
        }

        if (string.IsNullOrEmpty(address))
        {
            throw new FormatException("the Redis connection string names no host");
        }

        var colon = address.LastIndexOf(':');
        if (colon > 0 && !address.EndsWith(']') && int.TryParse(address[(colon + 1)..], out var port))
        {
            return new RedisEndpoint(address[..colon].Trim('[', ']'), port, user, password);
        }

        return new RedisEndpoint(address.Trim('[', ']'), DefaultPort, user, password);
    }
}

public static class RedisPing
{
    public static async Task PingAsync(RedisEndpoint endpoint, CancellationToken cancellationToken)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(endpoint.Host, endpoint.Port, cancellationToken);
        await using var stream = client.GetStream();
        using var reader = new StreamReader(stream, Encoding.UTF8, leaveOpen: true);

        if (endpoint.Password is not null)
        {
            var auth = endpoint.User is null ? Command("AUTH", endpoint.Password) : Command("AUTH", endpoint.User, endpoint.Password);
            await stream.WriteAsync(auth, cancellationToken);
            ExpectReply(await reader.ReadLineAsync(cancellationToken), "+OK");
        }

        await stream.WriteAsync(Command("PING"), cancellationToken);
        ExpectReply(await reader.ReadLineAsync(cancellationToken), "+PONG");
    }

    /// <summary>A RESP array of bulk strings, the form every Redis command takes.</summary>
    public static byte[] Command(params string[] arguments)
    {
        var builder = new StringBuilder().Append('*').Append(arguments.Length).Append("\r\n");
        foreach (var argument in arguments)
        {
            builder.Append('$').Append(Encoding.UTF8.GetByteCount(argument)).Append("\r\n").Append(argument).Append("\r\n");
        }

        return Encoding.UTF8.GetBytes(builder.ToString());
    }

    private static void ExpectReply(string? reply, string expected)
    {
        if (reply != expected)
        {
            throw new InvalidOperationException(reply is null ? "Redis closed the connection" : $"Redis answered {reply}");
        }
    }
}
