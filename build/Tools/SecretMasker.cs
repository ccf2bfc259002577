namespace Build.Tools;

/// <summary>
/// Every value known to be secret (from .env, config, connection strings) is replaced by [REDACTED] in whatever
/// is echoed or streamed, including a tool's own output.
/// </summary>
public sealed class SecretMasker
{
    // Very short values would mask ordinary words ("dev"); passwords that short are refused elsewhere.
    private const int MinimumLength = 4;
    private readonly HashSet<string> secrets = new(StringComparer.Ordinal);
    private readonly Lock gate = new();

    public void Add(string? secret)
    {
        if (string.IsNullOrEmpty(secret) || secret.Length < MinimumLength)
        {
            return;
        }

        lock (gate)
        {
            secrets.Add(secret);
        }
    }

    public string Mask(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        lock (gate)
        {
            // Longest first, so a secret that contains another is masked whole.
            foreach (var secret in secrets.OrderByDescending(s => s.Length))
            {
                text = text.Replace(secret, CommandArgument.Redacted, StringComparison.Ordinal);
            }
        }

        return text;
    }
}
