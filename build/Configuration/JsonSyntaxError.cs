namespace Build.Configuration;

/// <summary>
/// What a person editing a JSON file needs to hear about a syntax error at a position: the text found there and, for
/// the most common slip, a missing comma between two values, that cause. Our words, not the parser's.
/// </summary>
internal static class JsonSyntaxError
{
    private const int Shown = 24;

    public static string Describe(string text, TextPosition position)
    {
        ArgumentNullException.ThrowIfNull(text);
        var offset = Offset(text, position);
        var next = offset;
        while (next < text.Length && char.IsWhiteSpace(text[next]))
        {
            next++;
        }

        if (next >= text.Length)
        {
            return "the text ends before every { and [ is closed.";
        }

        var previous = offset - 1;
        while (previous >= 0 && char.IsWhiteSpace(text[previous]))
        {
            previous--;
        }

        var line = text[next..].Split('\n')[0].TrimEnd('\r');
        var found = line.Length > Shown ? line[..Shown] + "..." : line;
        var endsValue = previous >= 0 && (text[previous] is '"' or '}' or ']' or 'e' or 'l' || char.IsAsciiDigit(text[previous]));
        var startsValue = text[next] is '"' or '{' or '[' or '-' or 't' or 'f' or 'n' || char.IsAsciiDigit(text[next]);
        return endsValue && startsValue
            ? $"a comma is missing before '{found}'."
            : $"unexpected '{found}' (a missing or extra comma, colon, quote or bracket here or just before).";
    }

    private static int Offset(string text, TextPosition position)
    {
        var offset = 0;
        for (var line = 1; line < position.Line; line++)
        {
            var newline = text.IndexOf('\n', offset);
            if (newline < 0)
            {
                return text.Length;
            }

            offset = newline + 1;
        }

        return Math.Min(text.Length, offset + position.Column - 1);
    }
}
