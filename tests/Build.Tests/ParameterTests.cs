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
        Assert.That(Arguments.For(nameof(BuildParameters.Yes)).EnvironmentVariable, Is.Null);
        Assert.That(Arguments.For(nameof(BuildParameters.Confirm)).EnvironmentVariable, Is.Null);
        Assert.That(Arguments.For(nameof(BuildParameters.AllowRemote)).EnvironmentVariable, Is.Null);
        Assert.That(Arguments.For(nameof(BuildParameters.Volumes)).EnvironmentVariable, Is.Null);
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
        var error = Assert.Throws<UsageException>(() => Create(["--strategy=canery"], [], string.Empty));

        Assert.That(error!.Message, Does.Contain("must be one of").And.Contain("Did you mean 'canary'?"));
    }

    [Test]
    public void A_secret_parameter_is_registered_for_masking()
    {
        var masker = new SecretMasker();

        Create(["--connection=Host=db;Password=topsecret"], [], string.Empty, masker);

        Assert.That(masker.Mask("Host=db;Password=topsecret"), Is.EqualTo(CommandArgument.Redacted));
    }

    [Test]
    public void Every_declared_property_is_a_parameter_the_host_accepts_and_lists()
    {
        var declared = typeof(BuildParameters).GetProperties()
            .Where(p => p.IsDefined(typeof(ParameterAttribute), inherit: false))
            .Select(p => p.Name)
            .ToArray();
        var help = HostCommandLine.HelpText("./build.sh", Arguments.All.Select(a => a.ToHostParameter()));

        Assert.That(Arguments.All.Select(a => a.Property.Name), Is.EquivalentTo(declared));
        Assert.That(declared, Is.SupersetOf(new[] { nameof(BuildParameters.Environment), nameof(BuildParameters.Strategy), nameof(BuildParameters.Tail) }));
        Assert.Multiple(() =>
        {
            foreach (var definition in Arguments.All)
            {
                Assert.That(help, Does.Contain("--" + definition.Name), definition.Property.Name);
                Assert.That(definition.Description, Is.Not.Empty, definition.Property.Name);
                Assert.That(HostCommandLine.Parse([$"--{definition.Name}={SampleValue(definition)}"], Arguments.All.Select(a => a.ToHostParameter())).Arguments, Does.ContainKey(definition.Name));
            }
        });
    }

    [Test]
    public void Only_the_run_switches_of_the_host_are_not_declared_parameters()
    {
        var undeclared = typeof(BuildParameters).GetProperties()
            .Where(p => p.CanWrite && !p.IsDefined(typeof(ParameterAttribute), inherit: false))
            .Select(p => p.Name);

        Assert.That(undeclared, Is.EquivalentTo(new[] { nameof(BuildParameters.DryRun), nameof(BuildParameters.IsCi) }));
    }

    [Test]
    public void The_declaration_names_the_option_the_variable_and_the_kind()
    {
        var environment = Arguments.For(nameof(BuildParameters.Environment));
        var portOffset = Arguments.For(nameof(BuildParameters.PortOffset));
        var strategy = Arguments.For(nameof(BuildParameters.Strategy));

        Assert.Multiple(() =>
        {
            Assert.That((environment.Name, environment.EnvironmentVariable, environment.Kind), Is.EqualTo(("env", "KIT_ENV", ParameterKind.Text)));
            Assert.That(environment.Aliases, Is.EqualTo(new[] { "environment" }));
            Assert.That(environment.Description, Does.StartWith("environment from config/project.json"));
            Assert.That((portOffset.Kind, portOffset.Minimum, portOffset.Maximum), Is.EqualTo((ParameterKind.Integer, 0, 50000)));
            Assert.That(Arguments.For(nameof(BuildParameters.Connection)).IsSecret, Is.True);
            Assert.That(Arguments.For(nameof(BuildParameters.OlderThan)).Kind, Is.EqualTo(ParameterKind.Duration));
            Assert.That(Arguments.For(nameof(BuildParameters.Follow)).Kind, Is.EqualTo(ParameterKind.Flag));

            // An enum's choices are its members, spelt as config/deploy.json spells them.
            Assert.That((strategy.Kind, strategy.Choices), Is.EqualTo((ParameterKind.Choice, new[] { "direct", "blue-green", "canary" })));
        });
    }

    /// <summary>Every declared parameter, given on the command line and through its variable, lands in its own property, typed.</summary>
    [Test]
    public void Every_declared_parameter_fills_its_property_from_the_command_line_and_from_its_variable()
    {
        Assert.Multiple(() =>
        {
            foreach (var definition in Arguments.All)
            {
                var text = SampleValue(definition);
                var fromCommandLine = definition.Property.GetValue(Create([$"--{definition.Name}={text}"], [], string.Empty));
                Assert.That(fromCommandLine, Is.EqualTo(Expected(definition, text)), $"--{definition.Name}");
                if (definition.EnvironmentVariable is { } variable)
                {
                    var fromVariable = definition.Property.GetValue(Create([], new() { [variable] = text }, string.Empty));
                    Assert.That(fromVariable, Is.EqualTo(Expected(definition, text)), variable);
                }
            }
        });
    }

    [Test]
    public void A_strategy_is_parsed_once_into_its_kind()
    {
        Assert.That(Create(["--strategy=blue-green"], [], string.Empty).Strategy, Is.EqualTo(DeployStrategyKind.BlueGreen));
        Assert.That(Create([], [], string.Empty).Strategy, Is.Null);
    }

    [Test]
    public void An_enum_choice_is_spelt_as_the_config_files_spell_it()
    {
        var members = Enum.GetNames<DeployStrategyKind>();

        Assert.That(members.Select(ParameterDefinition.KebabCase), Is.EqualTo(members.Select(System.Text.Json.JsonNamingPolicy.KebabCaseLower.ConvertName)));
    }

    [TestCase("-1")]
    [TestCase("50001")]
    public void An_integer_outside_its_declared_range_is_one_line_naming_the_range(string value)
    {
        var error = Assert.Throws<UsageException>(() => Create([$"--port-offset={value}"], [], string.Empty));

        Assert.That(error!.Message, Is.EqualTo($"--port-offset must be a whole number from 0 to 50000, not '{value}'."));
    }

    [Test]
    public void An_absent_parameter_keeps_its_default_and_the_ends_of_a_range_are_accepted()
    {
        Assert.Multiple(() =>
        {
            Assert.That(Create([], [], string.Empty), Is.EqualTo(new BuildParameters()));
            Assert.That(Create(["--port-offset=50000"], [], string.Empty).PortOffset, Is.EqualTo(50000));
            Assert.That(Create(["--tail=0"], [], string.Empty).Tail, Is.Zero);
        });
    }

    [Test]
    public void An_empty_value_is_refused_except_for_text()
    {
        var error = Assert.Throws<UsageException>(() => Create([], new() { ["KIT_PORT_OFFSET"] = string.Empty }, string.Empty));

        Assert.That(error!.Message, Is.EqualTo("environment variable KIT_PORT_OFFSET is empty. Give a value or leave it out."));
        Assert.That(Create([], new() { ["KIT_ENV"] = string.Empty }, string.Empty).Environment, Is.Empty);
    }

    [Test]
    public void A_declaration_the_reader_cannot_honour_is_a_mistake_in_the_kit()
    {
        Assert.Multiple(() =>
        {
            Assert.That(() => ParameterDefinition.Read(typeof(RangeOnText)), Throws.InvalidOperationException.With.Message.Contains("only an integer parameter has a range"));
            Assert.That(() => ParameterDefinition.Read(typeof(UnknownKind)), Throws.InvalidOperationException.With.Message.Contains("not Uri"));
            Assert.That(() => ParameterDefinition.Read(typeof(SameNameTwice)), Throws.InvalidOperationException.With.Message.Contains("'env' twice"));
        });
    }

    private static string SampleValue(ParameterDefinition definition) => definition.Kind switch
    {
        ParameterKind.Flag => "true",
        ParameterKind.Integer => definition.Maximum.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ParameterKind.Duration => "7d",
        ParameterKind.Choice => definition.Choices[^1],
        _ => "some-" + definition.Name,
    };

    private static object Expected(ParameterDefinition definition, string text) => definition.Kind switch
    {
        ParameterKind.Flag => true,
        ParameterKind.Integer => int.Parse(text, System.Globalization.CultureInfo.InvariantCulture),
        ParameterKind.Duration => TimeSpan.FromDays(7),
        ParameterKind.Choice => definition.ChoiceValue(text),
        _ => text,
    };

    private sealed record RangeOnText
    {
        [Parameter("name", "text with a range", Maximum = 3)]
        public string? Name { get; init; }
    }

    private sealed record UnknownKind
    {
        [Parameter("address", "no kind reads a Uri")]
        public Uri? Address { get; init; }
    }

    private sealed record SameNameTwice
    {
        [Parameter("env", "first")]
        public string? First { get; init; }

        [Parameter("environment", "second", Aliases = ["env"])]
        public string? Second { get; init; }
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
