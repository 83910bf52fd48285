using System.Net;
using Dapper;
using HeadlessLoan.Api.Tests.Infrastructure;
using HeadlessLoan.Api.Tests.Privacy;

namespace HeadlessLoan.Api.Tests.Applications;

/// <summary>
/// A submit batch the database rolls back to break a deadlock at its commit writes nothing: each of its submits is told
/// to come back (503, Retry-After), and a retry under the same key makes the submit once and is replayed afterwards.
/// </summary>
public sealed class SubmitDeadlockTests(LogCapturingFactory api) : IClassFixture<LogCapturingFactory>
{
    [Fact]
    public async Task ABatchChosenAsADeadlockVictimWritesNothingAndItsRetryIsMadeOnce()
    {
        var productId = await api.CreateProductIdAsync();
        using var borrower = await api.CreateBorrowerClientAsync();
        var me = (await (await borrower.GetAsync("/v1/borrowers/me")).ReadJsonAsync()).GetProperty("id").GetGuid();
        var id = (await borrower.CreateApplicationAsync(productId)).GetProperty("id").GetGuid();
        await borrower.CompleteAsync(id);
        var (scope, key) = ($"borrower:{me}", Guid.NewGuid().ToString());

        // Another transaction, heavier than the batch (so the database rolls the batch back), holds the gap the submit's
        // answer goes into; once the batch waits there, it asks for the application the batch holds.
        await using var db = await api.OpenDatabaseAsync();
        await using (var other = await db.BeginTransactionAsync())
        {
            await db.ExecuteAsync("INSERT INTO outbox_events (event_type, entity_id, payload, occurred_at) VALUES (@type, @id, '{}', UTC_TIMESTAMP())",
                Enumerable.Range(0, 200).Select(_ => new { type = "test.ballast", id = Guid.NewGuid() }), other);
            await db.ExecuteAsync("SELECT * FROM idempotency_requests WHERE scope = @scope AND idem_key = @key FOR UPDATE", new { scope, key }, other);

            var submit = borrower.SubmitAsync(id, key);
            await WaitForALockWaitAsync();
            await db.ExecuteAsync("SELECT id FROM applications WHERE id = @id FOR UPDATE", new { id }, other);
            await other.RollbackAsync();

            // Told to come back: nothing was made, and a retry under the key makes it.
            var refused = await submit;
            await refused.AssertProblemAsync(HttpStatusCode.ServiceUnavailable, "unavailable");
            Assert.True(refused.Headers.Contains("Retry-After"));
        }

        Assert.Equal("draft", await db.QuerySingleAsync<string>("SELECT status FROM applications WHERE id = @id", new { id }));
        var retry = await borrower.SubmitAsync(id, key);
        await retry.AssertStatusAsync(HttpStatusCode.Accepted);
        var replay = await borrower.SubmitAsync(id, key);
        await replay.AssertStatusAsync(HttpStatusCode.Accepted);
        Assert.Equal("true", replay.Headers.GetValues("Idempotent-Replayed").Single());
        Assert.Equal(1, await db.ExecuteScalarAsync<int>(
            "SELECT COUNT(*) FROM outbox_events WHERE event_type = 'application.submitted' AND entity_id = @id", new { id }));
    }

    private async Task WaitForALockWaitAsync()
    {
        await using var watch = await api.OpenDatabaseAsync();
        for (var i = 0; i < 500; i++)
        {
            // The transactions now, not the last deadlock the server reports above them.
            var status = (await watch.QueryAsync<(string Type, string Name, string Status)>("SHOW ENGINE INNODB STATUS")).Single().Status;
            var now = status[status.IndexOf("LIST OF TRANSACTIONS", StringComparison.Ordinal)..];
            if (now.Contains("LOCK WAIT", StringComparison.Ordinal))
            {
                return;
            }

            await Task.Delay(10);
        }

        Assert.Fail("The submit batch never waited for the lock.");
    }
}
