using Build.Host;

namespace Build.Deploy;

/// <summary>A deploy cannot go on: one line saying what is wrong and how to fix it. Exit code 1 unless given (2 for refused input).</summary>
public sealed class DeployException(string message, int exitCode = 1) : ExitCodeException(exitCode, message);
