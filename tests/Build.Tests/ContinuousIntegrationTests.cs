using Build.Configuration;

namespace Build.Tests;

public sealed class ContinuousIntegrationTests
{
    [TestCase("true", true)]
    [TestCase("True", true)]
    [TestCase("false", false)]
    [TestCase("", false)]
    [TestCase(null, false)]
    public void Ci_is_CI_true_in_any_case(string? value, bool expected) =>
        Assert.That(ContinuousIntegration.IsDetected(new Dictionary<string, string?> { ["CI"] = value }), Is.EqualTo(expected));

    [Test]
    public void No_CI_variable_is_not_CI() => Assert.That(ContinuousIntegration.IsDetected(new Dictionary<string, string?>()), Is.False);
}
