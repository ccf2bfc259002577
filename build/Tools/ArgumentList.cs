using System.Collections;

namespace Build.Tools;

/// <summary>
/// The argument vector of a command, built from typed settings. Never a joined string: the process receives each
/// argument as is, so quoting is correct on every OS.
/// </summary>
public sealed class ArgumentList : IReadOnlyList<CommandArgument>
{
    private readonly List<CommandArgument> items = [];

    public ArgumentList()
    {
    }

    public ArgumentList(IEnumerable<string> values) => Add(values);

    public int Count => items.Count;

    public CommandArgument this[int index] => items[index];

    public ArgumentList Add(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        items.Add(new CommandArgument(value));
        return this;
    }

    public ArgumentList Add(IEnumerable<string> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        foreach (var value in values)
        {
            Add(value);
        }

        return this;
    }

    public ArgumentList AddSecret(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        items.Add(new CommandArgument(value, IsSecret: true));
        return this;
    }

    /// <summary><c>name value</c> as two arguments; nothing when the value is null.</summary>
    public ArgumentList AddOption(string name, string? value)
    {
        if (value is not null)
        {
            Add(name).Add(value);
        }

        return this;
    }

    /// <summary><c>name=value</c> as one argument; nothing when the value is null.</summary>
    public ArgumentList AddJoined(string name, string? value)
    {
        if (value is not null)
        {
            Add($"{name}={value}");
        }

        return this;
    }

    /// <summary>The option once per value: <c>--label a --label b</c>.</summary>
    public ArgumentList AddOptions(string name, IEnumerable<string> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        foreach (var value in values)
        {
            Add(name).Add(value);
        }

        return this;
    }

    public ArgumentList AddSwitch(string name, bool on)
    {
        if (on)
        {
            Add(name);
        }

        return this;
    }

    public IReadOnlyList<string> Values => items.Select(i => i.Value).ToArray();

    public IEnumerator<CommandArgument> GetEnumerator() => items.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
