using Dapper;
using HeadlessLoan.Api.Platform.Audit;
using HeadlessLoan.Api.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using MySqlConnector;

namespace HeadlessLoan.Api.Tests.Faults;

/// <summary>
/// The audit chainer's connection lost in the middle of its turn, while the database keeps the session — and with it
/// the chainer's lock. The chainer ends that session before it takes the lock again: the lock is not left held by a
/// session no one uses, and the lost session cannot go on working beside the new one.
/// </summary>
public sealed class AuditChainerConnectionTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    [Fact]
    public async Task A_chainer_whose_connection_was_cut_ends_the_session_left_behind_and_takes_its_lock_again()
    {
        await using var proxy = new TcpProxy((int)new MySqlConnectionStringBuilder(api.ApplicationConnectionString).Port);
        await using var source = new MySqlDataSource(new MySqlConnectionStringBuilder(api.ApplicationConnectionString) { Port = (uint)proxy.Port }.ConnectionString);
        using var chainer = new AuditChainer(source, api.Clock, NullLogger<AuditChainer>.Instance);
        await AppendAsync();
        await using var db = await api.OpenDatabaseAsync();

        // Its turn waits on the chain, which the test holds; then its connection is cut on its side only.
        await db.ExecuteAsync("LOCK TABLES audit_chain WRITE");
        var turn = chainer.ChainAsync(TimeSpan.FromSeconds(30), CancellationToken.None);
        var lostSession = await WaitForLockHolderAsync();
        proxy.CutClients();
        await Assert.ThrowsAnyAsync<Exception>(() => turn);
        await db.ExecuteAsync("UNLOCK TABLES");
        Assert.Equal(lostSession, await LockHolderAsync());

        await AppendAsync();
        var chained = await chainer.ChainAsync(TimeSpan.FromSeconds(30), CancellationToken.None);

        Assert.True(chained >= 2, $"chained {chained}");
        Assert.Equal(0, await db.ExecuteScalarAsync<int>("SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE ID = @lostSession", new { lostSession }));
        Assert.Null(await LockHolderAsync());
    }

    /// <summary>One audit record, written as the service writes them.</summary>
    private async Task AppendAsync()
    {
        await using var conn = await api.OpenApplicationDatabaseAsync();
        await using var tx = await conn.BeginTransactionAsync();
        await api.Services.GetRequiredService<AuditTrail>().AppendAsync(conn, tx,
            new AuditEntry(new AuditActor("staff", Guid.NewGuid().ToString()), "test.changed", "test_entity", Guid.NewGuid().ToString(), new { n = 0 }, new { n = 1 }),
            CancellationToken.None);
        await tx.CommitAsync();
    }

    private async Task<long?> LockHolderAsync()
    {
        await using var db = await api.OpenDatabaseAsync();
        return await db.ExecuteScalarAsync<long?>("SELECT IS_USED_LOCK(@LockName)", new { AuditChainer.LockName });
    }

    private async Task<long> WaitForLockHolderAsync()
    {
        for (var i = 0; i < 600; i++)
        {
            if (await LockHolderAsync() is { } session)
            {
                return session;
            }

            await Task.Delay(50);
        }

        throw new TimeoutException("The chainer never took its lock.");
    }
}
