namespace Build.Configuration;

/// <summary>
/// Declares a property of <see cref="BuildParameters"/> as the <c>--name=value</c> parameter that fills it. The
/// property's type is the parameter's kind: <c>string</c> is text (a choice when <see cref="Choices"/> are given),
/// <c>bool</c> a switch, <c>int</c> a whole number within <see cref="Minimum"/> and <see cref="Maximum"/>,
/// <see cref="TimeSpan"/> a duration, an enum a choice of its members in kebab-case (as config/*.json spells them).
/// </summary>
[AttributeUsage(AttributeTargets.Property, AllowMultiple = false, Inherited = false)]
public sealed class ParameterAttribute(string name, string description) : Attribute
{
    public string Name { get; } = name;

    /// <summary>One line for the reader of <c>--help</c> and of this file.</summary>
    public string Description { get; } = description;

    /// <summary>Other names the command line accepts; the value is stored under <see cref="Name"/>.</summary>
    public string[] Aliases { get; set; } = [];

    /// <summary>
    /// The variable read from the process environment, then <c>.env</c>, when the command line does not give the
    /// parameter. Safety switches (<c>--yes</c>, <c>--confirm</c>) have none on purpose: a stray variable must never
    /// approve a destructive step.
    /// </summary>
    public string? Variable { get; set; }

    /// <summary>Its value is masked in every echo and never quoted back.</summary>
    public bool IsSecret { get; set; }

    /// <summary>The only values a text parameter accepts (an enum's choices are its members).</summary>
    public string[] Choices { get; set; } = [];

    /// <summary>The smallest whole number an integer parameter accepts.</summary>
    public int Minimum { get; set; }

    /// <summary>The largest whole number an integer parameter accepts.</summary>
    public int Maximum { get; set; } = int.MaxValue;
}
