using System.Globalization;
using System.Text.RegularExpressions;

namespace Build.Ops.Prune;

/// <summary>Docker's human sizes ("1.635MB", "0B (virtual 276MB)", decimal units) to bytes, and bytes back to text.</summary>
public static partial class ByteSize
{
    public static long Parse(string? text)
    {
        var match = SizePattern().Match(text ?? string.Empty);
        if (!match.Success || !double.TryParse(match.Groups["amount"].Value, NumberStyles.Float, CultureInfo.InvariantCulture, out var amount))
        {
            return 0;
        }

        var factor = match.Groups["unit"].Value.ToUpperInvariant() switch
        {
            "KB" => 1e3,
            "MB" => 1e6,
            "GB" => 1e9,
            "TB" => 1e12,
            "KIB" => 1024d,
            "MIB" => 1024d * 1024,
            "GIB" => 1024d * 1024 * 1024,
            _ => 1d,
        };
        return (long)Math.Round(amount * factor);
    }

    public static string Format(long bytes) => bytes switch
    {
        >= 1_000_000_000 => (bytes / 1e9).ToString("0.0", CultureInfo.InvariantCulture) + " GB",
        >= 1_000_000 => (bytes / 1e6).ToString("0.0", CultureInfo.InvariantCulture) + " MB",
        >= 1_000 => (bytes / 1e3).ToString("0.0", CultureInfo.InvariantCulture) + " kB",
        _ => bytes.ToString(CultureInfo.InvariantCulture) + " B",
    };

    [GeneratedRegex(@"^\s*(?<amount>\d+(?:\.\d+)?)\s*(?<unit>[KMGT]i?B|B)", RegexOptions.IgnoreCase)]
    private static partial Regex SizePattern();
}
