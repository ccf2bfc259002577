using System.Globalization;
using System.Text.Json;

namespace Build.Ops.Doctor;

/// <summary>The .NET SDK against <c>global.json</c>: the version it pins and the roll-forward policy it allows.</summary>
public static class SdkCheck
{
    public const string Name = ".NET SDK";

    /// <summary>The <c>sdk.version</c> and <c>sdk.rollForward</c> of a global.json (rollForward defaults to latestPatch).</summary>
    public static (string Version, string RollForward)? ReadGlobalJson(string path)
    {
        if (!File.Exists(path))
        {
            return null;
        }

        using var document = JsonDocument.Parse(File.ReadAllText(path), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        if (!document.RootElement.TryGetProperty("sdk", out var sdk) || !sdk.TryGetProperty("version", out var version) || version.GetString() is not { } text)
        {
            return null;
        }

        var rollForward = sdk.TryGetProperty("rollForward", out var policy) ? policy.GetString() ?? "latestPatch" : "latestPatch";
        return (text, rollForward);
    }

    /// <summary>The versions of <c>dotnet --list-sdks</c> ("10.0.401 [/usr/share/dotnet/sdk]").</summary>
    public static IReadOnlyList<string> ParseListSdks(string output) =>
        (output ?? throw new ArgumentNullException(nameof(output)))
        .Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
        .Select(l => l.Split(' ', 2)[0])
        .Where(v => Parse(v) is not null)
        .ToArray();

    /// <summary>True when <paramref name="installed"/> satisfies the pinned version under the roll-forward policy.</summary>
    public static bool Satisfies(string required, string rollForward, string installed)
    {
        if (Parse(required) is not { } want || Parse(installed) is not { } have || have.Prerelease && !want.Prerelease)
        {
            return false;
        }

        var sameMajor = have.Major == want.Major;
        var sameMinor = sameMajor && have.Minor == want.Minor;
        var sameBand = sameMinor && have.Band == want.Band;
        var notOlder = have.CompareTo(want) >= 0;
        return (rollForward ?? "latestPatch").ToLowerInvariant() switch
        {
            "disable" => have.CompareTo(want) == 0,
            "patch" or "latestpatch" => sameBand && notOlder,
            "feature" or "latestfeature" => sameMinor && notOlder,
            "minor" or "latestminor" => sameMajor && notOlder,
            "major" or "latestmajor" => notOlder,
            _ => sameBand && notOlder,
        };
    }

    public static DoctorCheck Evaluate((string Version, string RollForward)? pin, IReadOnlyList<string> installed, bool localInstall)
    {
        ArgumentNullException.ThrowIfNull(installed);
        if (pin is not { } wanted)
        {
            return DoctorCheck.Warn(Name, "global.json has no sdk.version", "Pin the SDK in global.json (sdk.version, sdk.rollForward).");
        }

        var rule = $"global.json: {wanted.Version}, rollForward {wanted.RollForward}";
        var match = installed.Where(v => Satisfies(wanted.Version, wanted.RollForward, v)).OrderByDescending(v => Parse(v)).FirstOrDefault();
        if (match is not null)
        {
            return DoctorCheck.Ok(Name, $"{match} ({rule}){(localInstall ? ", in .dotnet/" : string.Empty)}");
        }

        var seen = installed.Count == 0 ? "no SDK installed" : "installed: " + string.Join(", ", installed);
        // DevUp builds in containers: the host SDK is for the build program and tests, which build.sh can install itself.
        return DoctorCheck.Fail(
            Name,
            $"none satisfies {rule} ({seen})",
            $"{Bootstrapper.Command} installs SDK {wanted.Version} into .dotnet/ on its next run; or install it: https://dotnet.microsoft.com/download/dotnet");
    }

    private sealed record SdkVersion(int Major, int Minor, int Band, int Patch, bool Prerelease) : IComparable<SdkVersion>
    {
        public int CompareTo(SdkVersion? other) =>
            other is null ? 1
            : Major != other.Major ? Major.CompareTo(other.Major)
            : Minor != other.Minor ? Minor.CompareTo(other.Minor)
            : Band != other.Band ? Band.CompareTo(other.Band)
            : Patch != other.Patch ? Patch.CompareTo(other.Patch)
            : other.Prerelease.CompareTo(Prerelease);
    }

    private static SdkVersion? Parse(string text)
    {
        var core = text.Split('-', 2);
        var parts = core[0].Split('.');
        if (parts.Length != 3
            || !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var major)
            || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var minor)
            || !int.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out var patch))
        {
            return null;
        }

        return new SdkVersion(major, minor, patch / 100, patch % 100, core.Length > 1);
    }
}
