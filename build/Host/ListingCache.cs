using System.Reflection;

namespace Build.Host;

/// <summary>
/// The task listing of the last bare run, kept in one file with the key it was made for: the builds (module version
/// ids) of the task assemblies and the program name it tells the user to run. A bare run whose key matches prints the
/// file instead of reading every task's attributes and every parameter's declaration, which was most of a listing's own
/// time. A new build of the program has new ids, so a kept listing is never older than the tasks it lists. Best
/// effort: a file that cannot be read or written is no listing kept.
/// </summary>
public sealed class ListingCache(string path)
{
    private const string Marker = "kit task listing 1";

    public static string Key(IEnumerable<Assembly> taskAssemblies, string programName) =>
        $"{Marker} {programName} {string.Join(' ', taskAssemblies.Select(a => a.ManifestModule.ModuleVersionId.ToString("N")))}";

    /// <summary>The kept listing when it was made for <paramref name="key"/>; null otherwise.</summary>
    public string? Read(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        try
        {
            var text = File.ReadAllText(path);
            var newline = text.IndexOf('\n', StringComparison.Ordinal);
            return newline > 0 && text.AsSpan(0, newline).SequenceEqual(key) ? text[(newline + 1)..] : null;
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>Keeps <paramref name="listing"/> under <paramref name="key"/>: written aside, then renamed over the old file.</summary>
    public void Write(string key, string listing)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(listing);
        var temporary = $"{path}.{Environment.ProcessId}.tmp";
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllText(temporary, key + "\n" + listing);
            File.Move(temporary, path, overwrite: true);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            try
            {
                File.Delete(temporary);
            }
            catch (Exception cleanup) when (cleanup is IOException or UnauthorizedAccessException)
            {
                // Nothing to keep and nothing to clean: a read-only checkout lists from the catalog every time.
            }
        }
    }
}
