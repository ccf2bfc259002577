using Build.Host;

namespace Build.Configuration;

/// <summary>
/// A configuration source is malformed or invalid: names the file, the line and what is wrong. Exit code 2, like a
/// usage error: the input is wrong, not the build.
/// </summary>
public sealed class ConfigurationException : ExitCodeException
{
    public ConfigurationException(string message)
        : base(2, message)
    {
    }

    public ConfigurationException(string file, int line, string message)
        : base(2, line > 0 ? $"{file}:{line}: {message}" : $"{file}: {message}")
    {
    }

    /// <summary>At a line and column, as editors and compilers print them (<c>config/docker.json:12:7: ...</c>).</summary>
    public ConfigurationException(string file, TextPosition position, string message)
        : base(2, $"{file}:{position}: {message}")
    {
    }
}
