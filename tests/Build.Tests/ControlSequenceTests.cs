using Build.Host;
using Cake.Core;

namespace Build.Tests;

/// <summary>
/// Compose prints <c>ESC[2K</c> before every log line, even with <c>--no-color</c>: where the output is no terminal or
/// NO_COLOR is set, the console the kit prints through strips such sequences from whatever it relays.
/// </summary>
[NonParallelizable]
public sealed class ControlSequenceTests
{
    private const string ComposeLogLine = "\u001b[2Kapi-1  | \u001b[32minfo\u001b[0m: started\r";

    private sealed class RecordingConsole : IConsole
    {
        public List<string> Written { get; } = [];

        public ConsoleColor ForegroundColor { get; set; }

        public ConsoleColor BackgroundColor { get; set; }

        public bool SupportAnsiEscapeCodes => true;

        public void Write(string format, params object[] arg) => Written.Add(arg.Length == 0 ? format : string.Format(System.Globalization.CultureInfo.InvariantCulture, format, arg));

        public void WriteLine(string format, params object[] arg) => Write(format, arg);

        public void WriteError(string format, params object[] arg) => Write(format, arg);

        public void WriteErrorLine(string format, params object[] arg) => Write(format, arg);

        public void ResetColor()
        {
        }
    }

    [Test]
    public void Every_escape_sequence_and_control_character_goes_but_tabs_and_newlines_stay()
    {
        Assert.That(ControlSequences.Strip(ComposeLogLine), Is.EqualTo("api-1  | info: started"));
        Assert.That(ControlSequences.Strip("a\tb\nc\u0007\u001b]0;title\u0007d\u001b7e"), Is.EqualTo("a\tb\ncde"));
        Assert.That(ControlSequences.Strip(ComposeLogLine, keepColors: true), Is.EqualTo("api-1  | \u001b[32minfo\u001b[0m: started"));
        Assert.That(ControlSequences.Strip("plain text"), Is.SameAs("plain text"));
    }

    [Test]
    public void Without_colour_the_console_prints_relayed_output_without_sequences()
    {
        var original = Console.Out;
        var output = new StringWriter();
        Console.SetOut(output);
        try
        {
            var console = new HostConsole(new RecordingConsole(), color: false, terminal: false);
            console.WriteLine("{0}", ComposeLogLine);
        }
        finally
        {
            Console.SetOut(original);
        }

        Assert.That(output.ToString(), Is.EqualTo("api-1  | info: started" + Environment.NewLine));
    }

    [Test]
    public void A_CI_log_that_renders_colour_keeps_the_colours_and_loses_the_rest()
    {
        var inner = new RecordingConsole();
        new HostConsole(inner, color: true, terminal: false).WriteLine("{0}", ComposeLogLine);
        new HostConsole(inner, color: true, terminal: true).WriteLine("{0}", ComposeLogLine);

        Assert.That(inner.Written[0], Is.EqualTo("api-1  | \u001b[32minfo\u001b[0m: started"));
        Assert.That(inner.Written[1], Is.EqualTo(ComposeLogLine), "a terminal gets what the tool printed");
    }
}
