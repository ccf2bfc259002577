using System.Globalization;
using Build.Host;
using Build.Tools;
using Cake.Core;

namespace Build.Configuration;

/// <summary>
/// The parameters of one run, typed, immutable and parsed once: the command line wins over the process environment,
/// which wins over <c>.env</c>; settings from <c>config/</c> are the defaults behind all three (read where used).
/// A value that does not parse is a usage error naming where it came from.
/// </summary>
public sealed record BuildParameters
{
    public string? Environment { get; init; }

    public string? ProjectName { get; init; }

    public int PortOffset { get; init; }

    public string? Connection { get; init; }

    public string? Confirm { get; init; }

    public bool AllowRemote { get; init; }

    public bool Yes { get; init; }

    public bool Volumes { get; init; }

    public string? Seed { get; init; }

    public string? SaveSnapshot { get; init; }

    public string? FromSnapshot { get; init; }

    public string? Backup { get; init; }

    public bool Verify { get; init; }

    public string? Service { get; init; }

    public bool Follow { get; init; }

    public int? Tail { get; init; }

    public string? Revision { get; init; }

    public string? Image { get; init; }

    public string? Strategy { get; init; }

    public TimeSpan? OlderThan { get; init; }

    public bool SkipBuild { get; init; }

    public string? Filter { get; init; }

    public bool DryRun { get; init; }

    /// <summary>Running under a CI service (<c>CI=true</c>).</summary>
    public bool IsCi { get; init; }

    public static BuildParameters Create(
        ICakeArguments arguments, IReadOnlyDictionary<string, string?> environment, DotEnvFile dotEnv, SecretMasker masker)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        ArgumentNullException.ThrowIfNull(environment);
        ArgumentNullException.ThrowIfNull(dotEnv);
        ArgumentNullException.ThrowIfNull(masker);
        var source = new Source(arguments, environment, dotEnv, masker);
        return new BuildParameters
        {
            Environment = source.Text(Arguments.Environment),
            ProjectName = source.Text(Arguments.ProjectName),
            PortOffset = source.Integer(Arguments.PortOffset, 0, 50000) ?? 0,
            Connection = source.Text(Arguments.Connection),
            Confirm = source.Text(Arguments.Confirm),
            AllowRemote = source.Flag(Arguments.AllowRemote),
            Yes = source.Flag(Arguments.Yes),
            Volumes = source.Flag(Arguments.Volumes),
            Seed = source.Choice(Arguments.Seed),
            SaveSnapshot = source.Text(Arguments.SaveSnapshot),
            FromSnapshot = source.Text(Arguments.FromSnapshot),
            Backup = source.Text(Arguments.Backup),
            Verify = source.Flag(Arguments.Verify),
            Service = source.Text(Arguments.Service),
            Follow = source.Flag(Arguments.Follow),
            Tail = source.Integer(Arguments.Tail, 0, 1_000_000),
            Revision = source.Text(Arguments.Revision),
            Image = source.Text(Arguments.Image),
            Strategy = source.Choice(Arguments.Strategy),
            OlderThan = source.Duration(Arguments.OlderThan),
            SkipBuild = source.Flag(Arguments.SkipBuild),
            Filter = source.Text(Arguments.Filter),
            DryRun = arguments.HasArgument("dryrun") && bool.TryParse(arguments.GetArguments("dryrun").Last(), out var dry) && dry,
            IsCi = ContinuousIntegration.IsDetected(environment),
        };
    }

    /// <summary>The longest duration a parameter or setting may give: what <see cref="TimeSpan"/> holds, in whole days.</summary>
    public const int MaximumDurationDays = 10_675_199;

    /// <summary>
    /// "7d", "12h", "30m", "45s", "2w" or a .NET time span ("1.02:00:00"); null for anything else, including a duration
    /// longer than <see cref="MaximumDurationDays"/> (it would overflow <see cref="TimeSpan"/>).
    /// </summary>
    public static TimeSpan? ParseDuration(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.Length >= 2 && double.TryParse(text[..^1], NumberStyles.Float, CultureInfo.InvariantCulture, out var amount) && double.IsFinite(amount) && amount >= 0)
        {
            var unit = char.ToLowerInvariant(text[^1]);
            var daysPerUnit = unit switch { 'w' => 7, 'd' => 1, 'h' => 1.0 / 24, 'm' => 1.0 / (24 * 60), 's' => 1.0 / (24 * 60 * 60), _ => 0 };
            if (daysPerUnit > 0)
            {
                if (amount * daysPerUnit > MaximumDurationDays)
                {
                    return null;
                }

                return unit switch
                {
                    'w' => TimeSpan.FromDays(amount * 7),
                    'd' => TimeSpan.FromDays(amount),
                    'h' => TimeSpan.FromHours(amount),
                    'm' => TimeSpan.FromMinutes(amount),
                    _ => TimeSpan.FromSeconds(amount),
                };
            }
        }

        return TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out var span) && span >= TimeSpan.Zero ? span : null;
    }

    private static string? Get(IReadOnlyDictionary<string, string?> environment, string name) =>
        environment.TryGetValue(name, out var value) ? value : null;

    private sealed class Source(ICakeArguments arguments, IReadOnlyDictionary<string, string?> environment, DotEnvFile dotEnv, SecretMasker masker)
    {
        public string? Text(ParameterDefinition definition) => Read(definition)?.Value;

        public bool Flag(ParameterDefinition definition)
        {
            if (Read(definition) is not { } found)
            {
                return false;
            }

            return bool.TryParse(found.Value, out var on)
                ? on
                : throw new UsageException($"{found.Origin} is a switch: true or false, not '{found.Value}'.");
        }

        public int? Integer(ParameterDefinition definition, int minimum, int maximum)
        {
            if (Read(definition) is not { } found)
            {
                return null;
            }

            return int.TryParse(found.Value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var number) && number >= minimum && number <= maximum
                ? number
                : throw new UsageException($"{found.Origin} must be a whole number from {minimum} to {maximum}, not '{found.Value}'.");
        }

        public TimeSpan? Duration(ParameterDefinition definition)
        {
            if (Read(definition) is not { } found)
            {
                return null;
            }

            return ParseDuration(found.Value)
                ?? throw new UsageException($"{found.Origin} must be a duration such as 7d, 12h or 30m, at most {MaximumDurationDays}d, not '{found.Value}'.");
        }

        public string? Choice(ParameterDefinition definition)
        {
            if (Read(definition) is not { } found)
            {
                return null;
            }

            return definition.Choices.FirstOrDefault(c => c == found.Value)
                ?? throw new UsageException(
                    $"{found.Origin} must be one of {string.Join(", ", definition.Choices)}, not '{found.Value}'.{Suggestions.DidYouMean(found.Value, definition.Choices)}");
        }

        private (string Value, string Origin)? Read(ParameterDefinition definition)
        {
            (string Value, string Origin)? found = null;
            if (arguments.HasArgument(definition.Name))
            {
                found = (arguments.GetArguments(definition.Name).Last(), $"--{definition.Name}");
            }
            else if (definition.EnvironmentVariable is { } variable)
            {
                if (Get(environment, variable) is { } fromEnvironment)
                {
                    found = (fromEnvironment, $"environment variable {variable}");
                }
                else if (dotEnv.Values.TryGetValue(variable, out var fromFile))
                {
                    found = (fromFile, $"{variable} in {dotEnv.Path} line {dotEnv.Lines[variable]}");
                }
            }

            if (found is { } value)
            {
                if (value.Value.Length == 0 && definition.Kind != ParameterKind.Text)
                {
                    throw new UsageException($"{value.Origin} is empty. Give a value or leave it out.");
                }

                if (definition.IsSecret)
                {
                    masker.Add(value.Value);
                }
            }

            return found;
        }
    }
}
