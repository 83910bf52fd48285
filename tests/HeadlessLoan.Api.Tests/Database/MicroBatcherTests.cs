using HeadlessLoan.Api.Platform.Database;
using Microsoft.Extensions.Logging.Abstractions;

namespace HeadlessLoan.Api.Tests.Database;

public sealed class MicroBatcherTests
{
    private readonly List<int[]> _batches = [];
    private TaskCompletionSource _gate = new(TaskCreationOptions.RunContinuationsAsynchronously);

    [Fact]
    public async Task ItemsQueuedWhileABatchRunsGoTogetherInTheNextEachWithItsOwnResult()
    {
        await using var batcher = Batcher(maxBatch: 100);

        var first = batcher.RunAsync(1);
        await WaitForBatchesAsync(1);
        var queued = Enumerable.Range(2, 5).Select(i => batcher.RunAsync(i)).ToList();
        _gate.SetResult();

        Assert.Equal("r1", await first);
        Assert.Equal(["r2", "r3", "r4", "r5", "r6"], await Task.WhenAll(queued));
        Assert.Equal([[1], [2, 3, 4, 5, 6]], _batches);
    }

    [Fact]
    public async Task ABatchTakesAtMostMaxBatchItems()
    {
        await using var batcher = Batcher(maxBatch: 2);

        var first = batcher.RunAsync(1);
        await WaitForBatchesAsync(1);
        var queued = Enumerable.Range(2, 5).Select(i => batcher.RunAsync(i)).ToList();
        _gate.SetResult();
        await Task.WhenAll(queued.Append(first));

        Assert.Equal([[1], [2, 3], [4, 5], [6]], _batches);
    }

    [Fact]
    public async Task AFailedBatchFailsEachOfItsCallersAndTheNextBatchRuns()
    {
        await using var batcher = Batcher(maxBatch: 100);

        var first = batcher.RunAsync(1);
        await WaitForBatchesAsync(1);
        var failing = new[] { batcher.RunAsync(2), batcher.RunAsync(-1) };
        _gate.SetResult();
        await first;

        foreach (var caller in failing)
        {
            Assert.Equal("bad item", (await Assert.ThrowsAsync<InvalidOperationException>(() => caller)).Message);
        }

        Assert.Equal("r3", await batcher.RunAsync(3));
    }

    [Fact]
    public async Task AnItemHandedOverIsExecutedEvenWhenItsCallerStopsWaiting()
    {
        await using var batcher = Batcher(maxBatch: 100);
        var first = batcher.RunAsync(1);
        await WaitForBatchesAsync(1);
        using var cancel = new CancellationTokenSource();

        var abandoned = batcher.RunAsync(2, cancel.Token);
        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => abandoned);
        _gate.SetResult();
        await first;
        await batcher.RunAsync(3);

        Assert.Contains(_batches, b => b.Contains(2));
    }

    [Fact]
    public async Task BatchesRunBesideOneAnotherUpToTheirNumberInFlight()
    {
        await using var batcher = Batcher(maxBatch: 100, inFlight: 2);

        var first = batcher.RunAsync(1);
        await WaitForBatchesAsync(1);
        Assert.Equal("r2", await batcher.RunAsync(2));
        var second = batcher.RunAsync(10);
        await WaitForBatchesAsync(3);
        var third = batcher.RunAsync(3);
        await Task.Delay(100);
        Assert.Equal(3, _batches.Count);
        _gate.SetResult();

        Assert.Equal(["r1", "r10", "r3"], await Task.WhenAll(first, second, third));
        Assert.Equal([[1], [2], [10], [3]], _batches);
    }

    [Fact]
    public async Task DisposingFinishesWhatWasQueuedAndRefusesMore()
    {
        var batcher = Batcher(maxBatch: 100);
        var first = batcher.RunAsync(1);
        await WaitForBatchesAsync(1);
        var queued = batcher.RunAsync(2);

        var disposing = batcher.DisposeAsync();
        _gate.SetResult();
        await disposing;

        Assert.Equal("r2", await queued);
        Assert.Equal("r1", await first);
        Assert.Throws<ObjectDisposedException>(() => { _ = batcher.RunAsync(3); });
    }

    private MicroBatcher<int, string> Batcher(int maxBatch, int inFlight = 1) => new("test", async (items, ct) =>
    {
        lock (_batches)
        {
            _batches.Add(items.ToArray());
        }

        // Batches with 1 (or 10 and more) wait for the test's signal, so that the others queue up behind them.
        if (items.Any(i => i == 1 || i >= 10))
        {
            await _gate.Task.WaitAsync(ct);
        }

        if (items.Contains(-1))
        {
            throw new InvalidOperationException("bad item");
        }

        return items.Select(i => "r" + i).ToList();
    }, maxBatch, NullLogger.Instance, inFlight);

    private async Task WaitForBatchesAsync(int count)
    {
        for (var i = 0; i < 500 && _batches.Count < count; i++)
        {
            await Task.Delay(10);
        }

        Assert.Equal(count, _batches.Count);
    }
}
