using Dapper;
using HeadlessLoan.Api.Features.Applications;
using HeadlessLoan.Api.Platform.Audit;
using HeadlessLoan.Api.Platform.Idempotency;
using HeadlessLoan.Api.Tests.Infrastructure;
using HeadlessLoan.Api.Tests.Privacy;
using Microsoft.Extensions.DependencyInjection;

namespace HeadlessLoan.Api.Tests.Applications;

/// <summary>A submit batch the database rolls back to break a deadlock is run again: its submits are not lost.</summary>
public sealed class SubmitDeadlockTests(LogCapturingFactory api) : IClassFixture<LogCapturingFactory>
{
    [Fact]
    public async Task ABatchChosenAsADeadlockVictimRunsAgainAndItsSubmitIsMade()
    {
        var productId = await api.CreateProductIdAsync();
        using var borrower = await api.CreateBorrowerClientAsync();
        var id = (await borrower.CreateApplicationAsync(productId)).GetProperty("id").GetGuid();
        await borrower.CompleteAsync(id);
        var (scope, key) = ("staff:deadlock", Guid.NewGuid().ToString());

        // Another transaction, heavier than the batch (so the database rolls the batch back), holds the gap the submit's
        // answer goes into; once the batch waits there, it asks for the application the batch holds.
        await using var db = await api.OpenDatabaseAsync();
        await using var other = await db.BeginTransactionAsync();
        await db.ExecuteAsync("INSERT INTO outbox_events (event_type, entity_id, payload, occurred_at) VALUES (@type, @id, '{}', UTC_TIMESTAMP())",
            Enumerable.Range(0, 200).Select(_ => new { type = "test.ballast", id = Guid.NewGuid() }), other);
        await db.ExecuteAsync("SELECT * FROM idempotency_requests WHERE scope = @scope AND idem_key = @key FOR UPDATE", new { scope, key }, other);

        var answer = new SubmitAnswer(new IdempotentRequest(scope, key, "hash", lookedUp: true, token: "test-token"), _ => new StoredResponse(202, "application/json", null, [1]));
        var submit = api.Services.GetRequiredService<ApplicationSubmitter>().SubmitAsync(
            id, new ApplicationScope(null, null), new AuditActor(AuditActor.StaffKind, Guid.NewGuid().ToString()), answer, CancellationToken.None);
        await WaitForALockWaitAsync();
        await db.ExecuteAsync("SELECT id FROM applications WHERE id = @id FOR UPDATE", new { id }, other);
        await other.RollbackAsync();

        Assert.Equal(Submission.Submitted, (await submit).Outcome);
        Assert.Contains(api.Logs.Lines, l => l.Contains("met a deadlock and runs again", StringComparison.Ordinal));
        Assert.Equal(1, await db.ExecuteScalarAsync<int>(
            "SELECT COUNT(*) FROM outbox_events WHERE event_type = 'application.submitted' AND entity_id = @id", new { id }));
        Assert.Equal(1, await db.ExecuteScalarAsync<int>(
            "SELECT COUNT(*) FROM idempotency_requests WHERE scope = @scope AND idem_key = @key AND status_code = 202", new { scope, key }));
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
