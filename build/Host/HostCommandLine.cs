using Cake.Core.Diagnostics;

namespace Build.Host;

/// <summary>The command line as Cake users know it, parsed once. Anything wrong is a <see cref="UsageException"/>.</summary>
public sealed record HostCommandLine
{
    public const string DefaultTarget = "Default";

    // Host options, with Cake's spellings and short forms.
    private static readonly HostParameter[] HostOptions =
    [
        new("target", false, "t"),
        new("verbosity", false, "v"),
        new("working", false, "w"),
        new("dryrun", true, "noop", "whatif"),
        new("tree", true),
        new("description", true, "showdescription"),
        new("exclusive", true, "e"),
        new("help", true, "h", "?"),
        new("version", true),
    ];

    private static readonly Dictionary<string, Verbosity> Verbosities = new(StringComparer.OrdinalIgnoreCase)
    {
        ["quiet"] = Verbosity.Quiet, ["q"] = Verbosity.Quiet,
        ["minimal"] = Verbosity.Minimal, ["m"] = Verbosity.Minimal,
        ["normal"] = Verbosity.Normal, ["n"] = Verbosity.Normal,
        ["verbose"] = Verbosity.Verbose, ["v"] = Verbosity.Verbose,
        ["diagnostic"] = Verbosity.Diagnostic, ["d"] = Verbosity.Diagnostic,
    };

    public string Target { get; private init; } = DefaultTarget;

    public Verbosity Verbosity { get; private init; } = Verbosity.Normal;

    public string? WorkingDirectory { get; private init; }

    public bool DryRun { get; private init; }

    public bool Tree { get; private init; }

    public bool Description { get; private init; }

    public bool Exclusive { get; private init; }

    public bool Help { get; private init; }

    public bool Version { get; private init; }

    /// <summary>Every argument by canonical lower-case name, host options included, as the engine's arguments.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>> Arguments { get; private init; } =
        new Dictionary<string, IReadOnlyList<string>>();

    /// <summary>The program run with no argument but the default target: the task listing and nothing else.</summary>
    public bool IsBareListing => Target == DefaultTarget && Arguments.Keys.All(name => name == "target");

    /// <summary>
    /// True when <paramref name="args"/> parse to a bare listing (<see cref="IsBareListing"/>), decided without the
    /// application's parameters: a bare listing holds nothing but the default target, so any other argument says no
    /// before anything is parsed, and the parse that decides is this class's own.
    /// </summary>
    public static bool IsBareListingArguments(IReadOnlyList<string> args)
    {
        ArgumentNullException.ThrowIfNull(args);
        if (args.Count > 2 || args.Any(arg => arg.StartsWith('-') && !IsTargetOption(arg)))
        {
            return false;
        }

        try
        {
            return Parse(args, []).IsBareListing;
        }
        catch (UsageException)
        {
            // The full parse says what is wrong, in the application's words.
            return false;
        }
    }

    private static bool IsTargetOption(string arg) => HostOptions[0].AllNames.Contains(SplitOption(arg).Name, StringComparer.OrdinalIgnoreCase);

    /// <summary>An option as written: <c>--name=value</c>, <c>-n=value</c>, or the name alone (value null).</summary>
    private static (string Name, string? Value) SplitOption(string arg)
    {
        var body = arg.StartsWith("--", StringComparison.Ordinal) ? arg[2..] : arg[1..];
        var equals = body.IndexOf('=', StringComparison.Ordinal);
        return equals >= 0 ? (body[..equals], body[(equals + 1)..]) : (body, null);
    }

    public static HostCommandLine Parse(IReadOnlyList<string> args, IEnumerable<HostParameter> applicationParameters)
    {
        ArgumentNullException.ThrowIfNull(args);
        var known = new Dictionary<string, HostParameter>(StringComparer.OrdinalIgnoreCase);
        foreach (var parameter in HostOptions.Concat(applicationParameters))
        {
            foreach (var name in parameter.AllNames)
            {
                known[name] = parameter;
            }
        }

        var values = new Dictionary<string, List<string>>(StringComparer.OrdinalIgnoreCase);
        string? positionalTarget = null;
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            if (!arg.StartsWith('-') || arg == "-")
            {
                // One bare word is the target, as in Cake; a second one, or one beside --target, would be dropped.
                if ((positionalTarget ?? (values.TryGetValue("target", out var targetOption) ? targetOption[0] : null)) is { } current)
                {
                    throw new UsageException($"Unexpected argument '{arg}': the target is already '{current}'. Give one target, and parameters as --name=value.");
                }

                positionalTarget = arg;
                continue;
            }

            var (name, value) = SplitOption(arg);
            if (name.Length == 0 || name.StartsWith('-') || !name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '?'))
            {
                throw new UsageException($"Malformed argument '{arg}'. Parameters are written --name=value.");
            }

            if (!known.TryGetValue(name, out var parameter))
            {
                var dashes = arg.StartsWith("--", StringComparison.Ordinal) ? "--" : "-";
                throw new UsageException(
                    $"Unknown parameter '{dashes}{name}'.{Suggestions.DidYouMean(name, known.Keys.Where(k => k.Length > 1), "--{0}")} Run with --help to see the options.");
            }

            if (value is null)
            {
                if (parameter.IsFlag)
                {
                    value = "true";
                }
                else if (i + 1 < args.Count && !args[i + 1].StartsWith('-'))
                {
                    value = args[++i];
                }
                else
                {
                    throw new UsageException($"Parameter '--{parameter.Name}' needs a value: --{parameter.Name}=<value>.");
                }
            }

            if (parameter.IsFlag && !bool.TryParse(value, out _))
            {
                throw new UsageException($"Parameter '--{parameter.Name}' is a switch: give it alone or as --{parameter.Name}=true|false, not '{value}'.");
            }

            // Last-one-wins would let a second --target or --confirm silently replace the first: refuse instead.
            var earlier = values.TryGetValue(parameter.Name, out var previous) ? previous[0]
                : parameter.Name == "target" ? positionalTarget
                : null;
            if (earlier is not null)
            {
                var both = parameter.IsFlag || parameter.IsSecret ? string.Empty : $" ('{earlier}', '{value}')";
                throw new UsageException($"--{parameter.Name} is given twice{both}: give it once.");
            }

            values[parameter.Name] = [value];
        }

        string? Value(string name) => values.TryGetValue(name, out var v) ? v[0] : null;
        bool Flag(string name) => Value(name) is { } v && bool.Parse(v);

        var target = Value("target") ?? positionalTarget ?? DefaultTarget;
        if (target.Length == 0)
        {
            throw new UsageException("The target is empty. Give one with --target=<Task>, or none to list the tasks.");
        }

        var verbosity = Verbosity.Normal;
        if (Value("verbosity") is { } verbosityText && !Verbosities.TryGetValue(verbosityText, out verbosity))
        {
            throw new UsageException(
                $"Unknown verbosity '{verbosityText}'.{Suggestions.DidYouMean(verbosityText, Verbosities.Keys.Where(k => k.Length > 1))} Use quiet, minimal, normal, verbose or diagnostic.");
        }

        values["target"] = [target];
        return new HostCommandLine
        {
            Target = target,
            Verbosity = verbosity,
            WorkingDirectory = Value("working"),
            DryRun = Flag("dryrun"),
            Tree = Flag("tree"),
            Description = Flag("description"),
            Exclusive = Flag("exclusive"),
            Help = Flag("help"),
            Version = Flag("version"),
            Arguments = values.ToDictionary(p => p.Key, p => (IReadOnlyList<string>)p.Value, StringComparer.OrdinalIgnoreCase),
        };
    }

    public static string HelpText(string program, IEnumerable<HostParameter> applicationParameters) =>
        $"""
        Usage: {program} [--target=<Task>] [options] [--name=value ...]

        Options:
          -t, --target=<Task>        the task to run (default: {DefaultTarget}, which lists the tasks)
          -v, --verbosity=<level>    quiet, minimal, normal, verbose or diagnostic
          -w, --working=<dir>        the folder the build runs in
              --dryrun               print the plan: the tasks in order and the commands they would run
              --tree                 print the task's dependency tree
              --description          print every task with its description
          -e, --exclusive            run the target alone, without its dependencies
          -h, --help                 this text
              --version              the version of this build

        Parameters: {string.Join(", ", applicationParameters.Select(p => "--" + p.Name).Order(StringComparer.Ordinal))}
        Exit codes: 0 success; 2 usage or configuration error; a failing tool's own exit code; 1 any other failure.
        """;
}
