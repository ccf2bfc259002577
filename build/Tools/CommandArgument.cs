namespace Build.Tools;

/// <summary>One argument of a command. A secret one is passed to the process as is and echoed as [REDACTED].</summary>
public sealed record CommandArgument(string Value, bool IsSecret = false)
{
    public const string Redacted = "[REDACTED]";

    public override string ToString() => IsSecret ? Redacted : Value;
}
