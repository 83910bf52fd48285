using System.Net;
using Dapper;
using HeadlessLoan.Api.Platform.Audit;
using HeadlessLoan.Api.Platform.Database;
using HeadlessLoan.Api.Platform.Idempotency;
using HeadlessLoan.Api.Tests.Infrastructure;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using MySqlConnector;

namespace HeadlessLoan.Api.Tests.Idempotency;

/// <summary>How the middleware stores answers: with the request's change, or on their own when nothing changed.</summary>
public sealed class AnswerCommitTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    [Fact]
    public async Task AnAnswerThatChangedNothingIsStoredOnItsOwn()
    {
        var (scope, key) = await RunAsync(context =>
        {
            context.Response.StatusCode = StatusCodes.Status202Accepted;
            return Task.CompletedTask;
        });

        Assert.Equal(1, await StoredAnswersAsync(scope, key));
    }

    [Fact]
    public async Task AChangeIsCommittedWithItsAnswerNotBefore()
    {
        var entity = Guid.NewGuid();
        var (scope, key) = await RunAsync(async context =>
        {
            await using (var change = await BeginAsync())
            {
                change.Outbox("test.deferred", entity, new { }, DateTime.UtcNow);
                await change.CommitAsync(CancellationToken.None);
            }

            Assert.Equal(0, await EventsAsync(entity)); // handed over: not yet committed
            context.Response.StatusCode = StatusCodes.Status202Accepted;
        });

        Assert.Equal(1, await EventsAsync(entity));
        Assert.Equal(1, await StoredAnswersAsync(scope, key));
    }

    [Fact]
    public async Task AHandlerFailingAfterItsCommitLeavesNeitherChangeNorAnswer()
    {
        var entity = Guid.NewGuid();
        var key = Guid.NewGuid().ToString();
        await Assert.ThrowsAsync<InvalidOperationException>(() => RunAsync(async context =>
        {
            await using var change = await BeginAsync();
            change.Outbox("test.deferred", entity, new { }, DateTime.UtcNow);
            await change.CommitAsync(CancellationToken.None);
            throw new InvalidOperationException("after the commit, before the answer");
        }, key));

        Assert.Equal(0, await EventsAsync(entity));
        Assert.Equal(0, await StoredAnswersAsync("ip:192.0.2.7", key));
    }

    [Fact]
    public async Task WithoutAKeyAChangeCommitsAtOnce()
    {
        var entity = Guid.NewGuid();
        await using (var change = await BeginAsync())
        {
            change.Outbox("test.deferred", entity, new { }, DateTime.UtcNow);
            await change.CommitAsync(CancellationToken.None);
        }

        Assert.Equal(1, await EventsAsync(entity));
    }

    private Task<DbChange> BeginAsync() =>
        DbChange.BeginAsync(api.Services.GetRequiredService<MySqlDataSource>(), api.Services.GetRequiredService<AuditTrail>(), CancellationToken.None);

    private async Task<int> EventsAsync(Guid entity)
    {
        await using var db = await api.OpenDatabaseAsync();
        return await db.ExecuteScalarAsync<int>("SELECT COUNT(*) FROM outbox_events WHERE entity_id = @id", new { id = entity.ToString() });
    }

    private async Task<(string Scope, string Key)> RunAsync(RequestDelegate handler, string? key = null)
    {
        var middleware = new IdempotencyMiddleware(
            handler, api.Services.GetRequiredService<IdempotencyStore>(), TimeProvider.System, NullLogger<IdempotencyMiddleware>.Instance);
        var context = new DefaultHttpContext();
        context.Request.Method = HttpMethods.Post;
        context.Request.Path = "/v1/things";
        context.Connection.RemoteIpAddress = IPAddress.Parse("192.0.2.7");
        key ??= Guid.NewGuid().ToString();
        context.Request.Headers[IdempotencyMiddleware.HeaderName] = key;
        await middleware.InvokeAsync(context);
        Assert.Equal(StatusCodes.Status202Accepted, context.Response.StatusCode);
        return ("ip:192.0.2.7", key);
    }

    private async Task<int> StoredAnswersAsync(string scope, string key)
    {
        await using var db = await api.OpenDatabaseAsync();
        return await db.ExecuteScalarAsync<int>("SELECT COUNT(*) FROM idempotency_requests WHERE scope = @scope AND idem_key = @key", new { scope, key });
    }
}
