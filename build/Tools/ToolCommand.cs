using System.Text;

namespace Build.Tools;

/// <summary>One external command, fully described before it runs: what the runner executes and what it echoes.</summary>
public sealed record ToolCommand
{
    /// <summary>The name shown to users and carried by a failure ("docker", "pg_dump").</summary>
    public required string Tool { get; init; }

    public required string Executable { get; init; }

    public IReadOnlyList<CommandArgument> Arguments { get; init; } = [];

    public string? WorkingDirectory { get; init; }

    /// <summary>Variables set for the process (a null value removes one). Values of names in <see cref="SecretVariables"/> are echoed redacted.</summary>
    public IReadOnlyDictionary<string, string?> Environment { get; init; } = new Dictionary<string, string?>();

    public IReadOnlySet<string> SecretVariables { get; init; } = new HashSet<string>();

    public string? StandardInput { get; init; }

    /// <summary>Streams this file to the process's standard input (binary safe: a dump into <c>pg_restore</c>).</summary>
    public string? StandardInputFile { get; init; }

    /// <summary>Streams standard output to this file instead of the log (binary safe: <c>pg_dump</c> in a container).</summary>
    public string? StandardOutputFile { get; init; }

    /// <summary>
    /// Hands standard output, as bytes, to this reader while the process runs (a table's data into COPY connections);
    /// what the reader leaves unread is discarded. Echoed as <c>| description</c>.
    /// </summary>
    public IStandardOutputReader? StandardOutputReader { get; init; }

    /// <summary>The process takes over this terminal (a shell): nothing is redirected or captured.</summary>
    public bool Interactive { get; init; }

    /// <summary>Output is captured for the caller, shown only at verbose level.</summary>
    public bool Quiet { get; init; }

    /// <summary>Reads state and changes nothing (a probe, a listing): a plan's step never is one; tests check the wrappers mark them.</summary>
    public bool IsQuery { get; init; }

    public IReadOnlyList<int> SuccessExitCodes { get; init; } = [0];

    public TimeSpan? Timeout { get; init; }

    /// <summary>A line of how to fix things when the executable is missing ("Install Docker: ...").</summary>
    public string? InstallHint { get; init; }

    /// <summary>The command as a POSIX shell line, secrets redacted: what is echoed before it runs.</summary>
    public string Render()
    {
        var line = new StringBuilder();
        foreach (var (name, value) in Environment.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            if (value is not null && EchoedVariable(name))
            {
                line.Append(name).Append('=').Append(SecretVariables.Contains(name) ? CommandArgument.Redacted : Quote(value)).Append(' ');
            }
        }

        line.Append(Quote(Executable));
        foreach (var argument in Arguments)
        {
            line.Append(' ').Append(argument.IsSecret ? CommandArgument.Redacted : Quote(argument.Value));
        }

        if (StandardInputFile is not null)
        {
            line.Append(" < ").Append(Quote(StandardInputFile));
        }

        if (StandardOutputFile is not null)
        {
            line.Append(" > ").Append(Quote(StandardOutputFile));
        }

        if (StandardOutputReader is not null)
        {
            line.Append(" | ").Append(StandardOutputReader.Description);
        }

        return line.ToString();
    }

    // A command with a few variables (PGPASSWORD for pg_dump) echoes them, secrets redacted; the bulk that compose
    // receives (every .env value) would bury the command, so it is not echoed.
    private bool EchoedVariable(string name) => Environment.Count <= 4;

    public static string Quote(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (value.Length > 0 && value.All(c => char.IsAsciiLetterOrDigit(c) || "-_./:=,@%+".Contains(c)))
        {
            return value;
        }

        return "'" + value.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
    }
}

/// <summary>Takes a process's standard output while it runs: <see cref="ToolCommand.StandardOutputReader"/>.</summary>
public interface IStandardOutputReader
{
    /// <summary>Where the output goes, for the echoed command and the plan ("COPY public.t FROM STDIN on 2 connections").</summary>
    string Description { get; }

    /// <summary>
    /// Reads the output. Throwing stops the process (nobody reads its output any longer) and is the run's failure,
    /// unless the process failed first by itself.
    /// </summary>
    Task ReadAsync(Stream output, CancellationToken cancellationToken);
}
