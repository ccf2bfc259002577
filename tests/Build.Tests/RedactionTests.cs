using Build.Tools;

namespace Build.Tests;

public sealed class RedactionTests
{
    [Test]
    public void A_secret_argument_is_echoed_redacted_but_passed_as_is()
    {
        var arguments = new ArgumentList(["login", "--username", "ci"]).Add("--password").AddSecret("s3cr3t!");
        var command = new ToolCommand { Tool = "docker", Executable = "docker", Arguments = arguments };

        Assert.That(command.Render(), Is.EqualTo("docker login --username ci --password [REDACTED]"));
        Assert.That(command.Arguments[^1].Value, Is.EqualTo("s3cr3t!"));
    }

    [Test]
    public void A_secret_variable_is_echoed_redacted()
    {
        var command = new ToolCommand
        {
            Tool = "pg_dump",
            Executable = "pg_dump",
            Environment = new Dictionary<string, string?> { ["PGPASSWORD"] = "hunter22" },
            SecretVariables = new HashSet<string> { "PGPASSWORD" },
        };

        Assert.That(command.Render(), Is.EqualTo("PGPASSWORD=[REDACTED] pg_dump"));
    }

    [Test]
    public void Known_secrets_are_masked_in_any_text()
    {
        var masker = new SecretMasker();
        masker.Add("hunter22");
        masker.Add("hunter22-longer");

        Assert.That(masker.Mask("a=hunter22-longer b=hunter22"), Is.EqualTo("a=[REDACTED] b=[REDACTED]"));
    }

    [TestCase("plain", "plain")]
    [TestCase("with space", "'with space'")]
    [TestCase("it's", "'it'\\''s'")]
    [TestCase("", "''")]
    [TestCase("$HOME", "'$HOME'")]
    public void Echo_quotes_like_a_posix_shell(string value, string expected)
    {
        Assert.That(ToolCommand.Quote(value), Is.EqualTo(expected));
    }
}
