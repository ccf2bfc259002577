using Cake.Core;
using Spectre.Console;

namespace Build.Host;

/// <summary>
/// The console every log line goes through. Colour only when it helps: not with NO_COLOR set, not when the output
/// is piped to a file (unless a CI service renders it). Without colour, control sequences in what is printed (a
/// tool's relayed output) are stripped too; in a CI log that renders colour, only those that are no colour.
/// Writes go to the current <see cref="Console.Out"/>.
/// </summary>
internal sealed class HostConsole(IConsole inner, bool color, bool terminal) : IConsole
{
    public HostConsole(IConsole inner, bool color)
        : this(inner, color, !Console.IsOutputRedirected)
    {
    }

    public ConsoleColor ForegroundColor
    {
        get => inner.ForegroundColor;
        set
        {
            if (color)
            {
                inner.ForegroundColor = value;
            }
        }
    }

    public ConsoleColor BackgroundColor
    {
        get => inner.BackgroundColor;
        set
        {
            if (color)
            {
                inner.BackgroundColor = value;
            }
        }
    }

    public bool SupportAnsiEscapeCodes => color && inner.SupportAnsiEscapeCodes;

    public static bool ColorWanted()
    {
        if (Environment.GetEnvironmentVariable("NO_COLOR") is { Length: > 0 })
        {
            return false;
        }

        return !Console.IsOutputRedirected || Environment.GetEnvironmentVariable("GITHUB_ACTIONS") == "true";
    }

    public static IAnsiConsole CreateAnsiConsole(bool color) => AnsiConsole.Create(new AnsiConsoleSettings
    {
        Ansi = color ? AnsiSupport.Detect : AnsiSupport.No,
        ColorSystem = color ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
        Out = new AnsiConsoleOutput(Console.Out),
    });

    public void Write(string format, params object[] arg)
    {
        if (color)
        {
            inner.Write(CleanFormat(format), Clean(arg));
        }
        else
        {
            Console.Out.Write(Format(format, arg));
        }
    }

    public void Write(string value) => Write(value, []);

    public void WriteLine(string format, params object[] arg)
    {
        if (color)
        {
            inner.WriteLine(CleanFormat(format), Clean(arg));
        }
        else
        {
            Console.Out.WriteLine(Format(format, arg));
        }
    }

    public void WriteLine(string value) => WriteLine(value, []);

    public void WriteError(string format, params object[] arg)
    {
        if (color)
        {
            inner.WriteError(CleanFormat(format), Clean(arg));
        }
        else
        {
            Console.Error.Write(Format(format, arg));
        }
    }

    public void WriteError(string value) => WriteError(value, []);

    public void WriteErrorLine(string format, params object[] arg)
    {
        if (color)
        {
            inner.WriteErrorLine(CleanFormat(format), Clean(arg));
        }
        else
        {
            Console.Error.WriteLine(Format(format, arg));
        }
    }

    public void WriteErrorLine(string value) => WriteErrorLine(value, []);

    public void ResetColor()
    {
        if (color)
        {
            inner.ResetColor();
        }
    }

    private static string Format(string format, object[] arg) =>
        ControlSequences.Strip(arg is { Length: > 0 } ? string.Format(System.Globalization.CultureInfo.InvariantCulture, format, arg) : format);

    /// <summary>With colour but no terminal (a CI log): the arguments keep their colours and lose every other sequence.</summary>
    private string CleanFormat(string format) => terminal ? format : ControlSequences.Strip(format, keepColors: true);

    private object[] Clean(object[] arg) =>
        terminal ? arg : arg.Select(a => a is string text ? ControlSequences.Strip(text, keepColors: true) : a).ToArray();
}
