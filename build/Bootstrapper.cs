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

    /// <summary>Names the runtime settings a bootstrapper set for this program alone (space-separated variable names).</summary>
    public const string RuntimeDefaultsVariable = "KIT_RUNTIME_DEFAULTS";

    /// <summary>
    /// Takes the runtime settings the bootstrapper chose for this program (<c>DOTNET_EnableWriteXorExecute=0</c>: a short
    /// run's start-up) out of this process's environment, so the processes it starts (<c>dotnet test</c>, the app's own
    /// .NET tools) run with their runtime's defaults. The runtime read them when it started; a value the user set
    /// is not named there and reaches every tool as before. Only <c>DOTNET_</c> names are taken out.
    /// </summary>
    public static void WithdrawRuntimeDefaults()
    {
        foreach (var name in (Environment.GetEnvironmentVariable(RuntimeDefaultsVariable) ?? string.Empty).Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            if (name.StartsWith("DOTNET_", StringComparison.Ordinal))
            {
                Environment.SetEnvironmentVariable(name, null);
            }
        }

        Environment.SetEnvironmentVariable(RuntimeDefaultsVariable, null);
    }
}
