using System.Reflection;
using Build.Host;

namespace Build.Configuration;

public enum ParameterKind
{
    Text,
    Flag,
    Integer,
    Duration,
    Choice,
}

/// <summary>
/// One <c>--name=value</c> parameter as its <see cref="ParameterAttribute"/> declares it on a property: its kind (from
/// the property's type), where else it may come from, whether it is secret, and the property its parsed value fills.
/// </summary>
public sealed record ParameterDefinition(string Name, ParameterKind Kind, string Description)
{
    private object[] choiceValues = [];

    public string[] Aliases { get; init; } = [];

    public string? EnvironmentVariable { get; init; }

    public bool IsSecret { get; init; }

    public string[] Choices { get; init; } = [];

    /// <summary>The range of an <see cref="ParameterKind.Integer"/> parameter, both ends included.</summary>
    public int Minimum { get; init; }

    public int Maximum { get; init; } = int.MaxValue;

    /// <summary>The property the parsed value is stored in.</summary>
    public required PropertyInfo Property { get; init; }

    public HostParameter ToHostParameter() => new(Name, Kind == ParameterKind.Flag, Aliases) { IsSecret = IsSecret };

    /// <summary>The typed value of one of <see cref="Choices"/>: the text itself, or the enum member it names.</summary>
    public object ChoiceValue(string choice)
    {
        var index = Array.IndexOf(Choices, choice);
        return index < 0
            ? throw new ArgumentOutOfRangeException(nameof(choice), choice, $"--{Name} has no choice '{choice}'.")
            : choiceValues[index];
    }

    /// <summary>
    /// The parameters <paramref name="type"/> declares, in declaration order. A declaration the reader cannot honour
    /// (a type with no kind, choices on a number) is a mistake in the kit, so it throws rather than being skipped.
    /// </summary>
    public static IReadOnlyList<ParameterDefinition> Read(Type type)
    {
        ArgumentNullException.ThrowIfNull(type);
        var properties = Array.FindAll(type.GetProperties(BindingFlags.Public | BindingFlags.Instance), p => p.IsDefined(typeof(ParameterAttribute), inherit: false));

        // Reflection promises no order; the file's order is the one a reader expects (and the order of the checks).
        Array.Sort(properties, (a, b) => a.MetadataToken.CompareTo(b.MetadataToken));
        var definitions = Array.ConvertAll(properties, From);
        var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var name in definitions.SelectMany(d => d.Aliases.Prepend(d.Name)))
        {
            if (!names.Add(name))
            {
                throw new InvalidOperationException($"{type.Name} declares the parameter name '{name}' twice.");
            }
        }

        return definitions;
    }

    /// <summary>
    /// An enum member as config/*.json spells it (BlueGreen is blue-green), so a value has one spelling everywhere.
    /// Written out rather than taken from System.Text.Json's kebab-case policy (a test holds the two equal): loading
    /// that assembly cost every start, <c>--help</c> included, about 20 ms of CPU out of a 0.30 s budget.
    /// </summary>
    internal static string KebabCase(string member)
    {
        ArgumentNullException.ThrowIfNull(member);
        var text = new System.Text.StringBuilder(member.Length + 4);
        for (var i = 0; i < member.Length; i++)
        {
            if (char.IsUpper(member[i]) && i > 0)
            {
                text.Append('-');
            }

            text.Append(char.ToLowerInvariant(member[i]));
        }

        return text.ToString();
    }

    private static ParameterDefinition From(PropertyInfo property)
    {
        var declared = property.GetCustomAttribute<ParameterAttribute>()!;
        var type = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
        var kind = type == typeof(bool) ? ParameterKind.Flag
            : type == typeof(int) ? ParameterKind.Integer
            : type == typeof(TimeSpan) ? ParameterKind.Duration
            : type.IsEnum || (type == typeof(string) && declared.Choices.Length > 0) ? ParameterKind.Choice
            : type == typeof(string) ? ParameterKind.Text
            : throw new InvalidOperationException($"{property.DeclaringType?.Name}.{property.Name}: a parameter is a string, bool, int, TimeSpan or enum, not {type.Name}.");
        if (declared.Choices.Length > 0 && type != typeof(string))
        {
            throw new InvalidOperationException($"{property.DeclaringType?.Name}.{property.Name}: only a string parameter lists its choices; an enum's are its members.");
        }

        if (kind != ParameterKind.Integer && (declared.Minimum != 0 || declared.Maximum != int.MaxValue))
        {
            throw new InvalidOperationException($"{property.DeclaringType?.Name}.{property.Name}: only an integer parameter has a range.");
        }

        if (!property.CanWrite)
        {
            throw new InvalidOperationException($"{property.DeclaringType?.Name}.{property.Name}: a parameter's property needs an init accessor.");
        }

        var (choices, values) = type.IsEnum
            ? (Enum.GetNames(type).Select(KebabCase).ToArray(), Enum.GetValues(type).Cast<object>().ToArray())
            : (declared.Choices, declared.Choices.Cast<object>().ToArray());
        return new ParameterDefinition(declared.Name, kind, declared.Description)
        {
            Aliases = declared.Aliases,
            EnvironmentVariable = declared.Variable,
            IsSecret = declared.IsSecret,
            Choices = choices,
            Minimum = declared.Minimum,
            Maximum = declared.Maximum,
            Property = property,
            choiceValues = values,
        };
    }
}
