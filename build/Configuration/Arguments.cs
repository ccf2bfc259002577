namespace Build.Configuration;

/// <summary>
/// Every parameter the kit accepts: the <see cref="ParameterAttribute"/> properties of <see cref="BuildParameters"/>,
/// read once. The host refuses any other name.
/// </summary>
public static class Arguments
{
    public static IReadOnlyList<ParameterDefinition> All { get; } = ParameterDefinition.Read(typeof(BuildParameters));

    /// <summary>The parameter that fills a property, by <c>nameof(BuildParameters.X)</c>.</summary>
    public static ParameterDefinition For(string propertyName) =>
        All.SingleOrDefault(d => d.Property.Name == propertyName)
        ?? throw new ArgumentException($"{nameof(BuildParameters)}.{propertyName} is not a declared parameter.", nameof(propertyName));
}
