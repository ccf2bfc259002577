namespace Build.Host;

/// <summary>The command line is wrong. The host prints the message as one line and exits with 2.</summary>
public sealed class UsageException(string message) : Exception(message);
