namespace Build.Tests.Support;

/// <summary>
/// The build program as ./build.sh runs it: its own process, with its own runtime settings (the published program has
/// no .NET message texts, only resource keys), against a kit root of the test's choosing, from another folder.
/// </summary>
public static class ProgramRun
{
    public static ScriptRun.Result Run(string root, IReadOnlyDictionary<string, string>? environment, params string[] args)
    {
        var program = Path.Combine(AppContext.BaseDirectory, OperatingSystem.IsWindows() ? "Build.exe" : "Build");
        var variables = new Dictionary<string, string?>(StringComparer.Ordinal) { ["KIT_ROOT"] = root };
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            variables[name] = value;
        }

        return ScriptRun.Run(program, Path.GetTempPath(), variables, TimeSpan.FromMinutes(2), args);
    }

    public static ScriptRun.Result Run(string root, params string[] args) => Run(root, null, args);
}
