using System.Collections.Concurrent;
using System.Text;
using Build.Tools;
using Npgsql;

namespace Build.Database;

/// <summary>
/// Loads one table's data through several COPY connections at once, from pg_restore's script of that table (its
/// settings, <c>COPY ... FROM stdin;</c>, the rows, <c>\.</c>). pg_restore loads a table through one connection, and
/// one server process parses and inserts its rows on one core: the biggest table is what a restore waits for. Here the
/// rows are cut into blocks at line ends (in COPY's text format a row is one line: a newline inside a value is written
/// <c>\n</c>) and each connection takes the next block when it is free, so the load spreads over the server's cores.
/// Every row goes to exactly one connection, unchanged; a failure anywhere stops every connection (the caller drops
/// the database it loads into).
/// </summary>
public sealed class ParallelTableLoad(string table, int connections, Func<CancellationToken, Task<NpgsqlConnection>> open) : IStandardOutputReader
{
    private const int BlockSize = 1 << 20;
    private static readonly byte[] EndOfData = "\n\\.\n"u8.ToArray();

    public string Description => $"COPY {table} FROM STDIN through {connections} connections, the rows split between them";

    /// <summary>The script is not one this load can split (another encoding than UTF-8, a statement it does not know): nothing was loaded.</summary>
    public sealed class CannotSplitException(string reason) : Exception(reason);

    public async Task ReadAsync(Stream output, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(output);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        // The connections open while pg_restore starts and writes the script's first lines.
        var opening = Enumerable.Range(0, connections).Select(_ => Task.Run(() => open(stop.Token), stop.Token)).ToArray();
        var writers = new NpgsqlCopyTextWriter?[connections];
        try
        {
            var (settings, copy, first, filled) = ReadPreamble(output);
            var opened = await Task.WhenAll(opening).ConfigureAwait(false);
            for (var i = 0; i < connections; i++)
            {
                if (settings.Length > 0)
                {
                    await DatabaseConnector.ExecuteAsync(opened[i], settings, cancellationToken: stop.Token).ConfigureAwait(false);
                }

                writers[i] = await opened[i].BeginTextImportAsync(copy, stop.Token).ConfigureAwait(false);
            }

            Load(output, writers!, first, filled, stop);
            for (var i = 0; i < connections; i++)
            {
                // Ends this connection's COPY: the server's verdict on its rows (an error) comes here.
                var writer = writers[i]!;
                writers[i] = null;
                await writer.DisposeAsync().ConfigureAwait(false);
            }
        }
        catch
        {
            await stop.CancelAsync().ConfigureAwait(false);
            foreach (var writer in writers.OfType<NpgsqlCopyTextWriter>())
            {
                await CancelQuietlyAsync(writer).ConfigureAwait(false);
            }

            throw;
        }
        finally
        {
            foreach (var connection in opening)
            {
                if (connection.IsCompletedSuccessfully)
                {
                    await connection.Result.DisposeAsync().ConfigureAwait(false);
                }
                else
                {
                    await DatabaseConnector.CloseUnusedAsync(connection).ConfigureAwait(false);
                }
            }
        }
    }

    /// <summary>
    /// The script up to its COPY statement: the settings to give every connection (pg_restore's own SETs), the COPY
    /// statement, and the first block holding what was read after it.
    /// </summary>
    private static (string Settings, string Copy, byte[] First, int Filled) ReadPreamble(Stream output)
    {
        var buffer = new byte[BlockSize];
        var filled = 0;
        var lineStart = 0;
        var settings = new StringBuilder();
        while (true)
        {
            var newline = Array.IndexOf(buffer, (byte)'\n', lineStart, filled - lineStart);
            if (newline < 0)
            {
                if (filled == buffer.Length)
                {
                    throw new CannotSplitException("its script has a line of over a megabyte before the data");
                }

                var read = output.Read(buffer, filled, buffer.Length - filled);
                if (read == 0)
                {
                    throw new EndOfStreamException("pg_restore's script ended before its COPY statement");
                }

                filled += read;
                continue;
            }

            var line = Encoding.UTF8.GetString(buffer, lineStart, newline - lineStart).TrimEnd('\r');
            lineStart = newline + 1;
            if (line.StartsWith("COPY ", StringComparison.Ordinal) && line.EndsWith(" FROM stdin;", StringComparison.Ordinal))
            {
                var first = new byte[BlockSize];
                Buffer.BlockCopy(buffer, lineStart, first, 0, filled - lineStart);
                return (settings.ToString(), line[..^1], first, filled - lineStart);
            }

            if (line.Length == 0 || line.StartsWith("--", StringComparison.Ordinal) || line.StartsWith('\\'))
            {
                // Comments, and psql's own commands (\restrict): nothing for a server.
                continue;
            }

            if (line.StartsWith("SET client_encoding = ", StringComparison.Ordinal) && line != "SET client_encoding = 'UTF8';")
            {
                // The rows are sent as they are, and these connections speak UTF-8.
                throw new CannotSplitException($"its data is not in UTF-8 ({line})");
            }

            if (!line.StartsWith("SET ", StringComparison.Ordinal) && !line.StartsWith("SELECT pg_catalog.set_config(", StringComparison.Ordinal))
            {
                throw new CannotSplitException($"its script has a statement before the data that this load does not run ({line})");
            }

            settings.Append(line).Append('\n');
        }
    }

    /// <summary>Reads the rows in blocks cut at line ends, up to the end-of-data line, and feeds them to the connections.</summary>
    private void Load(Stream output, NpgsqlCopyTextWriter[] writers, byte[] first, int filled, CancellationTokenSource stop)
    {
        // A few blocks in flight per connection: one being sent, one waiting; blocks return to the pool when sent.
        using var free = new BlockingCollection<byte[]>();
        for (var i = 0; i < (2 * connections) + 1; i++)
        {
            free.Add(new byte[BlockSize]);
        }

        using var blocks = new BlockingCollection<(byte[] Data, int Length)>(boundedCapacity: 2 * connections);
        var senders = writers.Select(writer => Task.Factory.StartNew(
            () =>
            {
                try
                {
                    foreach (var (data, length) in blocks.GetConsumingEnumerable(stop.Token))
                    {
                        writer.BaseStream.Write(data, 0, length);
                        if (data.Length == BlockSize)
                        {
                            free.Add(data, stop.Token);
                        }
                    }
                }
                catch
                {
                    stop.Cancel();
                    throw;
                }
            },
            stop.Token,
            TaskCreationOptions.LongRunning,
            TaskScheduler.Default)).ToArray();

        Exception? readFailure = null;
        try
        {
            Produce(output, first, filled, free, blocks, stop.Token);
        }
        catch (Exception exception)
        {
            readFailure = exception;
            stop.Cancel();
        }
        finally
        {
            blocks.CompleteAdding();
        }

        try
        {
            Task.WaitAll(senders, CancellationToken.None);
        }
        catch (AggregateException)
        {
            // Said below: which failure came first.
        }

        // A connection's own failure first (the reading then stopped because of it), else the reading's; not the
        // cancellations one failure causes in the others.
        var cause = SideBySide.FirstCause(senders)
            ?? readFailure
            ?? senders.Where(t => t.IsFaulted || t.IsCanceled).Select(t => t.Exception?.InnerException ?? new OperationCanceledException(stop.Token)).FirstOrDefault();
        if (cause is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(cause);
        }
    }

    private static void Produce(Stream output, byte[] block, int filled, BlockingCollection<byte[]> free, BlockingCollection<(byte[] Data, int Length)> blocks, CancellationToken cancellationToken)
    {
        // Each byte is searched once: for the end-of-data line from where it could start (its four bytes may straddle
        // a read), for the last line end among the bytes just read. A row of many megabytes is not searched again on
        // every read.
        var scanned = 0;
        var lastNewline = LastNewline(block, 0, filled);
        while (true)
        {
            var end = FindEndOfData(block, scanned, filled);
            if (end >= 0)
            {
                if (end > 0)
                {
                    blocks.Add((block, end), cancellationToken);
                }

                return;
            }

            if (filled == block.Length && lastNewline >= 0)
            {
                // Full: send up to the last line end, carry the rest of the line into the next block.
                var rest = filled - lastNewline - 1;
                var next = rest < BlockSize ? free.Take(cancellationToken) : new byte[rest * 2];
                Buffer.BlockCopy(block, lastNewline + 1, next, 0, rest);
                blocks.Add((block, lastNewline + 1), cancellationToken);
                (block, filled, scanned) = (next, rest, 0);
                lastNewline = LastNewline(block, 0, filled);
                continue;
            }

            if (filled == block.Length)
            {
                // One row longer than a block: a bigger block for it.
                Array.Resize(ref block, block.Length * 2);
            }

            scanned = Math.Max(0, filled - (EndOfData.Length - 1));
            var read = output.Read(block, filled, block.Length - filled);
            if (read == 0)
            {
                throw new EndOfStreamException("pg_restore's script ended before the end of the table's data (\\.)");
            }

            if (LastNewline(block, filled, read) is var newline and >= 0)
            {
                lastNewline = newline;
            }

            filled += read;
        }
    }

    /// <summary>The last line end in <paramref name="count"/> bytes from <paramref name="start"/>, or -1.</summary>
    private static int LastNewline(byte[] block, int start, int count) => count == 0 ? -1 : Array.LastIndexOf(block, (byte)'\n', start + count - 1, count);

    /// <summary>Where the end-of-data line starts in a block that starts at a line start, or -1; searched from <paramref name="from"/> on.</summary>
    private static int FindEndOfData(byte[] block, int from, int filled)
    {
        if (from == 0 && block.AsSpan(0, filled).StartsWith("\\.\n"u8))
        {
            return 0;
        }

        var found = block.AsSpan(from, filled - from).IndexOf(EndOfData);
        return found < 0 ? -1 : from + found + 1;
    }

    private static async Task CancelQuietlyAsync(NpgsqlCopyTextWriter writer)
    {
        try
        {
            await writer.CancelAsync().ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is NpgsqlException or IOException or InvalidOperationException or ObjectDisposedException)
        {
            // The connection is closed next either way.
        }
    }
}
