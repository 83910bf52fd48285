using System.Threading.Channels;

namespace HeadlessLoan.Api.Platform.Database;

/// <summary>
/// Runs what concurrent callers ask of the database together: one loop takes whatever queued while the previous batch
/// ran and executes it as one batch, each caller awaiting its own result. No timer; see docs/architecture.md, "Why batching".
/// </summary>
public sealed partial class MicroBatcher<TItem, TResult> : IAsyncDisposable
{
    private readonly Channel<Pending> _queue = Channel.CreateUnbounded<Pending>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Func<IReadOnlyList<TItem>, CancellationToken, Task<IReadOnlyList<TResult>>> _execute;
    private readonly int _maxBatch;
    private readonly ILogger _logger;
    private readonly string _name;
    private readonly CancellationTokenSource _stopping = new();
    private readonly SemaphoreSlim _slots;
    private readonly Task _loop;

    /// <param name="name">Names the batcher in logs.</param>
    /// <param name="execute">Executes one batch; returns one result per item, in the items' order.</param>
    /// <param name="maxBatch">The most items one batch takes.</param>
    /// <param name="inFlight">How many batches run at once: more than one lets the next batch's round trips overlap the
    /// previous one's commit, for work whose batches cannot deadlock one another (or retry when they do).</param>
    public MicroBatcher(string name, Func<IReadOnlyList<TItem>, CancellationToken, Task<IReadOnlyList<TResult>>> execute, int maxBatch, ILogger logger, int inFlight = 1)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBatch, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(inFlight, 1);
        _slots = new SemaphoreSlim(inFlight, inFlight);
        _name = name;
        _execute = execute;
        _maxBatch = maxBatch;
        _logger = logger;
        // The loop serves every caller: it must not carry the ambient state of the request that happened to create it.
        using (ExecutionContext.SuppressFlow())
        {
            _loop = Task.Run(RunAsync);
        }
    }

    /// <summary>
    /// Queues <paramref name="item"/> and waits for its result. Once queued, the item is executed even if the caller
    /// stops waiting (<paramref name="ct"/>): a write handed over is never half-dropped.
    /// </summary>
    public Task<TResult> RunAsync(TItem item, CancellationToken ct = default)
    {
        var pending = new Pending(item, new TaskCompletionSource<TResult>(TaskCreationOptions.RunContinuationsAsynchronously));
        ObjectDisposedException.ThrowIf(!_queue.Writer.TryWrite(pending), this);

        return ct.CanBeCanceled ? pending.Result.Task.WaitAsync(ct) : pending.Result.Task;
    }

    private async Task RunAsync()
    {
        var running = new List<Task>();
        while (await _queue.Reader.WaitToReadAsync().ConfigureAwait(false))
        {
            await _slots.WaitAsync().ConfigureAwait(false);
            var batch = new List<Pending>(_maxBatch);
            while (batch.Count < _maxBatch && _queue.Reader.TryRead(out var pending))
            {
                batch.Add(pending);
            }

            running.RemoveAll(t => t.IsCompleted);
            running.Add(ExecuteAsync(batch));
        }

        await Task.WhenAll(running).ConfigureAwait(false);
    }

    private async Task ExecuteAsync(List<Pending> batch)
    {
        try
        {
            var results = await _execute(batch.ConvertAll(p => p.Item), _stopping.Token).ConfigureAwait(false);
            if (results.Count != batch.Count)
            {
                throw new InvalidOperationException($"{_name} returned {results.Count} results for {batch.Count} items.");
            }

            for (var i = 0; i < batch.Count; i++)
            {
                batch[i].Result.TrySetResult(results[i]);
            }
        }
        catch (Exception e)
        {
            LogBatchFailed(_logger, _name, batch.Count, e);
            foreach (var pending in batch)
            {
                pending.Result.TrySetException(e);
            }
        }
        finally
        {
            _slots.Release();
        }
    }

    /// <summary>Stops taking items and finishes what was queued.</summary>
    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        try
        {
            await _loop.WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            await _stopping.CancelAsync();
            await _loop.ConfigureAwait(false);
        }

        _stopping.Dispose();
        _slots.Dispose();
    }

    private sealed record Pending(TItem Item, TaskCompletionSource<TResult> Result);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Batcher}: a batch of {Count} failed; each of its callers gets the error")]
    private static partial void LogBatchFailed(ILogger logger, string batcher, int count, Exception exception);
}
