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

    [Fact]
    public async Task A_batch_whose_read_waited_for_a_lock_past_the_timeout_runs_again()
    {
        var tag = Guid.NewGuid();
        await using var holder = await api.OpenDatabaseAsync();
        var held = await holder.BeginTransactionAsync();
        await holder.ExecuteAsync(
            "INSERT INTO outbox_events (event_type, entity_id, payload, occurred_at) VALUES ('test.held', @tag, '{}', UTC_TIMESTAMP())", new { tag = tag.ToString() }, held);
        var reads = 0;
        await using var group = new GroupCommit<int, int, int>(
            "test", api.Services.GetRequiredService<MySqlDataSource>(), api.Services.GetRequiredService<AuditTrail>(),
            async (change, _, ct) =>
            {
                if (Interlocked.Increment(ref reads) == 2)
                {
                    await held.RollbackAsync(ct); // the holder lets go only once the first attempt gave up
                }

                // The rows another transaction is inserting are waited for at most a second, and then given up on (1205).
                return await change.Connection.ExecuteScalarAsync<int>(new CommandDefinition(
                    "SET STATEMENT innodb_lock_wait_timeout = 1 FOR SELECT COUNT(*) FROM outbox_events WHERE entity_id = @tag FOR UPDATE",
                    new { tag = tag.ToString() }, change.Transaction, cancellationToken: ct));
            },
            (change, item, count) =>
            {
                change.Outbox("test.group_item", tag, new { item }, DateTime.UtcNow);
                return count;
            },
            maxBatch: 10, NullLogger.Instance);

        Assert.Equal(0, await group.RunAsync(1));
        Assert.Equal(2, reads);
        Assert.Equal(1, await holder.ExecuteScalarAsync<int>("SELECT COUNT(*) FROM outbox_events WHERE entity_id = @tag", new { tag = tag.ToString() }));
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        for (var i = 0; i < 200 && !condition(); i++)
        {
            await Task.Delay(10);
        }
    }
}
