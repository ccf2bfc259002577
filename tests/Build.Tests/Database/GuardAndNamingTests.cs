using Build.Configuration;
using Build.Database;
using Build.Tools;

namespace Build.Tests.Database;

public sealed class ResetGuardTests
{
    private static GuardRequest Request(string host, bool compose = false, bool isProtected = false, bool allowRemote = false, string? confirm = null) =>
        new("DbReset", "staging", isProtected, compose, host, "Käse-Prod_DB", allowRemote, confirm);

    [TestCase("localhost")]
    [TestCase("LOCALHOST")]
    [TestCase("127.0.0.1")]
    [TestCase("::1")]
    [TestCase("[::1]")]
    [TestCase("/var/run/postgresql")]
    [TestCase("localhost,127.0.0.1")]
    public void Local_hosts_run_without_question(string host) => Assert.That(ResetGuard.Check(Request(host)), Is.Null);

    [TestCase("db.example.com")]
    [TestCase("127.0.0.2")]
    [TestCase("10.0.0.5")]
    [TestCase("localhost,db.example.com")]
    [TestCase("localhost.example.com")]
    public void Any_other_host_is_remote_and_refused_without_flags(string host)
    {
        var refusal = ResetGuard.Check(Request(host));

        Assert.That(refusal, Does.StartWith("Refused:").And.Contain("not a local host").And.Contain("--allow-remote --confirm='Käse-Prod_DB'"));
    }

    [Test]
    public void The_compose_database_is_local_whatever_its_host()
    {
        Assert.That(ResetGuard.Check(Request("db.example.com", compose: true)), Is.Null);
    }

    [Test]
    public void Remote_needs_both_allow_remote_and_the_exact_database_name()
    {
        Assert.That(ResetGuard.Check(Request("db.example.com", allowRemote: true)), Does.Contain("needs the database name typed"));
        Assert.That(ResetGuard.Check(Request("db.example.com", confirm: "Käse-Prod_DB")), Does.Contain("not a local host"));
        Assert.That(ResetGuard.Check(Request("db.example.com", allowRemote: true, confirm: "käse-prod_db")), Does.Contain("does not match"));
        Assert.That(ResetGuard.Check(Request("db.example.com", allowRemote: true, confirm: "Käse-Prod_DB")), Is.Null);
    }

    [Test]
    public void A_protected_environment_refuses_even_locally_and_with_every_flag()
    {
        Assert.That(ResetGuard.Check(Request("localhost", isProtected: true)), Does.Contain("is protected"));
        Assert.That(ResetGuard.Check(Request("db.example.com", compose: true, isProtected: true, allowRemote: true, confirm: "Käse-Prod_DB")), Does.Contain("is protected"));
    }
}

public sealed class SqlAndMigrationNamingTests
{
    [TestCase("app", "\"app\"")]
    [TestCase("Käse-Prod_DB", "\"Käse-Prod_DB\"")]
    [TestCase("we\"ird", "\"we\"\"ird\"")]
    public void Identifiers_are_always_quoted(string name, string expected) => Assert.That(Sql.Identifier(name), Is.EqualTo(expected));

    [Test]
    public void Qualified_names_quote_each_part_and_literals_double_quotes()
    {
        Assert.That(Sql.Qualified("app.items"), Is.EqualTo("\"app\".\"items\""));
        Assert.That(Sql.Literal("it's"), Is.EqualTo("'it''s'"));
        Assert.Throws<DatabaseException>(() => Sql.Qualified("items"));
        Assert.Throws<DatabaseException>(() => Sql.Identifier("a\0b"));
    }

    [TestCase("0001_create_items.sql", 1, "create_items")]
    [TestCase("0042_add-index.sql", 42, "add-index")]
    [TestCase("1_short.sql", null, null)]
    [TestCase("0001-create.sql", null, null)]
    [TestCase("0001_.sql", null, null)]
    [TestCase("00001_five_digits.sql", null, null)]
    public void Migration_file_names_follow_NNNN_description(string file, int? version, string? description)
    {
        var parsed = MigrationFile.ParseName(file);

        Assert.That(parsed?.Version, Is.EqualTo(version));
        Assert.That(parsed?.Description, Is.EqualTo(description));
    }

    [Test]
    public void The_checksum_ignores_line_endings_and_a_byte_order_mark_but_not_content()
    {
        var unix = MigrationFile.ChecksumOf("CREATE TABLE t (id int);\nSELECT 1;\n");

        Assert.That(MigrationFile.ChecksumOf("CREATE TABLE t (id int);\r\nSELECT 1;\r\n"), Is.EqualTo(unix));
        Assert.That(MigrationFile.ChecksumOf("\uFEFFCREATE TABLE t (id int);\nSELECT 1;\n"), Is.EqualTo(unix));
        Assert.That(MigrationFile.ChecksumOf("CREATE TABLE t (id bigint);\nSELECT 1;\n"), Is.Not.EqualTo(unix));
        Assert.That(unix, Has.Length.EqualTo(64));
    }

    [Test]
    public void A_folder_with_a_misnamed_or_duplicate_migration_is_refused_naming_the_files()
    {
        var root = Directory.CreateTempSubdirectory("kit-migrations-").FullName;
        try
        {
            var folder = Path.Combine(root, "scripts", "db", "migrations");
            Directory.CreateDirectory(folder);
            File.WriteAllText(Path.Combine(folder, "0002_b.sql"), "SELECT 2;");
            File.WriteAllText(Path.Combine(folder, "0001_a.sql"), "SELECT 1;");
            File.WriteAllText(Path.Combine(folder, "README.md"), "not a migration");
            Assert.That(MigrationFile.Load(folder, root).Select(m => m.RelativePath), Is.EqualTo(new[] { "scripts/db/migrations/0001_a.sql", "scripts/db/migrations/0002_b.sql" }));

            File.WriteAllText(Path.Combine(folder, "0002_again.sql"), "SELECT 3;");
            var duplicate = Assert.Throws<ConfigurationException>(() => MigrationFile.Load(folder, root));
            Assert.That(duplicate!.Message, Does.Contain("0002_again.sql and scripts/db/migrations/0002_b.sql"));

            File.Delete(Path.Combine(folder, "0002_again.sql"));
            File.WriteAllText(Path.Combine(folder, "3_bad.sql"), "SELECT 3;");
            var misnamed = Assert.Throws<ConfigurationException>(() => MigrationFile.Load(folder, root));
            Assert.That(misnamed!.Message, Does.StartWith("scripts/db/migrations/3_bad.sql: is not named NNNN_description.sql"));
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }
}

public sealed class DatabaseTargetResolverTests
{
    private static readonly ProjectConfig Project = new()
    {
        Name = "sample",
        Environments = new Dictionary<string, EnvironmentConfig>
        {
            ["dev"] = new() { Local = true },
            ["staging"] = new(),
            ["production"] = new() { Protected = true },
        },
    };

    private static readonly DatabaseConfig Config = new()
    {
        Environments = new Dictionary<string, DatabaseEnvironmentConfig>
        {
            ["dev"] = new()
            {
                Compose = new ComposeDatabaseConfig { Service = "db" },
                Port = new SettingValue { Variable = "POSTGRES_PORT", Default = "5432" },
                AddPortOffset = true,
                Database = new SettingValue { Variable = "POSTGRES_DB", Default = "app" },
                Username = new SettingValue { Variable = "POSTGRES_USER", Default = "app" },
                Password = new SettingValue { Variable = "POSTGRES_PASSWORD" },
            },
            ["staging"] = new() { ConnectionStringVariable = "STAGING_DATABASE_CONNECTION" },
            ["production"] = new() { ConnectionStringVariable = "PRODUCTION_DATABASE_CONNECTION" },
        },
    };

    [Test]
    public void Dev_is_the_compose_service_with_settings_from_variables_and_the_port_offset()
    {
        var masker = new SecretMasker();
        var variables = new Dictionary<string, string> { ["POSTGRES_PORT"] = "5433", ["POSTGRES_DB"] = "Käse-Prod_DB", ["POSTGRES_PASSWORD"] = "s3cret-pw" };

        var target = DatabaseTargetResolver.Resolve("dev", null, Config, Project, variables.GetValueOrDefault, portOffset: 100, masker);

        Assert.That(target.Describe(), Is.EqualTo("app@127.0.0.1:5533/Käse-Prod_DB"));
        Assert.That(target.ComposeService, Is.EqualTo("db"));
        Assert.That(target.IsProtected, Is.False);
        Assert.That(masker.Mask("password s3cret-pw"), Is.EqualTo("password [REDACTED]"));
    }

    [Test]
    public void A_compose_database_connects_to_the_port_its_stack_publishes_with_no_second_offset()
    {
        var variables = new Dictionary<string, string> { ["POSTGRES_PORT"] = "5433", ["POSTGRES_PASSWORD"] = "s3cret-pw" };

        // The stack resolved POSTGRES_PORT (an overlay's 6543 + --port-offset=100): that is the port, once.
        var target = DatabaseTargetResolver.Resolve(
            "dev", null, Config, Project, variables.GetValueOrDefault, portOffset: 100, new SecretMasker(), publishedPort: name => name == "POSTGRES_PORT" ? 6643 : null);

        Assert.That(target.Describe(), Does.StartWith("app@127.0.0.1:6643/"));
    }

    [Test]
    public void Connection_overrides_config_is_never_a_compose_target_and_its_password_is_masked()
    {
        var masker = new SecretMasker();

        var target = DatabaseTargetResolver.Resolve("dev", "Host=db.example.invalid;Database=shop;Username=u;Password=Hunter-22", Config, Project, _ => null, 0, masker);

        Assert.That(target.IsCompose, Is.False);
        Assert.That(target.Describe(), Is.EqualTo("u@db.example.invalid:5432/shop"));
        Assert.That(target.Describe(), Does.Not.Contain("Hunter"));
        Assert.That(masker.Mask("pw=Hunter-22"), Is.EqualTo("pw=[REDACTED]"));
        Assert.That(target.ConnectionString(), Does.Contain("Pooling=False"));
    }

    [Test]
    public void A_protected_environment_is_marked_even_when_the_connection_is_given()
    {
        var target = DatabaseTargetResolver.Resolve("production", "Host=localhost;Database=x;Username=u", Config, Project, _ => null, 0, new SecretMasker());

        Assert.That(target.IsProtected, Is.True);
    }

    [Test]
    public void A_missing_connection_variable_or_password_is_one_clear_configuration_error()
    {
        var staging = Assert.Throws<ConfigurationException>(() => DatabaseTargetResolver.Resolve("staging", null, Config, Project, _ => null, 0, new SecretMasker()));
        var dev = Assert.Throws<ConfigurationException>(() => DatabaseTargetResolver.Resolve("dev", null, Config, Project, _ => null, 0, new SecretMasker()));

        Assert.That(staging!.Message, Does.Contain("STAGING_DATABASE_CONNECTION, which is not set"));
        Assert.That(dev!.Message, Does.Contain("set POSTGRES_PASSWORD in .env"));
    }

    [Test]
    public void A_malformed_connection_string_is_refused_without_echoing_it()
    {
        var error = Assert.Throws<DatabaseException>(() =>
            DatabaseTargetResolver.Resolve("dev", "Host=h;Database=d;Password=Very-Secret;Bogus Key=1", Config, Project, _ => null, 0, new SecretMasker()));

        Assert.That(error!.ExitCode, Is.EqualTo(2));
        Assert.That(error.Message, Does.StartWith("--connection is not a valid Npgsql connection string"));
        Assert.That(error.Message, Does.Not.Contain("Very-Secret"));
    }
}
