namespace Build;

/// <summary>
/// The bootstrapper that started this program, as the user types it: <c>./build.ps1</c> when build.ps1 did (each
/// bootstrapper sets <c>KIT_BOOTSTRAPPER</c>), else <c>./build.sh</c>. Help, the task listing and every message that
/// tells the user what to run next name it, so a PowerShell user is never sent to build.sh. A fact about this process,
/// read once.
/// </summary>
public static class Bootstrapper
{
    private static readonly bool PowerShell = Environment.GetEnvironmentVariable("KIT_BOOTSTRAPPER") == "build.ps1";

    /// <summary><c>./build.sh</c> or <c>./build.ps1</c>.</summary>
    public static string Command { get; } = PowerShell ? "./build.ps1" : "./build.sh";

    /// <summary>The onboarding script for the same shell: <c>scripts/onboard.sh</c> or <c>scripts/onboard.ps1</c>.</summary>
    public static string Onboard { get; } = PowerShell ? "scripts/onboard.ps1" : "scripts/onboard.sh";
}
