using System.Buffers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Build.Docker;

/// <summary>
/// The <c>com.docker.compose.config-hash</c> label Compose v2 gives a service's container, computed from what
/// <c>compose config --format json</c> printed, without asking compose again. Compose 2.26 hashes <c>json.Marshal</c>
/// of the service with <c>build</c>, <c>pull_policy</c>, <c>scale</c> and <c>deploy.replicas</c> cleared
/// (<c>ServiceHash</c> in its pkg/compose/hash.go); <c>config</c> prints the same marshalling, indented, with every
/// <c>$</c> doubled. So: the service's object, its tokens exactly as printed (Go's own escapes kept) without the
/// whitespace, those keys left out, <c>$$</c> back to <c>$</c>, SHA-256. Checked against the labels Compose 2.26.1 wrote
/// (depends_on, deploy limits, <c>$$</c> in a health check). A compose that hashes otherwise (later versions also clear
/// depends_on and profiles) gives other values, and DevUp then always takes its full path: never the other way round,
/// since a changed configuration changes the printed JSON.
/// </summary>
public static class ComposeConfigHash
{
    /// <summary>The keys compose clears before hashing.</summary>
    private static readonly HashSet<string> Cleared = new(StringComparer.Ordinal) { "build", "pull_policy", "scale" };

    /// <summary>Service name to its config hash; empty when the text is not JSON.</summary>
    public static IReadOnlyDictionary<string, string> Compute(string configJson)
    {
        ArgumentNullException.ThrowIfNull(configJson);
        var hashes = new Dictionary<string, string>(StringComparer.Ordinal);
        var bytes = Encoding.UTF8.GetBytes(configJson);
        var reader = new Utf8JsonReader(bytes, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Disallow });
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return hashes;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var isServices = reader.ValueTextEquals("services"u8);
                reader.Read();
                if (!isServices || reader.TokenType != JsonTokenType.StartObject)
                {
                    reader.Skip();
                    continue;
                }

                while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                {
                    var service = reader.GetString()!;
                    reader.Read();
                    hashes[service] = HashService(ref reader, bytes);
                }
            }
        }
        catch (JsonException)
        {
            return new Dictionary<string, string>(StringComparer.Ordinal);
        }

        return hashes;
    }

    /// <summary>Reads one service object (the reader on its StartObject, left on its EndObject) and hashes it as compose does.</summary>
    private static string HashService(ref Utf8JsonReader reader, byte[] source)
    {
        var output = new ArrayBufferWriter<byte>();
        var depth = reader.CurrentDepth;
        var frames = new Stack<Frame>();
        var inDeploy = false;
        Write(ref reader, source, output, frames);
        while (reader.Read())
        {
            if (reader.TokenType == JsonTokenType.PropertyName && reader.CurrentDepth == depth + 1)
            {
                var name = reader.GetString()!;
                inDeploy = name == "deploy";
                if (Cleared.Contains(name))
                {
                    reader.Read();
                    reader.Skip();
                    continue;
                }
            }
            else if (inDeploy && reader.TokenType == JsonTokenType.PropertyName && reader.CurrentDepth == depth + 2 && reader.ValueTextEquals("replicas"u8))
            {
                reader.Read();
                reader.Skip();
                continue;
            }

            Write(ref reader, source, output, frames);
            if (reader.CurrentDepth == depth && reader.TokenType == JsonTokenType.EndObject)
            {
                break;
            }
        }

        // config doubles every '$' of its output (so the text can be fed back to compose); compose hashed the single ones.
        var compact = Encoding.UTF8.GetString(output.WrittenSpan).Replace("$$", "$", StringComparison.Ordinal);
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(compact)));
    }

    /// <summary>An open object or array and how many members it has had so far (each but the first after a comma).</summary>
    private sealed class Frame(bool isObject)
    {
        public bool IsObject { get; } = isObject;

        public int Members { get; set; }
    }

    /// <summary>Writes one token with Go's compact separators; names, strings and numbers exactly as printed.</summary>
    private static void Write(ref Utf8JsonReader reader, byte[] source, ArrayBufferWriter<byte> output, Stack<Frame> frames)
    {
        // In an object the name carries the comma; in an array every value does.
        if (reader.TokenType is not (JsonTokenType.EndObject or JsonTokenType.EndArray)
            && frames.TryPeek(out var parent) && (reader.TokenType == JsonTokenType.PropertyName || !parent.IsObject)
            && parent.Members++ > 0)
        {
            output.Write(","u8);
        }

        switch (reader.TokenType)
        {
            case JsonTokenType.StartObject:
                output.Write("{"u8);
                frames.Push(new Frame(isObject: true));
                break;
            case JsonTokenType.StartArray:
                output.Write("["u8);
                frames.Push(new Frame(isObject: false));
                break;
            case JsonTokenType.EndObject:
                frames.Pop();
                output.Write("}"u8);
                break;
            case JsonTokenType.EndArray:
                frames.Pop();
                output.Write("]"u8);
                break;
            case JsonTokenType.PropertyName:
                output.Write(source.AsSpan((int)reader.TokenStartIndex, reader.ValueSpan.Length + 2));
                output.Write(":"u8);
                break;
            default:
                // ValueSpan is the text between the quotes as printed (escapes kept): Go's own escaping is hashed.
                var length = reader.TokenType == JsonTokenType.String ? reader.ValueSpan.Length + 2 : reader.ValueSpan.Length;
                output.Write(source.AsSpan((int)reader.TokenStartIndex, length));
                break;
        }
    }
}
