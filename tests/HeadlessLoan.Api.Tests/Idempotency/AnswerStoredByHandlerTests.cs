using System.Net;
using Dapper;
using HeadlessLoan.Api.Platform.Idempotency;
using HeadlessLoan.Api.Tests.Infrastructure;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace HeadlessLoan.Api.Tests.Idempotency;

/// <summary>A handler that stores its answer with its own change tells the middleware, which then only releases the claim.</summary>
public sealed class AnswerStoredByHandlerTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    [Fact]
    public async Task TheMiddlewareStoresNoAnswerOfItsOwnWhenTheHandlerStoredIt()
    {
        var (scope, key) = await RunAsync(context =>
        {
            context.Features.Get<IdempotentRequest>()!.MarkAnswerStored();
            context.Response.StatusCode = StatusCodes.Status202Accepted;
            return Task.CompletedTask;
        });

        Assert.Equal(0, await StoredAnswersAsync(scope, key));
        var again = await api.Services.GetRequiredService<IdempotencyStore>().ClaimAsync(scope, key, "another request", lookUp: true, CancellationToken.None);
        Assert.Equal(ClaimOutcome.Claimed, again.Outcome);
    }

    [Fact]
    public async Task OtherwiseTheMiddlewareStoresTheAnswer()
    {
        var (scope, key) = await RunAsync(context =>
        {
            Assert.False(context.Features.Get<IdempotentRequest>()!.AnswerStored);
            context.Response.StatusCode = StatusCodes.Status202Accepted;
            return Task.CompletedTask;
        });

        Assert.Equal(1, await StoredAnswersAsync(scope, key));
    }

    private async Task<(string Scope, string Key)> RunAsync(RequestDelegate handler)
    {
        var middleware = new IdempotencyMiddleware(handler, api.Services.GetRequiredService<IdempotencyStore>());
        var context = new DefaultHttpContext();
        context.Request.Method = HttpMethods.Post;
        context.Request.Path = "/v1/things";
        context.Connection.RemoteIpAddress = IPAddress.Parse("192.0.2.7");
        var key = Guid.NewGuid().ToString();
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
