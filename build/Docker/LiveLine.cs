namespace Build.Docker;

/// <summary>
/// On a terminal, one status line rewritten in place while the kit waits ("api starting · db healthy  12.3 s"); in a
/// pipe or a CI log it prints nothing, and the state-change lines and the heartbeat tell the story instead.
/// </summary>
public sealed class LiveLine(TextWriter writer, bool enabled) : IDisposable
{
    private const int MaximumWidth = 110;
    private int length;

    public bool Enabled => enabled;

    /// <summary>On the console when it is a terminal and the run is not a CI job (<see cref="Configuration.ContinuousIntegration"/>).</summary>
    public static LiveLine ForConsole(bool continuousIntegration) => new(Console.Out, !Console.IsOutputRedirected && !continuousIntegration);

    public void Show(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (!enabled)
        {
            return;
        }

        // Not Console.WindowWidth: asking it switches the terminal's keypad mode and prints escape codes.
        var width = int.TryParse(Environment.GetEnvironmentVariable("COLUMNS"), out var columns) && columns > 20 ? columns - 1 : MaximumWidth;
        var line = text.Length > width ? text[..(width - 1)] + "…" : text;
        writer.Write("\r" + line.PadRight(length));
        writer.Flush();
        length = line.Length;
    }

    public void Clear()
    {
        if (!enabled || length == 0)
        {
            return;
        }

        writer.Write("\r" + new string(' ', length) + "\r");
        writer.Flush();
        length = 0;
    }

    public void Dispose() => Clear();
}
