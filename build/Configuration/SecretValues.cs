using Build.Tools;

namespace Build.Configuration;

/// <summary>
/// What a secret must be for the kit to keep it out of its output: at least <see cref="SecretMasker.MinimumLength"/>
/// characters. A shorter one cannot be masked (it would blank ordinary words), so it is refused at load, before
/// anything could print it, in one line naming where it came from, never its text.
/// </summary>
public static class SecretValues
{
    public static void RequireMaskable(string name, string? value, string origin)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(origin);
        if (string.IsNullOrEmpty(value) || value.Length >= SecretMasker.MinimumLength)
        {
            return;
        }

        throw new ConfigurationException(
            $"{origin}: {name} is {value.Length} character{(value.Length == 1 ? "" : "s")} long; a secret needs at least {SecretMasker.MinimumLength} "
            + "for the kit to keep it out of its output. Set a longer one (e.g. openssl rand -hex 16).");
    }

    /// <summary>
    /// Every secret-named variable of <c>.env</c>, and the value the process environment gives the same names (it wins
    /// over <c>.env</c>), plus the secret-named variables <c>.env.example</c> declares: the stack's own secrets.
    /// </summary>
    public static void RequireMaskable(DotEnvFile dotEnv, DotEnvFile example, IReadOnlyDictionary<string, string?> process, Func<string, bool> isSecretName)
    {
        ArgumentNullException.ThrowIfNull(dotEnv);
        ArgumentNullException.ThrowIfNull(example);
        ArgumentNullException.ThrowIfNull(process);
        ArgumentNullException.ThrowIfNull(isSecretName);
        foreach (var name in dotEnv.Values.Keys.Concat(example.Values.Keys).Distinct(StringComparer.Ordinal).Where(isSecretName).Order(StringComparer.Ordinal))
        {
            if (process.TryGetValue(name, out var inherited) && inherited is not null)
            {
                RequireMaskable(name, inherited, "the process environment");
            }
            else if (dotEnv.Values.TryGetValue(name, out var value))
            {
                RequireMaskable(name, value, $"{dotEnv.Path}:{dotEnv.Lines[name]}");
            }
        }
    }
}
