using System.ComponentModel;
using System.Diagnostics;
using System.Text;
using Cake.Core.Diagnostics;

namespace Build.Tools;

/// <summary>
/// Starts a real process: echoes the redacted command first, streams its output line by line (secrets masked),
/// and turns a failing exit code into a <see cref="ToolFailedException"/> carrying the last lines of error output.
/// </summary>
public sealed class ProcessCommandRunner(ICakeLog log, SecretMasker masker) : ICommandRunner
{
    private const int TailLines = 20;

    public async Task<CommandResult> RunAsync(ToolCommand command, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(command);
        log.Write(command.Quiet ? Verbosity.Verbose : Verbosity.Normal, LogLevel.Information, "{0}", "> " + masker.Mask(command.Render()));

        if (command.Interactive)
        {
            return await RunInteractiveAsync(command, cancellationToken).ConfigureAwait(false);
        }

        var startInfo = StartInfo(command);
        startInfo.RedirectStandardOutput = true;
        startInfo.RedirectStandardError = true;
        // Standard input is always redirected, and closed when there is nothing to send: a tool never waits on the
        // user's terminal for an answer nobody sees, and a child that does not own the terminal leaves its modes alone.
        startInfo.RedirectStandardInput = true;
        startInfo.StandardOutputEncoding = command.StandardOutputFile is null && command.StandardOutputReader is null ? Encoding.UTF8 : null;
        startInfo.StandardErrorEncoding = Encoding.UTF8;
        using var process = Start(command, startInfo);

        var output = new StringBuilder();
        var error = new StringBuilder();
        var tail = new Queue<string>();
        var streamLevel = command.Quiet ? Verbosity.Verbose : Verbosity.Normal;
        using var hash = command.StandardOutputFile is null ? null : System.Security.Cryptography.IncrementalHash.CreateHash(System.Security.Cryptography.HashAlgorithmName.SHA256);
        long written = 0;
        var stoppedForReader = false;
        using var readerStop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var outputPump = command switch
        {
            { StandardOutputFile: { } outputFile } => CopyToFile(process.StandardOutput.BaseStream, outputFile),
            { StandardOutputReader: { } reader } => Read(reader, process.StandardOutput.BaseStream),
            _ => Pump(process.StandardOutput, output, null, streamLevel),
        };
        var errorPump = Pump(process.StandardError, error, tail, streamLevel);
        var inputPump = Task.CompletedTask;
        if (command.StandardInput is not null)
        {
            await process.StandardInput.WriteAsync(command.StandardInput).ConfigureAwait(false);
            process.StandardInput.Close();
        }
        else if (command.StandardInputFile is { } inputFile)
        {
            inputPump = CopyFromFile(inputFile, process.StandardInput);
        }
        else
        {
            process.StandardInput.Close();
        }

        using var timeout = command.Timeout is { } limit ? new CancellationTokenSource(limit) : new CancellationTokenSource();
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        try
        {
            await process.WaitForExitAsync(linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
            if (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                throw new ToolFailedException(command.Tool, 124, $"timed out after {command.Timeout!.Value.TotalSeconds:0} s and was stopped.", tail.ToArray());
            }

            throw;
        }

        await errorPump.ConfigureAwait(false);
        if (command.StandardOutputReader is not null && !command.SuccessExitCodes.Contains(process.ExitCode) && !stoppedForReader)
        {
            // The process failed by itself: its error is the cause; the reader only saw its output end early.
            readerStop.Cancel();
            await outputPump.ContinueWith(_ => { }, TaskScheduler.Default).ConfigureAwait(false);
        }
        else
        {
            await outputPump.ConfigureAwait(false);
        }

        try
        {
            await inputPump.ConfigureAwait(false);
        }
        catch (IOException) when (process.ExitCode != 0)
        {
            // The process stopped reading because it failed; its exit code and error output tell why.
        }

        var result = new CommandResult(process.ExitCode, output.ToString(), error.ToString())
        {
            OutputFile = hash is null ? null : new OutputFileDigest(Convert.ToHexStringLower(hash.GetHashAndReset()), written),
        };
        if (!command.SuccessExitCodes.Contains(process.ExitCode))
        {
            var lines = tail.Count > 0 ? tail.ToArray() : result.OutputLines.TakeLast(TailLines).Select(masker.Mask).ToArray();
            throw new ToolFailedException(command.Tool, process.ExitCode, $"{masker.Mask(command.Render())}", lines);
        }

        return result;

        // One pass: each block is hashed as it is written, so the file's checksum never needs a second read. Blocking
        // reads on a thread of its own: an asynchronous pipe read goes through the event loop and a thread-pool
        // dispatch for every few kilobytes pg_dump writes, which cost more CPU than the copy itself.
        Task CopyToFile(Stream source, string path) => Task.Factory.StartNew(
            () =>
            {
                try
                {
                    using var target = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20);
                    var buffer = new byte[1 << 20];
                    int read;
                    while ((read = source.Read(buffer, 0, buffer.Length)) > 0)
                    {
                        hash!.AppendData(buffer, 0, read);
                        written += read;
                        target.Write(buffer, 0, read);
                    }

                    // On disk before the caller renames its folder into place, as pg_dump --file does by default (PostgreSQL 12+).
                    target.Flush(flushToDisk: true);
                }
                catch (IOException)
                {
                    // The file cannot take more (a full disk): nobody reads the pipe any longer, so the process would wait
                    // on it for ever. Stop it; the write's own error is the failure the caller sees.
                    StopQuietly(process);
                    throw;
                }
            },
            CancellationToken.None,
            TaskCreationOptions.LongRunning,
            TaskScheduler.Default);

        // The reader runs on a thread of its own; when it throws, the process is stopped (it would wait on a full pipe)
        // and the reader's exception is the failure. What it leaves unread is drained, so the process can finish.
        // (An EndOfStreamException says the output ended early: the process's own failure, if it failed, comes first.)
        Task Read(IStandardOutputReader reader, Stream source) => Task.Run(
            async () =>
            {
                try
                {
                    await reader.ReadAsync(source, readerStop.Token).ConfigureAwait(false);
                    await source.CopyToAsync(Stream.Null, CancellationToken.None).ConfigureAwait(false);
                }
                catch (EndOfStreamException)
                {
                    // The output ended before the reader had all it needed: the process stopped, and its exit code
                    // says whether that was its own failure (then the cause) or a short output (then this).
                    throw;
                }
                catch
                {
                    stoppedForReader = true;
                    StopQuietly(process);
                    throw;
                }
            },
            CancellationToken.None);

        static async Task CopyFromFile(string path, StreamWriter input)
        {
            await using (var source = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, useAsync: true))
            {
                await source.CopyToAsync(input.BaseStream).ConfigureAwait(false);
            }

            input.Close();
        }

        async Task Pump(StreamReader reader, StringBuilder sink, Queue<string>? lastLines, Verbosity level)
        {
            while (await reader.ReadLineAsync(CancellationToken.None).ConfigureAwait(false) is { } line)
            {
                sink.AppendLine(line);
                var masked = masker.Mask(line);
                log.Write(level, LogLevel.Information, "{0}", masked);
                if (lastLines is not null)
                {
                    lock (lastLines)
                    {
                        lastLines.Enqueue(masked);
                        if (lastLines.Count > TailLines)
                        {
                            lastLines.Dequeue();
                        }
                    }
                }
            }
        }
    }

    private static void StopQuietly(Process process)
    {
        try
        {
            process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // It has exited already.
        }
    }

    private async Task<CommandResult> RunInteractiveAsync(ToolCommand command, CancellationToken cancellationToken)
    {
        // The terminal is the process's own: nothing is redirected, captured or masked (Shell).
        using var process = Start(command, StartInfo(command));
        await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        if (!command.SuccessExitCodes.Contains(process.ExitCode))
        {
            throw new ToolFailedException(command.Tool, process.ExitCode, masker.Mask(command.Render()), []);
        }

        return new CommandResult(process.ExitCode, string.Empty, string.Empty);
    }

    /// <summary>The executable, its argument vector (each argument as is: no quoting to get wrong) and its variables.</summary>
    private static ProcessStartInfo StartInfo(ToolCommand command)
    {
        // The PostgreSQL clients behind Debian's pg_wrapper start as the binary it would exec (PgWrapper).
        var unwrapped = Postgres.PgWrapper.Unwrap(command.Executable);
        var startInfo = new ProcessStartInfo(unwrapped ?? command.Executable)
        {
            UseShellExecute = false,
            WorkingDirectory = command.WorkingDirectory ?? Environment.CurrentDirectory,
        };
        if (unwrapped is not null && !startInfo.Environment.ContainsKey(Postgres.PgWrapper.ConfigurationVariable))
        {
            startInfo.Environment[Postgres.PgWrapper.ConfigurationVariable] = Postgres.PgWrapper.ConfigurationFolder;
        }

        foreach (var argument in command.Arguments)
        {
            startInfo.ArgumentList.Add(argument.Value);
        }

        foreach (var (name, value) in command.Environment)
        {
            if (value is null)
            {
                startInfo.Environment.Remove(name);
            }
            else
            {
                startInfo.Environment[name] = value;
            }
        }

        return startInfo;
    }

    private static Process Start(ToolCommand command, ProcessStartInfo startInfo)
    {
        var process = new Process { StartInfo = startInfo };
        try
        {
            process.Start();
            return process;
        }
        catch (Win32Exception)
        {
            process.Dispose();
            throw new ToolFailedException(
                command.Tool,
                127,
                $"'{command.Executable}' was not found or could not be started.{(command.InstallHint is null ? string.Empty : " " + command.InstallHint)}",
                []);
        }
    }
}
