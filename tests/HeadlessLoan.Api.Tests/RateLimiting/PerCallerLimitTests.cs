using System.Net;
using System.Net.Http.Json;
using HeadlessLoan.Api.Tests.Infrastructure;

namespace HeadlessLoan.Api.Tests.RateLimiting;

public sealed class SmallLimitsFactory : ApiFactory
{
    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["RateLimits:BorrowerPerMinute"] = "5",
        ["Pipeline:Enabled"] = "false",
    };
}

/// <summary>Limits are counted per caller in Redis: an abusive caller is throttled, others are not.</summary>
public sealed class PerCallerLimitTests(SmallLimitsFactory api) : IClassFixture<SmallLimitsFactory>
{
    [Fact]
    public async Task ABorrowerOverTheLimitIsThrottledWhileAnotherBorrowerIsServed()
    {
        using var abusive = await api.CreateBorrowerClientAsync();
        using var other = await api.CreateBorrowerClientAsync();

        for (var i = 0; i < 5; i++)
        {
            await (await abusive.GetAsync("/v1/applications")).AssertStatusAsync(HttpStatusCode.OK);
        }

        var throttled = await abusive.GetAsync("/v1/applications");
        await throttled.AssertProblemAsync(HttpStatusCode.TooManyRequests, "rate_limited");
        Assert.NotNull(throttled.Headers.RetryAfter);
        await (await other.GetAsync("/v1/applications")).AssertStatusAsync(HttpStatusCode.OK);
    }

    [Fact]
    public async Task EachChannelHasItsOwnConfiguredLimit()
    {
        using var admin = await api.CreateAdminClientAsync();
        var (_, _, small) = await admin.CreateChannelWithKeyAsync(rateLimitPerMinute: 2);
        var (_, _, large) = await admin.CreateChannelWithKeyAsync(rateLimitPerMinute: 100);
        using var smallClient = api.CreateChannelClient(small);
        using var largeClient = api.CreateChannelClient(large);

        await (await smallClient.GetAsync("/v1/applications")).AssertStatusAsync(HttpStatusCode.OK);
        await (await smallClient.GetAsync("/v1/applications")).AssertStatusAsync(HttpStatusCode.OK);
        await (await smallClient.GetAsync("/v1/applications")).AssertProblemAsync(HttpStatusCode.TooManyRequests, "rate_limited");
        for (var i = 0; i < 5; i++)
        {
            await (await largeClient.GetAsync("/v1/applications")).AssertStatusAsync(HttpStatusCode.OK);
        }
    }
}
