using System.Globalization;
using System.Xml.Linq;

namespace Build.Testing;

/// <summary>
/// The counters of one or more result files, TRX and JUnit summed alike: what CI reads as <c>tests: N passed, N failed</c>.
/// </summary>
public sealed record TestSummary(int Passed, int Failed, int Skipped)
{
    public static TestSummary Empty { get; } = new(0, 0, 0);

    public int Total => Passed + Failed + Skipped;

    public string Line => $"tests: {Passed} passed, {Failed} failed";

    /// <summary>A TRX file (<c>dotnet test --logger trx</c>): errors, timeouts and aborts count as failed.</summary>
    public static TestSummary ReadTrx(string trxFile) => ReadTrx(XDocument.Load(trxFile), trxFile);

    private static TestSummary ReadTrx(XDocument document, string trxFile)
    {
        var counters = document.Descendants().FirstOrDefault(e => e.Name.LocalName == "Counters")
            ?? throw new InvalidDataException($"{trxFile} has no <Counters> element.");
        int Count(string name) => Number(counters, name);
        return new TestSummary(Count("passed"), Count("failed") + Count("error") + Count("timeout") + Count("aborted"), Count("notExecuted"));
    }

    /// <summary>
    /// A JUnit XML file (pytest's <c>--junitxml</c>, Jest, go-junit-report, Surefire): the counters of each innermost
    /// <c>&lt;testsuite&gt;</c>, so a <c>&lt;testsuites&gt;</c> root that repeats its children's totals is not counted
    /// twice. Errors count as failed; <c>tests</c> minus the others is passed.
    /// </summary>
    public static TestSummary ReadJUnit(string junitFile) => ReadJUnit(XDocument.Load(junitFile), junitFile);

    private static TestSummary ReadJUnit(XDocument document, string junitFile)
    {
        var suites = document.Descendants().Where(e => e.Name.LocalName == "testsuite" && !e.Elements().Any(c => c.Name.LocalName == "testsuite")).ToList();
        if (suites.Count == 0)
        {
            throw new InvalidDataException($"{junitFile} has no <testsuite> element: not a JUnit XML report.");
        }

        var summary = Empty;
        foreach (var suite in suites)
        {
            summary += suite.Attribute("tests") is null ? FromCases(suite) : FromCounters(suite);
        }

        return summary;
    }

    public static TestSummary operator +(TestSummary left, TestSummary right)
    {
        ArgumentNullException.ThrowIfNull(left);
        ArgumentNullException.ThrowIfNull(right);
        return new TestSummary(left.Passed + right.Passed, left.Failed + right.Failed, left.Skipped + right.Skipped);
    }

    public TestSummary Add(TestSummary other) => this + other;

    private static TestSummary FromCounters(XElement suite)
    {
        var failed = Number(suite, "failures") + Number(suite, "errors");
        // "skipped" is the common spelling; Ant's schema and some reporters write "disabled" for the same.
        var skipped = suite.Attribute("skipped") is null ? Number(suite, "disabled") : Number(suite, "skipped");
        return new TestSummary(Math.Max(0, Number(suite, "tests") - failed - skipped), failed, skipped);
    }

    // A suite without counters (some reporters): each <testcase> says what happened to it.
    private static TestSummary FromCases(XElement suite)
    {
        var summary = Empty;
        foreach (var testCase in suite.Elements().Where(e => e.Name.LocalName == "testcase"))
        {
            var outcomes = testCase.Elements().Select(e => e.Name.LocalName).ToHashSet(StringComparer.Ordinal);
            summary += outcomes.Contains("failure") || outcomes.Contains("error") ? new TestSummary(0, 1, 0)
                : outcomes.Contains("skipped") ? new TestSummary(0, 0, 1)
                : new TestSummary(1, 0, 0);
        }

        return summary;
    }

    /// <summary>
    /// A report read once: its counters (<see cref="ReadTrx(string)"/>, <see cref="ReadJUnit(string)"/>) and, when it
    /// counts a failure, its failed tests (<see cref="FailedTests"/>).
    /// </summary>
    public static (TestSummary Summary, IReadOnlyList<string> FailedTests) ReadReport(string file, TestReportFormat format, int messageLength = 240)
    {
        var document = XDocument.Load(file);
        var summary = format == TestReportFormat.Trx ? ReadTrx(document, file) : ReadJUnit(document, file);
        return (summary, summary.Failed > 0 ? FailedTests(document, format, messageLength) : []);
    }

    /// <summary>
    /// The failed tests of a report, each as its name and the start of its message (whitespace folded, at most
    /// <paramref name="messageLength"/> characters): what the end of a CI log names when the counters say "failed".
    /// TRX: results whose outcome is Failed, Error, Timeout or Aborted; JUnit: test cases with a failure or error.
    /// </summary>
    private static IReadOnlyList<string> FailedTests(XDocument document, TestReportFormat format, int messageLength)
    {
        IEnumerable<(string? Name, string? Message)> failed = format == TestReportFormat.Trx
            ? document.Descendants().Where(e => e.Name.LocalName == "UnitTestResult" && FailedOutcomes.Contains(e.Attribute("outcome")?.Value ?? string.Empty))
                .Select(e => (e.Attribute("testName")?.Value, e.Descendants().FirstOrDefault(m => m.Name.LocalName == "Message")?.Value))
            : document.Descendants().Where(e => e.Name.LocalName == "testcase")
                .Select(e => (Case: e, Problem: e.Elements().FirstOrDefault(p => p.Name.LocalName is "failure" or "error")))
                .Where(c => c.Problem is not null)
                .Select(c => (
                    (string?)string.Join('.', new[] { c.Case.Attribute("classname")?.Value, c.Case.Attribute("name")?.Value }.Where(n => !string.IsNullOrEmpty(n))),
                    (string?)(c.Problem!.Attribute("message")?.Value ?? c.Problem.Value)));
        return failed.Select(f => (Name: Fold(f.Name), Message: Fold(f.Message)) switch
        {
            ({ Length: 0 }, _) => "(a test without a name)",
            (var name, { Length: 0 }) => name,
            var (name, message) => $"{name}: {Shorten(message, messageLength)}",
        }).ToList();
    }

    private static readonly HashSet<string> FailedOutcomes = new(StringComparer.Ordinal) { "Failed", "Error", "Timeout", "Aborted" };

    private static string Fold(string? text) => string.Join(' ', (text ?? string.Empty).Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));

    private static string Shorten(string text, int length) => text.Length <= length ? text : text[..length] + "...";

    private static int Number(XElement element, string name) =>
        int.Parse(element.Attribute(name)?.Value ?? "0", NumberStyles.Integer, CultureInfo.InvariantCulture);
}
