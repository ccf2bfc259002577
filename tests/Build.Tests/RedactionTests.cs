using System.Text.Encodings.Web;
using System.Text.Json;
using Build.Configuration;
using Build.Database;
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
    private const string DollarPassword = "Sup3r$ecret-Value";
    private const string HardPassword = "Pa\"ss\\wo;rd=X$y-1";

    private static SecretMasker MaskerWith(params string[] secrets)
    {
        var masker = new SecretMasker();
        foreach (var secret in secrets)
        {
            masker.Add(secret);
        }

        return masker;
    }

    // What compose config, docker inspect, gcloud, a URL and the shell echo make of a password.
    [TestCase(DollarPassword, "POSTGRES_PASSWORD: Sup3r$$ecret-Value", TestName = "compose config escapes $ as $$")]
    [TestCase(DollarPassword, "\"POSTGRES_PASSWORD\": \"Sup3r$$ecret-Value\"", TestName = "compose config --format json")]
    [TestCase(DollarPassword, "postgres://app:Sup3r%24ecret-Value@db/app", TestName = "URL encoding, upper-case hex")]
    [TestCase(DollarPassword, "password=Sup3r%24ecret-Value&x=1", TestName = "form encoding, lower-case hex")]
    [TestCase(DollarPassword, "Couldn't set sup3r$ecret-value", TestName = "lower-cased by Npgsql")]
    [TestCase(DollarPassword, "SUP3R$ECRET-VALUE", TestName = "upper-cased")]
    [TestCase(HardPassword, "Postgres__Password: Pa\"ss\\wo;rd=X$$y-1", TestName = "compose config YAML plain")]
    [TestCase(HardPassword, "Postgres__Password: \"Pa\\\"ss\\\\wo;rd=X$$y-1\"", TestName = "YAML double-quoted escapes")]
    [TestCase(HardPassword, "\"Env\": [\"POSTGRES_PASSWORD=Pa\\\"ss\\\\wo;rd\\u003dX$y-1\"]", TestName = "JSON with Go's HTML-safe escapes")]
    [TestCase(HardPassword, "Pa%22ss%5Cwo%3Brd%3DX%24y-1", TestName = "URL encoding of every symbol")]
    [TestCase(HardPassword, "Pa%22ss%5cwo%3brd%3dX$y-1", TestName = "URL encoding of some symbols, lower-case hex")]
    [TestCase(HardPassword, "Password=\"Pa\"\"ss\\wo;rd=X$y-1\"", TestName = "connection-string quoting doubles the quote")]
    [TestCase("it's a secret", "'--password=it'\\''s a secret'", TestName = "POSIX shell quoting of a single quote")]
    [TestCase("it's a secret", "q=it%27s+a+secret", TestName = "form encoding of a space as +")]
    [TestCase("line1\r\nline2", "\"line1\\r\\nline2\"", TestName = "YAML and JSON escape CR and LF")]
    public void A_secret_is_masked_in_every_encoding_a_tool_prints(string secret, string printed)
    {
        var masked = MaskerWith(secret).Mask(printed);

        Assert.That(masked, Does.Contain(CommandArgument.Redacted));
        foreach (var form in Encodings(secret))
        {
            Assert.That(masked.Contains(form, StringComparison.OrdinalIgnoreCase), Is.False, $"'{form}' survived in: {masked}");
        }
    }

    [Test]
    public void What_the_runtime_encoders_write_is_masked()
    {
        var masker = MaskerWith(HardPassword, DollarPassword);
        foreach (var secret in new[] { HardPassword, DollarPassword })
        {
            foreach (var printed in new[]
            {
                JsonSerializer.Serialize(secret),
                JsonSerializer.Serialize(secret, new JsonSerializerOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }),
                Uri.EscapeDataString(secret),
                System.Net.WebUtility.UrlEncode(secret),
                System.Web.HttpUtility.UrlEncode(secret),
                secret.Replace("$", "$$", StringComparison.Ordinal),
                secret.ToLowerInvariant(),
                ToolCommand.Quote(secret),
            })
            {
                // JSON and the shell echo add their own quotes around the value.
                Assert.That(masker.Mask("before " + printed + " after"), Does.Match(@"^before [""']?\[REDACTED\][""']? after$"), printed);
            }
        }
    }

    [Test]
    public void Pieces_Npgsql_quotes_from_a_split_password_are_masked()
    {
        var masker = MaskerWith("pre;TopSecretPart");

        Assert.That(masker.Mask("Couldn't set topsecretpart;database"), Is.EqualTo("Couldn't set [REDACTED];database"));
    }

    [Test]
    public void Distinctive_pieces_are_masked_but_ordinary_words_are_not()
    {
        var masker = MaskerWith(HardPassword);

        Assert.That(SecretMasker.Fragments(HardPassword), Is.EquivalentTo(new[] { "Pa\"ss\\wo", "X$y-1", "ss\\wo" }));
        Assert.That(masker.Mask("keyword not supported: 'x$y-1'"), Is.EqualTo("keyword not supported: '[REDACTED]'"));
        // "rd" and "Pa" are pieces too, but far too common to blank.
        Assert.That(masker.Mask("Password: pa rd ordinary words"), Is.EqualTo("Password: pa rd ordinary words"));
        Assert.That(SecretMasker.IsDistinctive("Database"), Is.False);
        Assert.That(SecretMasker.IsDistinctive("change"), Is.False);
        Assert.That(SecretMasker.IsDistinctive("TopSecretPart"), Is.True);
        Assert.That(SecretMasker.IsDistinctive("hunter2"), Is.True);
    }

    [Test]
    public void A_connection_string_is_masked_whole_and_its_password_alone_but_not_its_host()
    {
        var masker = MaskerWith("Host=127.0.0.1;Port=5432;Database=app;Username=app;Password=\"Top;Secret=Part1\"");

        Assert.That(masker.Mask("Host=127.0.0.1;Port=5432;Database=app;Username=app;Password=\"Top;Secret=Part1\""), Is.EqualTo("[REDACTED]"));
        Assert.That(masker.Mask("connecting to 127.0.0.1:5432 database app"), Is.EqualTo("connecting to 127.0.0.1:5432 database app"));
        Assert.That(masker.Mask("PGPASSWORD=Top;Secret=Part1"), Is.EqualTo("PGPASSWORD=[REDACTED]"));
        // "Part1" is distinctive; "Secret" alone is an ordinary word and "Top" too short to blank everywhere.
        Assert.That(masker.Mask("Couldn't set secret=part1"), Is.EqualTo("Couldn't set secret=[REDACTED]"));
        Assert.That(SecretMasker.EmbeddedPasswords("postgres://app:s3cr%3Bet@db:5432/app"), Is.EqualTo(new[] { "s3cr;et" }));
        Assert.That(SecretMasker.EmbeddedPasswords("Host=h;Password=\"Top;Secret=Part1\";Database=app"), Is.EqualTo(new[] { "Top;Secret=Part1" }));
        Assert.That(SecretMasker.EmbeddedPasswords("Host=h;Password=pre;TopSecretPart;Database=app"), Does.Contain("pre;TopSecretPart"));
    }

    [Test]
    public void Text_without_secrets_is_unchanged()
    {
        var masker = MaskerWith(DollarPassword, HardPassword);
        const string text = "db  running (healthy)  $$ %24 \\u0024 Sup3r ecret Value";

        Assert.That(masker.Mask(text), Is.EqualTo(text));
        Assert.That(new SecretMasker().Mask(text), Is.EqualTo(text));
    }

    [TestCase("abc")]
    [TestCase("x")]
    public void A_secret_too_short_to_mask_is_refused_in_one_line_naming_the_variable_not_the_value(string value)
    {
        var dotEnv = DotEnvFile.Parse($"API_PORT=8080\nPOSTGRES_PASSWORD={value}\n", ".env");

        var error = Assert.Throws<ConfigurationException>(() =>
            SecretValues.RequireMaskable(dotEnv, DotEnvFile.Empty(".env.example"), new Dictionary<string, string?>(), BuildContext.IsSecretName));

        Assert.That(error!.ExitCode, Is.EqualTo(2));
        Assert.That(error.Message, Does.StartWith(".env:2: POSTGRES_PASSWORD is").And.Contain("at least 4"));
        Assert.That(error.Message, Does.Not.Contain("=" + value).And.Not.Contain("'" + value + "'"));
        Assert.That(error.Message.Split('\n'), Has.Length.EqualTo(1));
    }

    [Test]
    public void A_short_secret_from_the_process_environment_is_refused_for_the_stacks_variables()
    {
        var example = DotEnvFile.Parse("POSTGRES_PASSWORD=change-me\n", ".env.example");
        var process = new Dictionary<string, string?> { ["POSTGRES_PASSWORD"] = "ab1" };

        var error = Assert.Throws<ConfigurationException>(() =>
            SecretValues.RequireMaskable(DotEnvFile.Empty(".env"), example, process, BuildContext.IsSecretName));

        Assert.That(error!.Message, Does.Contain("process environment").And.Contain("POSTGRES_PASSWORD").And.Not.Contain("ab1"));
        Assert.DoesNotThrow(() => SecretValues.RequireMaskable(DotEnvFile.Empty(".env"), example, new Dictionary<string, string?> { ["POSTGRES_PASSWORD"] = "long-enough" }, BuildContext.IsSecretName));
        Assert.DoesNotThrow(() => SecretValues.RequireMaskable(DotEnvFile.Parse("POSTGRES_PASSWORD=\nAPI_PORT=1\n"), example, new Dictionary<string, string?>(), BuildContext.IsSecretName));
    }

    [Test]
    public void A_short_password_in_a_connection_string_is_refused()
    {
        var error = Assert.Throws<ConfigurationException>(() => SecretValues.RequireMaskable("Password", "pw", "--connection"));

        Assert.That(error!.Message, Is.EqualTo("--connection: Password is 2 characters long; a secret needs at least 4 for the kit to keep it out of its output. Set a longer one (e.g. openssl rand -hex 16)."));
    }

    [TestCase("POSTGRES_PASSWORD='Top'Secret-s-TopSecretTail'", "POSTGRES_PASSWORD", "column 24")]
    [TestCase("POSTGRES_PASSWORD=\"Top\"s-TopSecretTail\"", "POSTGRES_PASSWORD", "column 24")]
    [TestCase("  export POSTGRES_PASSWORD='ab' TopSecretTail", "POSTGRES_PASSWORD", "column 33")]
    public void A_dotenv_syntax_error_locates_the_text_but_never_quotes_it(string line, string key, string column)
    {
        var error = Assert.Throws<ConfigurationException>(() => DotEnvFile.Parse("API_PORT=1\n" + line + "\n", ".env"));

        Assert.That(error!.Message, Does.StartWith(".env:2: ").And.Contain(key).And.Contain(column));
        Assert.That(error.Message, Does.Not.Contain("TopSecret").And.Not.Contain("Secret-s"));
    }

    [TestCase("TopSecretTail-without-equals")]
    [TestCase("Top-Secret=Tail")]
    [TestCase("POSTGRES_PASSWORD=\"TopSecretTail")]
    [TestCase("POSTGRES_PASSWORD='TopSecretTail")]
    public void Other_dotenv_syntax_errors_never_quote_the_line(string line)
    {
        var error = Assert.Throws<ConfigurationException>(() => DotEnvFile.Parse(line, ".env"));

        Assert.That(error!.Message, Does.StartWith(".env:1: ").And.Not.Contain("Secret").And.Not.Contain("Tail"));
    }

    [TestCase("Host=127.0.0.1;Password=pre;TopSecretPart;Database=app", "character 29 (after Password's value) is not Key=Value")]
    [TestCase("Host=127.0.0.1;Password=pre;TopSecretPart=x;Database=app", "key at character 29 (after Password's value) is not an Npgsql setting")]
    [TestCase("Host=127.0.0.1;Password=\"TopSecretPart;Database=app", "quoted value of Password opened at character 25 is never closed")]
    [TestCase("Host=127.0.0.1;Password=\"Top\"SecretPart;Database=app", "unexpected text at character 30, after the closing quote of Password's value")]
    [TestCase("Host=127.0.0.1;Port=TopSecretPart;Password=x", "the value of Port (character 16) is not valid")]
    public void A_bad_connection_string_is_described_by_key_and_position(string connection, string expected)
    {
        Assert.That(ConnectionStringProblem.Describe(connection), Does.Contain(expected));
    }

    [Test]
    public void A_bad_connection_is_refused_without_quoting_any_of_the_password()
    {
        var masker = new SecretMasker();
        var error = Assert.Catch<Exception>(() => DatabaseTargetResolver.Resolve(
            "dev",
            "Host=127.0.0.1;Password=pre;TopSecretPart;Database=app",
            new DatabaseConfig(),
            new ProjectConfig { Name = "sample", Environments = new Dictionary<string, EnvironmentConfig> { ["dev"] = new() } },
            _ => null,
            0,
            masker));

        Assert.That(error!.Message, Does.StartWith("--connection is not a valid Npgsql connection string: the text at character 29"));
        Assert.That(error.Message.ToLowerInvariant(), Does.Not.Contain("topsecret").And.Not.Contain("pre;"));
        Assert.That(error.Message, Does.Contain("Example: Host=127.0.0.1;"), "the example's host is not a secret");
        Assert.That(masker.Mask("Couldn't set topsecretpart;database"), Is.EqualTo("Couldn't set [REDACTED];database"));
    }

    private static IEnumerable<string> Encodings(string secret) =>
    [
        secret,
        secret.Replace("$", "$$", StringComparison.Ordinal),
        JsonSerializer.Serialize(secret).Trim('"'),
        Uri.EscapeDataString(secret),
        secret.ToLowerInvariant(),
    ];
}
