using Dapper;
using HeadlessLoan.Client.Tests.Infrastructure;
using MySqlConnector;

namespace HeadlessLoan.Client.Tests;

/// <summary>The API process killed in the middle of a create, started again, and the create retried under its key.</summary>
public sealed class CrashRecoveryTests(CrashRecoveryTests.Server server) : IClassFixture<CrashRecoveryTests.Server>
{
    /// <summary>A claim left by a killed process runs out quickly, so the retry after the restart is not told to wait.</summary>
    public sealed class Server : ApiServerFixture
    {
        protected override IReadOnlyDictionary<string, string> Settings => new Dictionary<string, string>
        {
            ["Idempotency__ClaimMilliseconds"] = "1000",
        };
    }

    [Fact]
    public async Task Killed_before_the_change_and_its_answer_commit_the_retry_makes_the_product_once()
    {
        var admin = await server.CreateAdminClientAsync();
        var definition = TestProducts.Definition(TestProducts.UniqueName("Crash before commit"));
        var key = IdempotencyKey.New();

        // Answers cannot be written while this lock is held (reads still can): the request gets as far as storing its
        // answer and waits there. Were the answer stored after the change committed, the product would exist now.
        await using (var blocker = await OpenAsync())
        {
            await blocker.ExecuteAsync("LOCK TABLES idempotency_requests READ");
            var first = admin.CreateProductAsync(definition, idempotencyKey: key);
            await WaitUntilAsync(async () => await WaitingOnAnswersAsync() > 0, "the create to wait for the answers table");
            await server.KillAsync();
            await Assert.ThrowsAnyAsync<Exception>(() => first);

            // The dead process's statements already sent would still run once the lock is gone: end its connections
            // first, as the server does when it finds their client gone (some it finds so by itself meanwhile).
            foreach (var id in await blocker.QueryAsync<long>("SELECT ID FROM information_schema.PROCESSLIST WHERE DB = DATABASE() AND ID <> CONNECTION_ID()"))
            {
                try
                {
                    await blocker.ExecuteAsync($"KILL CONNECTION {id}");
                }
                catch (MySqlException e) when (e.ErrorCode == MySqlErrorCode.NoSuchThread)
                {
                }
            }

            await blocker.ExecuteAsync("UNLOCK TABLES");
        }

        await server.RestartAsync();
        admin = await server.CreateAdminClientAsync();
        ProductResponse retry = await admin.CreateProductAsync(definition, idempotencyKey: key);
        ProductResponse again = await admin.CreateProductAsync(definition, idempotencyKey: key);

        Assert.Equal(retry.Id, again.Id);
        Assert.Equal(1, await ProductsNamedAsync(definition.Name));
    }

    [Fact]
    public async Task Killed_after_the_commit_the_retry_gets_the_original_answer()
    {
        var admin = await server.CreateAdminClientAsync();
        var definition = TestProducts.Definition(TestProducts.UniqueName("Crash after commit"));
        var key = IdempotencyKey.New();

        // Whatever reached the client before the kill is thrown away: it never saw an answer.
        var first = admin.CreateProductAsync(definition, idempotencyKey: key);
        await WaitUntilAsync(async () => await ProductsNamedAsync(definition.Name) > 0, "the product to be committed");
        await server.KillAsync();
        _ = await Record.ExceptionAsync(() => first);

        await server.RestartAsync();
        admin = await server.CreateAdminClientAsync();
        ProductResponse retry = await admin.CreateProductAsync(definition, idempotencyKey: key);

        await using var db = await OpenAsync();
        var stored = await db.QuerySingleAsync<Guid>("SELECT DISTINCT product_id FROM product_versions WHERE name = @name", new { name = definition.Name });
        Assert.Equal(stored, retry.Id);
        Assert.Equal(1, await ProductsNamedAsync(definition.Name));
    }

    private async Task<MySqlConnection> OpenAsync()
    {
        // Not pooled: the test ends connections to the database on the server's side.
        var connection = new MySqlConnection(new MySqlConnectionStringBuilder(server.DatabaseConnectionString) { Pooling = false }.ConnectionString);
        await connection.OpenAsync();
        return connection;
    }

    private async Task<int> ProductsNamedAsync(string name)
    {
        await using var db = await OpenAsync();
        return await db.ExecuteScalarAsync<int>("SELECT COUNT(DISTINCT product_id) FROM product_versions WHERE name = @name", new { name });
    }

    private async Task<int> WaitingOnAnswersAsync()
    {
        await using var db = await OpenAsync();
        return await db.ExecuteScalarAsync<int>("""
            SELECT COUNT(*) FROM information_schema.PROCESSLIST
             WHERE DB = DATABASE() AND STATE LIKE 'Waiting for table%' AND INFO LIKE '%idempotency_requests%'
            """);
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"Timed out waiting for {what}.");
            await Task.Delay(50);
        }
    }
}
