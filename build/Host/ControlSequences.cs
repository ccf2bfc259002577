using System.Text.RegularExpressions;

namespace Build.Host;

/// <summary>
/// Terminal control sequences in text the kit relays (a tool's output: compose prints <c>ESC[2K</c> before every log
/// line, even with <c>--no-color</c>). Where the output is no terminal, or NO_COLOR is set, they are noise in a log
/// file or a pipe, so they go.
/// </summary>
public static partial class ControlSequences
{
    /// <summary>
    /// <paramref name="text"/> without escape sequences (CSI, OSC, two-character ones) and other control characters
    /// except tab and newline. <paramref name="keepColors"/>: colour and style sequences (<c>ESC[...m</c>) stay, for a
    /// CI log that renders them.
    /// </summary>
    public static string Strip(string text, bool keepColors = false)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (!text.Any(c => char.IsControl(c) && c is not '\t' and not '\n'))
        {
            return text;
        }

        var withoutSequences = EscapeSequence().Replace(
            text, match => keepColors && match.Value.StartsWith("\u001b[", StringComparison.Ordinal) && match.Value.EndsWith('m') ? match.Value : string.Empty);
        return (keepColors ? OtherControlButEscape() : OtherControl()).Replace(withoutSequences, string.Empty);
    }

    // CSI (ESC [ parameters intermediates final), OSC (ESC ] ... BEL or ESC \), and two-character escapes (ESC 7, ESC =).
    [GeneratedRegex(@"\u001b(?:\[[0-?]*[ -/]*[@-~]|\][^\u0007\u001b]*(?:\u0007|\u001b\\)?|[@-Z\\-_0-9=>])")]
    private static partial Regex EscapeSequence();

    [GeneratedRegex(@"[\u0000-\u0008\u000b-\u001f\u007f]")]
    private static partial Regex OtherControl();

    // What is left of ESC after the sequences went starts a kept colour sequence.
    [GeneratedRegex(@"[\u0000-\u0008\u000b-\u001a\u001c-\u001f\u007f]")]
    private static partial Regex OtherControlButEscape();
}
