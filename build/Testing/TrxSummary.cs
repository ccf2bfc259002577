using System.Globalization;
using System.Xml.Linq;

namespace Build.Testing;

/// <summary>The counters of one or more TRX result files: what CI reads as <c>tests: N passed, N failed</c>.</summary>
public sealed record TrxSummary(int Passed, int Failed, int Skipped)
{
    public static TrxSummary Empty { get; } = new(0, 0, 0);

    public int Total => Passed + Failed + Skipped;

    public string Line => $"tests: {Passed} passed, {Failed} failed";

    public static TrxSummary Read(string trxFile)
    {
        var document = XDocument.Load(trxFile);
        var counters = document.Descendants().FirstOrDefault(e => e.Name.LocalName == "Counters")
            ?? throw new InvalidDataException($"{trxFile} has no <Counters> element.");
        int Count(string name) => int.Parse(counters.Attribute(name)?.Value ?? "0", CultureInfo.InvariantCulture);
        return new TrxSummary(Count("passed"), Count("failed") + Count("error") + Count("timeout") + Count("aborted"), Count("notExecuted"));
    }

    public static TrxSummary operator +(TrxSummary left, TrxSummary right)
    {
        ArgumentNullException.ThrowIfNull(left);
        ArgumentNullException.ThrowIfNull(right);
        return new TrxSummary(left.Passed + right.Passed, left.Failed + right.Failed, left.Skipped + right.Skipped);
    }

    public TrxSummary Add(TrxSummary other) => this + other;
}
