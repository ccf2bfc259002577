namespace Build.Tools;

public sealed record CommandResult(int ExitCode, string StandardOutput, string StandardError)
{
    /// <summary>
    /// What went into <see cref="ToolCommand.StandardOutputFile"/>: its SHA-256 and size, hashed while it was written
    /// (a dump is read once, never again for its checksum); null when the output was not written to a file.
    /// </summary>
    public OutputFileDigest? OutputFile { get; init; }

    public static CommandResult Empty { get; } = new(0, string.Empty, string.Empty);

    public IReadOnlyList<string> OutputLines =>
        StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}

/// <summary>The SHA-256 (lower-case hex) and byte count of a command's standard output as written to its file.</summary>
public sealed record OutputFileDigest(string Sha256, long Bytes);
