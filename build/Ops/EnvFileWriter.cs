using System.Security.Cryptography;
using Build.Configuration;
using Build.Ops.Doctor;

namespace Build.Ops;

/// <summary>A new <c>.env</c>: its text and the keys whose development passwords were generated into it.</summary>
public sealed record NewEnvFile(string Text, IReadOnlyList<string> GeneratedKeys)
{
    /// <summary>"POSTGRES_PASSWORD, PGADMIN_PASSWORD", or that there were none.</summary>
    public string DescribeGenerated() => GeneratedKeys.Count == 0 ? "no passwords (none are placeholders)" : string.Join(", ", GeneratedKeys);
}

/// <summary>
/// Writes <c>.env</c> from <c>.env.example</c> with a generated development password for every placeholder: what
/// CreateEnv (and onboarding) does, and what DevUp does on a fresh clone. Never overwrites an existing file.
/// </summary>
public static class EnvFileWriter
{
    /// <summary>The new file's text from the example's; <paramref name="newPassword"/> gives each generated value.</summary>
    public static NewEnvFile FromExample(string exampleText, string examplePath, Func<string> newPassword)
    {
        ArgumentNullException.ThrowIfNull(exampleText);
        ArgumentNullException.ThrowIfNull(newPassword);
        var generated = EnvFileCheck.GeneratedKeys(DotEnvFile.Parse(exampleText, examplePath));
        return new NewEnvFile(EnvFileCheck.Generate(exampleText, generated.ToHashSet(StringComparer.Ordinal), _ => newPassword()), generated);
    }

    /// <summary>32 hex characters: safe in a URL, a connection string and a shell, strong enough for a development stack.</summary>
    public static string NewPassword() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));

    /// <summary>
    /// Written beside, then moved: an interrupted run never leaves half a .env that would then be "never overwritten".
    /// Readable by its owner only. Throws <see cref="IOException"/> when the file appeared meanwhile.
    /// </summary>
    public static void Write(string path, string text)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(text);
        var temporary = path + ".tmp";
        File.WriteAllText(temporary, text);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(temporary, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        File.Move(temporary, path, overwrite: false);
    }
}
