using Build.Configuration;
using Build.Host;
using Build.Tests.Support;
using Cake.Core.Diagnostics;

namespace Build.Tests;

public sealed class CommandLineTests
{
    private static readonly HostParameter[] Parameters = Arguments.All.Select(a => a.ToHostParameter()).ToArray();

    [TestCase(new string[0], true)]
    [TestCase(new[] { "--target=Default" }, true)]
    [TestCase(new[] { "--TARGET=Default" }, true)]
    [TestCase(new[] { "-t", "Default" }, true)]
    [TestCase(new[] { "Default" }, true)]
    [TestCase(new[] { "--target=DevUp" }, false)]
    [TestCase(new[] { "--target=default" }, false)]
    [TestCase(new[] { "--target=Default", "--dryrun" }, false)]
    [TestCase(new[] { "--target=Default", "--env=dev" }, false)]
    [TestCase(new[] { "--verbosity=diagnostic" }, false)]
    [TestCase(new[] { "--tree" }, false)]
    [TestCase(new[] { "Default", "Default" }, false)]
    [TestCase(new[] { "--target" }, false)]
    public void A_bare_listing_is_known_from_the_arguments_alone(string[] args, bool bare)
    {
        Assert.That(HostCommandLine.IsBareListingArguments(args), Is.EqualTo(bare));
        // The same answer as the full parse, wherever the full parse answers.
        bool? full;
        try
        {
            full = HostCommandLine.Parse(args, Parameters).IsBareListing;
        }
        catch (UsageException)
        {
            full = null;
        }

        Assert.That(full ?? false, Is.EqualTo(bare));
    }

    [Test]
    public void Reads_cake_style_options_and_parameters()
    {
        var line = HostCommandLine.Parse(["-t", "DevUp", "--verbosity=diagnostic", "--dryrun", "-e", "--env=staging", "--tail", "20"], Parameters);

        Assert.Multiple(() =>
        {
            Assert.That(line.Target, Is.EqualTo("DevUp"));
            Assert.That(line.Verbosity, Is.EqualTo(Verbosity.Diagnostic));
            Assert.That(line.DryRun, Is.True);
            Assert.That(line.Exclusive, Is.True);
            Assert.That(line.Arguments["env"], Is.EqualTo(new[] { "staging" }));
            Assert.That(line.Arguments["tail"], Is.EqualTo(new[] { "20" }));
        });
    }

    [Test]
    public void An_alias_is_stored_under_the_parameter_name()
    {
        var line = HostCommandLine.Parse(["--environment=staging"], Parameters);

        Assert.That(line.Arguments["env"], Is.EqualTo(new[] { "staging" }));
    }

    [Test]
    public void No_target_means_Default()
    {
        Assert.That(HostCommandLine.Parse([], Parameters).Target, Is.EqualTo("Default"));
    }

    [TestCase("--enviroment=staging", "Unknown parameter '--enviroment'. Did you mean '--environment'?")]
    [TestCase("--allow-remot", "Unknown parameter '--allow-remot'. Did you mean '--allow-remote'?")]
    [TestCase("--verbosity=loud", "Unknown verbosity 'loud'.")]
    [TestCase("--=x", "Malformed argument '--=x'.")]
    [TestCase("--dryrun=maybe", "is a switch")]
    [TestCase("--tail", "needs a value")]
    public void Bad_input_is_one_usage_error(string argument, string message)
    {
        var error = Assert.Throws<UsageException>(() => HostCommandLine.Parse([argument], Parameters));

        Assert.That(error!.Message, Does.Contain(message));
        Assert.That(error.Message, Does.Not.Contain("\n"));
    }

    [TestCase(new[] { "--target=DevUp", "--target=Status" }, "--target is given twice ('DevUp', 'Status'): give it once.")]
    [TestCase(new[] { "-t", "DevUp", "--target=Status" }, "--target is given twice ('DevUp', 'Status'): give it once.")]
    [TestCase(new[] { "DevUp", "--target=Status" }, "--target is given twice ('DevUp', 'Status'): give it once.")]
    [TestCase(new[] { "--confirm=wrong", "--confirm=app" }, "--confirm is given twice ('wrong', 'app'): give it once.")]
    [TestCase(new[] { "--env=dev", "--environment=staging" }, "--env is given twice ('dev', 'staging'): give it once.")]
    [TestCase(new[] { "--dryrun", "--noop" }, "--dryrun is given twice: give it once.")]
    [TestCase(new[] { "--connection=Password=first", "--connection=Password=second" }, "--connection is given twice: give it once.")]
    [TestCase(new[] { "--target=Status", "DevUp" }, "Unexpected argument 'DevUp': the target is already 'Status'. Give one target, and parameters as --name=value.")]
    [TestCase(new[] { "--target", "Status", "DevUp" }, "Unexpected argument 'DevUp': the target is already 'Status'. Give one target, and parameters as --name=value.")]
    [TestCase(new[] { "Status", "DevUp" }, "Unexpected argument 'DevUp': the target is already 'Status'. Give one target, and parameters as --name=value.")]
    public void A_repeated_option_or_a_stray_argument_is_refused_never_resolved_to_one_value(string[] args, string message)
    {
        var error = Assert.Throws<UsageException>(() => HostCommandLine.Parse(args, Parameters));

        Assert.That(error!.Message, Is.EqualTo(message));
    }

    [TestCase("DevUP", "DevUp")]
    [TestCase("tset", "Test")]
    [TestCase("defualt", "Default")]
    public void Suggests_the_closest_name(string input, string expected)
    {
        Assert.That(Suggestions.Closest(input, ["Default", "DevUp", "DevDown", "Test", "Backup"]), Is.EqualTo(expected));
    }

    [Test]
    public void Does_not_suggest_something_unrelated()
    {
        Assert.That(Suggestions.Closest("Nope", ["Default", "DevUp", "Test"]), Is.Null);
    }
}
