using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Build.Configuration;

/// <summary>
/// Answers kept between runs in a folder of the app's <c>.build/</c>, each under a key made of everything the answer
/// depends on: an answer is a pure function of those inputs, so a kept one is exactly what would be computed again,
/// and any change of an input is a new key. A missing, unreadable or foreign entry is no answer (the caller computes
/// it); losing the folder costs one run its time, never a wrong answer. Entries are written aside and moved into place,
/// so a reader never sees half of one.
/// </summary>
public sealed class AnswerCache(string folder)
{
    /// <summary>The answer kept under <paramref name="key"/>, or the default when there is none (or it cannot be read).</summary>
    public T? Read<T>(string name, string key, JsonTypeInfo<T> type)
    {
        ArgumentNullException.ThrowIfNull(type);
        try
        {
            var path = Path.Combine(folder, name + ".json");
            if (!File.Exists(path))
            {
                return default;
            }

            using var document = JsonDocument.Parse(File.ReadAllBytes(path));
            return document.RootElement.GetProperty("key").GetString() == key
                ? document.RootElement.GetProperty("value").Deserialize(type)
                : default;
        }
        catch (Exception failure) when (failure is IOException or UnauthorizedAccessException or JsonException or KeyNotFoundException or InvalidOperationException)
        {
            return default;
        }
    }

    /// <summary>Keeps <paramref name="value"/> under <paramref name="key"/>.</summary>
    public void Write<T>(string name, string key, T value, JsonTypeInfo<T> type)
    {
        ArgumentNullException.ThrowIfNull(type);
        try
        {
            Directory.CreateDirectory(folder);
            var path = Path.Combine(folder, name + ".json");
            var temporary = $"{path}.{Environment.ProcessId}.tmp";
            using (var stream = File.Create(temporary))
            using (var writer = new Utf8JsonWriter(stream))
            {
                writer.WriteStartObject();
                writer.WriteString("key", key);
                writer.WritePropertyName("value");
                JsonSerializer.Serialize(writer, value, type);
                writer.WriteEndObject();
            }

            File.Move(temporary, path, overwrite: true);
        }
        catch (Exception failure) when (failure is IOException or UnauthorizedAccessException)
        {
            // Only the next run's time is lost.
        }
    }

    /// <summary>A key: the SHA-256 of the parts, one per line, lower-case hex.</summary>
    public static string Key(IEnumerable<string> parts) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(string.Join('\n', parts))));

    /// <summary>The build of the kit that made an answer: a new build may parse or decide differently, so it is part of every key.</summary>
    public static string KitBuild { get; } = typeof(AnswerCache).Assembly.ManifestModule.ModuleVersionId.ToString();
}
