using Cake.Core.Diagnostics;

namespace Build.Tests.Support;

/// <summary>A log that keeps every line, formatted, with its level: for asserting what a service says.</summary>
public sealed class ListLog : ICakeLog
{
    public List<(LogLevel Level, string Text)> Entries { get; } = [];

    public IEnumerable<string> Lines => Entries.Select(e => e.Text);

    public string All => string.Join('\n', Lines);

    public Verbosity Verbosity { get; set; } = Verbosity.Diagnostic;

    public void Write(Verbosity verbosity, LogLevel level, string format, params object[] args) =>
        Entries.Add((level, args.Length == 0 ? format : string.Format(System.Globalization.CultureInfo.InvariantCulture, format, args)));
}
