namespace Build.Host;

/// <summary>
/// A <c>--name=value</c> parameter the application accepts. The host refuses any other name, so a misspelt
/// safety flag fails loudly instead of being ignored.
/// </summary>
public sealed record HostParameter(string Name, bool IsFlag = false, params string[] Aliases)
{
    public IEnumerable<string> AllNames => Aliases.Prepend(Name);

    /// <summary>Its value is never quoted back, not even in a usage error.</summary>
    public bool IsSecret { get; init; }
}
