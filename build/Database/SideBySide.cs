namespace Build.Database;

/// <summary>Work run side by side, where one part's failure stops the others and is the failure said.</summary>
public static class SideBySide
{
    /// <summary>
    /// Runs each part with a token that is cancelled when any part fails; rethrows the first failure that is not a
    /// cancellation (the others' cancellations are what it caused), or the cancellation when that is all there is.
    /// </summary>
    public static async Task RunAsync(CancellationToken cancellationToken, params Func<CancellationToken, Task>[] parts)
    {
        ArgumentNullException.ThrowIfNull(parts);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var running = parts.Select(async part =>
        {
            try
            {
                await part(stop.Token).ConfigureAwait(false);
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                await stop.CancelAsync().ConfigureAwait(false);
                throw;
            }
        }).ToArray();
        try
        {
            await Task.WhenAll(running).ConfigureAwait(false);
        }
        catch when (FirstCause(running) is { } cause)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(cause);
        }
    }

    /// <summary>The first failure among <paramref name="tasks"/> that is not a cancellation, or null.</summary>
    public static Exception? FirstCause(IEnumerable<Task> tasks) =>
        tasks.Where(t => t.IsFaulted).SelectMany(t => t.Exception!.InnerExceptions).FirstOrDefault(e => e is not OperationCanceledException);
}
