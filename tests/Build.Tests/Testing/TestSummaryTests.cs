using Build.Testing;

namespace Build.Tests.Testing;

/// <summary>TRX and JUnit reports read into the one summary CI reads as <c>tests: N passed, N failed</c>.</summary>
public sealed class TestSummaryTests
{
    private static string Report(string name) => Path.Combine(RepositoryRoot.Path, "tests", "Build.Tests", "Testing", "Reports", name);

    [Test]
    public void A_passing_pytest_report_counts_every_test()
    {
        Assert.That(TestSummary.ReadJUnit(Report("pytest-passed.xml")), Is.EqualTo(new TestSummary(6, 0, 0)));
    }

    [Test]
    public void A_failing_pytest_report_counts_failed_and_skipped_apart()
    {
        Assert.That(TestSummary.ReadJUnit(Report("pytest-failed.xml")), Is.EqualTo(new TestSummary(6, 1, 1)));
    }

    [Test]
    public void A_generic_report_counts_each_suite_once_and_errors_as_failed()
    {
        // The <testsuites> root repeats its children's totals: counted from the suites, it is 7 tests, not 14.
        Assert.That(TestSummary.ReadJUnit(Report("generic.xml")), Is.EqualTo(new TestSummary(3, 3, 1)));
    }

    [Test]
    public void A_suite_without_counters_is_counted_from_its_test_cases()
    {
        Assert.That(TestSummary.ReadJUnit(Report("no-counters.xml")), Is.EqualTo(new TestSummary(2, 2, 1)));
    }

    [Test]
    public void A_trx_file_counts_errors_as_failed_and_not_executed_as_skipped()
    {
        Assert.That(TestSummary.ReadTrx(Report("dotnet-trx.xml")), Is.EqualTo(new TestSummary(9, 2, 1)));
    }

    [Test]
    public void The_failed_tests_of_a_report_are_named_with_the_start_of_their_message()
    {
        Assert.That(TestSummary.ReadReport(Report("dotnet-trx.xml"), TestReportFormat.Trx).FailedTests, Is.EqualTo(new[]
        {
            "Orders_total(\"EUR\"): Expected: 2 But was: 3",
            "Orders_store",
        }));
        Assert.That(TestSummary.ReadReport(Report("generic.xml"), TestReportFormat.JUnit).FailedTests, Is.EqualTo(new[]
        {
            "orders.rounds: expected 2, got 3", "orders.stores: connection refused", "items.finds: nope",
        }));
        Assert.That(TestSummary.ReadReport(Report("pytest-failed.xml"), TestReportFormat.JUnit, messageLength: 6).FailedTests, Is.EqualTo(new[] { "tests.test_tmp_fail.test_fails: assert..." }));
        Assert.That(TestSummary.ReadReport(Report("pytest-passed.xml"), TestReportFormat.JUnit).FailedTests, Is.Empty);
    }

    [Test]
    public void Trx_and_junit_sum_into_one_line()
    {
        var summary = TestSummary.ReadTrx(Report("dotnet-trx.xml")) + TestSummary.ReadJUnit(Report("pytest-failed.xml"));

        Assert.That(summary.Line, Is.EqualTo("tests: 15 passed, 3 failed"));
        Assert.That(summary.Total, Is.EqualTo(20));
    }

    [Test]
    public void A_file_that_is_not_a_junit_report_says_so()
    {
        var error = Assert.Throws<InvalidDataException>(() => TestSummary.ReadJUnit(Report("dotnet-trx.xml")));

        Assert.That(error!.Message, Does.Contain("not a JUnit XML report"));
    }
}
