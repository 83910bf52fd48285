using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using HeadlessLoan.Api.Tests.Applications;
using HeadlessLoan.Api.Tests.Infrastructure;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;

namespace HeadlessLoan.Api.Tests.Borrowers;

/// <summary>
/// A call to WeChat is given up after 1 s. The pipeline's timeouts run on the service's clock, which the tests hold
/// still, so the tests move it on while WeChat keeps them waiting.
/// </summary>
public sealed class SlowWeChatFactory : ApiFactory
{
    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["WeChat:TimeoutSeconds"] = "1",
    };
}

/// <summary>A sandbox WeChat that is too slow: every synchronous WeChat call answers 503 with Retry-After, never 500.</summary>
public sealed class SlowWeChatTests(SlowWeChatFactory api) : IClassFixture<SlowWeChatFactory>
{
    private Guid SlowDown(string path)
    {
        var slow = Guid.NewGuid();
        api.Sandbox.Server.Given(Request.Create().WithPath(path).UsingAnyMethod()).AtPriority(-1000).WithGuid(slow)
            .RespondWith(Response.Create().WithStatusCode(200).WithBodyAsJson(new { errcode = 0 }).WithDelay(TimeSpan.FromSeconds(20)));
        return slow;
    }

    /// <summary>Moves the service's clock on past each attempt's timeout until the call is answered (10 s of real time at most).</summary>
    private async Task<HttpResponseMessage> WhileTimePassesAsync(Task<HttpResponseMessage> call)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (!call.IsCompleted && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
            api.Clock.Advance(TimeSpan.FromMilliseconds(600));
        }

        Assert.True(call.IsCompleted, "the call was still waiting for WeChat");
        return await call;
    }

    [Fact]
    public async Task ALoginThatWeChatDoesNotAnswerInTimeIs503WithRetryAfter()
    {
        var slow = SlowDown("/sns/jscode2session");
        try
        {
            using var client = api.CreateApiClient();
            var clock = Stopwatch.StartNew();
            var response = await WhileTimePassesAsync(client.PostAsJsonAsync("/v1/auth/wechat/login", new { code = "code_" + Guid.NewGuid().ToString("N") }));

            await response.AssertProblemAsync(HttpStatusCode.ServiceUnavailable, "upstream_unavailable");
            Assert.NotNull(response.Headers.RetryAfter);
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"took {clock.Elapsed}");
        }
        finally
        {
            api.Sandbox.Server.DeleteMapping(slow);
        }
    }

    [Fact]
    public async Task AnIdCardWhoseOcrWeChatDoesNotAnswerInTimeIs503WithRetryAfter()
    {
        var productId = await api.CreateProductIdAsync();
        using var borrower = await api.CreateBorrowerClientAsync();
        var id = (await borrower.CreateApplicationAsync(productId)).GetProperty("id").GetGuid();
        var slow = SlowDown("/cv/ocr/idcard");
        try
        {
            var response = await WhileTimePassesAsync(borrower.UploadAsync(id, "id_front", Intake.Sample("id-front-valid")));

            await response.AssertProblemAsync(HttpStatusCode.ServiceUnavailable, "upstream_unavailable");
            Assert.NotNull(response.Headers.RetryAfter);
        }
        finally
        {
            api.Sandbox.Server.DeleteMapping(slow);
        }
    }
}

/// <summary>The circuit opens after two failed calls and stays open for a minute.</summary>
public sealed class FragileWeChatFactory : ApiFactory
{
    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["WeChat:CircuitBreakerMinimumThroughput"] = "2",
        ["WeChat:CircuitBreakSeconds"] = "60",
    };
}

public sealed class WeChatCircuitTests(FragileWeChatFactory api) : IClassFixture<FragileWeChatFactory>
{
    private int LoginCalls() => api.Sandbox.Server.LogEntries.Count(e => e.RequestMessage.Path == "/sns/jscode2session");

    [Fact]
    public async Task RepeatedFailuresOpenTheCircuitAndTheNextLoginIs503WithoutAskingWeChat()
    {
        using var client = api.CreateApiClient();
        var failing = Guid.NewGuid();
        api.Sandbox.Server.Given(Request.Create().WithPath("/sns/jscode2session").UsingGet()).AtPriority(-1000).WithGuid(failing)
            .RespondWith(Response.Create().WithStatusCode(500));
        try
        {
            var failed = await client.PostAsJsonAsync("/v1/auth/wechat/login", new { code = "code_" + Guid.NewGuid().ToString("N") });
            await failed.AssertProblemAsync(HttpStatusCode.ServiceUnavailable, "upstream_unavailable");
        }
        finally
        {
            api.Sandbox.Server.DeleteMapping(failing);
        }

        // WeChat would answer now, but the circuit is open: the call is refused here, quickly, and WeChat is not asked.
        var before = LoginCalls();
        var clock = Stopwatch.StartNew();
        var refused = await client.PostAsJsonAsync("/v1/auth/wechat/login", new { code = "code_" + Guid.NewGuid().ToString("N") });

        await refused.AssertProblemAsync(HttpStatusCode.ServiceUnavailable, "upstream_unavailable");
        Assert.NotNull(refused.Headers.RetryAfter);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(1), $"took {clock.Elapsed}");
        Assert.Equal(before, LoginCalls());
    }
}
