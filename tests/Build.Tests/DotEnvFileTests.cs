using Build.Configuration;

namespace Build.Tests;

public sealed class DotEnvFileTests
{
    [Test]
    public void Reads_comments_quotes_export_crlf_and_dollar_signs()
    {
        var text = "# a comment\r\nexport NAME=sample\r\nSINGLE='it is $HOME #not a comment'\r\nDOUBLE=\"line\\nnext \\\"q\\\" $x\"\r\nPLAIN=pa$word # trailing comment\r\nHASH=pa#ss\r\n\r\nEMPTY=\r\n";

        var file = DotEnvFile.Parse(text);

        Assert.Multiple(() =>
        {
            Assert.That(file.Values["NAME"], Is.EqualTo("sample"));
            Assert.That(file.Values["SINGLE"], Is.EqualTo("it is $HOME #not a comment"));
            Assert.That(file.Values["DOUBLE"], Is.EqualTo("line\nnext \"q\" $x"));
            Assert.That(file.Values["PLAIN"], Is.EqualTo("pa$word"));
            Assert.That(file.Values["HASH"], Is.EqualTo("pa#ss"));
            Assert.That(file.Values["EMPTY"], Is.Empty);
            Assert.That(file.Lines["PLAIN"], Is.EqualTo(5));
        });
    }

    [Test]
    public void Single_quotes_keep_everything_literal()
    {
        var file = DotEnvFile.Parse("P='a $b \\n # c'");

        Assert.That(file.Values["P"], Is.EqualTo("a $b \\n # c"));
    }

    [TestCase("NOEQUALS", 1, "expected KEY=value")]
    [TestCase("\n1BAD=x", 2, "not a valid variable name")]
    [TestCase("A='open", 1, "never closed")]
    [TestCase("A=\"open", 1, "never closed")]
    [TestCase("A='x' y", 1, "unexpected text")]
    public void A_malformed_line_names_the_file_and_line(string text, int line, string message)
    {
        var error = Assert.Throws<ConfigurationException>(() => DotEnvFile.Parse(text, ".env"));

        Assert.That(error!.Message, Does.StartWith($".env:{line}: ").And.Contain(message));
        Assert.That(error.ExitCode, Is.EqualTo(2));
    }

    [Test]
    public void The_later_of_two_assignments_wins()
    {
        Assert.That(DotEnvFile.Parse("A=1\nA=2").Values["A"], Is.EqualTo("2"));
    }
}
