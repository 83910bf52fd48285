using System.Collections.Concurrent;
using Dapper;
using HeadlessLoan.Api.Platform.Audit;
using HeadlessLoan.Api.Platform.Database;
using HeadlessLoan.Api.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using MySqlConnector;

namespace HeadlessLoan.Api.Tests.Database;

/// <summary>Group commit against the real database: items batched, requests' answers added to the batch's commit.</summary>
public sealed class GroupCommitTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    [Fact]
    public async Task Requests_get_their_results_only_once_every_item_of_the_batch_is_applied_and_their_answers_commit_with_it()
    {
        var events = new ConcurrentQueue<string>();
        var first = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var reads = 0;
        var tag = Guid.NewGuid();
        await using var group = new GroupCommit<int, int, int>(
            "test", api.Services.GetRequiredService<MySqlDataSource>(), api.Services.GetRequiredService<AuditTrail>(),
            async (_, items, _) =>
            {
                // The first batch waits until the others are queued, so they make one batch of their own.
                var batch = Interlocked.Increment(ref reads);
                if (batch == 1)
                {
                    await first.Task;
                }

                return batch;
            },
            (change, item, batch) =>
            {
                Thread.Sleep(20); // long enough for an early answer to come in between, were results handed out early
                change.Outbox("test.group_item", tag, new { item }, DateTime.UtcNow);
                events.Enqueue($"applied {item} in {batch}");
                return item;
            },
            maxBatch: 10, NullLogger.Instance);

        var requests = Enumerable.Range(0, 6).Select(i => Task.Run(async () =>
        {
            await using var deferral = DeferredCommit.Open();
            var result = await group.RunAsync(i);
            events.Enqueue($"decided {result}");
            Assert.True(await deferral.CommitAsync(change => change.Outbox("test.group_answer", tag, new { result }, DateTime.UtcNow), CancellationToken.None));
        })).ToList();
        await WaitUntilAsync(() => events.IsEmpty && Volatile.Read(ref reads) >= 1);
        await Task.Delay(200); // the other five queue behind the first batch
        first.SetResult();
        await Task.WhenAll(requests);

        var order = events.ToList();
        var applied = order.Select((e, at) => (e, at)).Where(x => x.e.StartsWith("applied", StringComparison.Ordinal))
            .Select(x => (Item: x.e.Split(' ')[1], Batch: x.e.Split(' ')[3], x.at)).ToList();
        Assert.Contains(applied.GroupBy(a => a.Batch), b => b.Count() >= 2);
        foreach (var (item, batch, _) in applied)
        {
            var decidedAt = order.IndexOf($"decided {item}");
            var lastOfBatch = applied.Where(a => a.Batch == batch).Max(a => a.at);
            Assert.True(decidedAt > lastOfBatch, $"item {item} was decided before its batch was applied: {string.Join(", ", order)}");
        }

        await using var db = await api.OpenDatabaseAsync();
        Assert.Equal(6, await db.ExecuteScalarAsync<int>("SELECT COUNT(*) FROM outbox_events WHERE entity_id = @tag AND event_type = 'test.group_item'", new { tag = tag.ToString() }));
        Assert.Equal(6, await db.ExecuteScalarAsync<int>("SELECT COUNT(*) FROM outbox_events WHERE entity_id = @tag AND event_type = 'test.group_answer'", new { tag = tag.ToString() }));
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        for (var i = 0; i < 200 && !condition(); i++)
        {
            await Task.Delay(10);
        }
    }
}
