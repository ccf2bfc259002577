using Cake.Core.Diagnostics;

namespace Build.Docker;

/// <summary>A log that prefixes every line ("[api] "), so builds running in parallel stay readable.</summary>
public sealed class PrefixedLog(ICakeLog inner, string prefix) : ICakeLog
{
    public Verbosity Verbosity
    {
        get => inner.Verbosity;
        set => inner.Verbosity = value;
    }

    public void Write(Verbosity verbosity, LogLevel level, string format, params object[] args)
    {
        ArgumentNullException.ThrowIfNull(format);
        // Runner output arrives as "{0}" with the line as argument: prefix the argument, never reinterpret braces.
        if (format == "{0}" && args is [string line])
        {
            inner.Write(verbosity, level, "{0}", prefix + line);
        }
        else
        {
            inner.Write(verbosity, level, "{0}", prefix + string.Format(System.Globalization.CultureInfo.InvariantCulture, format, args));
        }
    }
}
