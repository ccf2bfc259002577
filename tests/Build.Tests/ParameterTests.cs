using Build.Configuration;
using Build.Host;
using Build.Tools;
using Cake.Core;

namespace Build.Tests;

public sealed class ParameterTests
{
    private static BuildParameters Create(string[] args, Dictionary<string, string?> environment, string dotEnv, SecretMasker? masker = null)
    {
        var line = HostCommandLine.Parse(args, Arguments.All.Select(a => a.ToHostParameter()));
        var cakeArguments = new CakeArguments(line.Arguments.SelectMany(p => p.Value.Select(v => (p.Key, v))).ToLookup(p => p.Key, p => p.v, StringComparer.OrdinalIgnoreCase));
        return BuildParameters.Create(cakeArguments, environment, DotEnvFile.Parse(dotEnv), masker ?? new SecretMasker());
    }

    [Test]
    public void Command_line_beats_environment_beats_dotenv()
    {
        const string dotEnv = "KIT_ENV=from-dotenv\nKIT_PROJECT_NAME=dotenv-name\nKIT_PORT_OFFSET=3";
        var environment = new Dictionary<string, string?> { ["KIT_ENV"] = "from-environment", ["KIT_PROJECT_NAME"] = "env-name" };

        var parameters = Create(["--env=from-command-line"], environment, dotEnv);

        Assert.Multiple(() =>
        {
            Assert.That(parameters.Environment, Is.EqualTo("from-command-line"));
            Assert.That(parameters.ProjectName, Is.EqualTo("env-name"));
            Assert.That(parameters.PortOffset, Is.EqualTo(3));
        });
    }

    [Test]
    public void Safety_switches_never_come_from_the_environment()
    {
        var environment = new Dictionary<string, string?> { ["KIT_YES"] = "true", ["KIT_CONFIRM"] = "db", ["KIT_ALLOW_REMOTE"] = "true" };

        var parameters = Create([], environment, "KIT_YES=true");

        Assert.That(parameters.Yes || parameters.AllowRemote || parameters.Confirm is not null, Is.False);
        Assert.That(Arguments.Yes.EnvironmentVariable, Is.Null);
        Assert.That(Arguments.Confirm.EnvironmentVariable, Is.Null);
        Assert.That(Arguments.AllowRemote.EnvironmentVariable, Is.Null);
    }

    [Test]
    public void A_bad_value_from_dotenv_names_its_line()
    {
        var error = Assert.Throws<UsageException>(() => Create([], [], "\n\nKIT_PORT_OFFSET=lots"));

        Assert.That(error!.Message, Is.EqualTo("KIT_PORT_OFFSET in .env line 3 must be a whole number from 0 to 50000, not 'lots'."));
    }

    [Test]
    public void A_choice_outside_its_set_is_refused_with_a_suggestion()
    {
        var error = Assert.Throws<UsageException>(() => Create(["--seed=dmeo"], [], string.Empty));

        Assert.That(error!.Message, Does.Contain("must be one of minimal, demo").And.Contain("Did you mean 'demo'?"));
    }

    [Test]
    public void A_secret_parameter_is_registered_for_masking()
    {
        var masker = new SecretMasker();

        Create(["--connection=Host=db;Password=topsecret"], [], string.Empty, masker);

        Assert.That(masker.Mask("Host=db;Password=topsecret"), Is.EqualTo(CommandArgument.Redacted));
    }

    [TestCase("7d", 7 * 24 * 60)]
    [TestCase("12h", 12 * 60)]
    [TestCase("30m", 30)]
    [TestCase("01:30:00", 90)]
    public void Durations_read_like_people_write_them(string text, int minutes)
    {
        Assert.That(BuildParameters.ParseDuration(text), Is.EqualTo(TimeSpan.FromMinutes(minutes)));
    }

    [TestCase("soon")]
    [TestCase("-1d")]
    public void Bad_durations_are_refused(string text)
    {
        Assert.That(BuildParameters.ParseDuration(text), Is.Null);
    }
}
