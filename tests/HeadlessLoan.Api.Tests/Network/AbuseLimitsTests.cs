using System.Net;
using System.Net.Http.Json;
using HeadlessLoan.Api.Platform.Auth;
using HeadlessLoan.Api.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace HeadlessLoan.Api.Tests.Network;

/// <summary>Counts the API-key look-ups that reach the channel store.</summary>
public sealed class CountingApiKeyCallers(IApiKeyCallers inner) : IApiKeyCallers
{
    private int _lookups;

    public int Lookups => Volatile.Read(ref _lookups);

    public Task<ApiKeyCaller?> FindAsync(string presentedKey, CancellationToken ct)
    {
        Interlocked.Increment(ref _lookups);
        return inner.FindAsync(presentedKey, ct);
    }
}

public sealed class SmallAbuseLimitsApiFactory : ApiFactory
{
    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["RateLimits:FailedApiKeysPerIpPerMinute"] = "5",
    };

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureServices(services =>
        {
            var original = services.Single(d => d.ServiceType == typeof(IApiKeyCallers));
            services.Remove(original);
            services.AddSingleton(sp => new CountingApiKeyCallers((IApiKeyCallers)ActivatorUtilities.CreateInstance(sp, original.ImplementationType!)));
            services.AddSingleton<IApiKeyCallers>(sp => sp.GetRequiredService<CountingApiKeyCallers>());
        });
    }
}

public sealed class AbuseLimitsTests(SmallAbuseLimitsApiFactory api) : IClassFixture<SmallAbuseLimitsApiFactory>
{
    [Fact]
    public async Task AFloodOfMadeUpApiKeysStopsReachingTheDatabase_WhileARealKeyElsewhereStillWorks()
    {
        using var admin = await api.CreateAdminClientAsync();
        var (_, _, realKey) = await admin.CreateChannelWithKeyAsync();
        var counter = api.Services.GetRequiredService<CountingApiKeyCallers>();
        const string flood = "198.51.100.60";
        var before = counter.Lookups;

        var answers = new List<HttpResponseMessage>();
        for (var i = 0; i < 12; i++)
        {
            answers.Add(await SendAsync(api.CreateApiClient(), HttpMethod.Get, "/v1/me", flood, apiKey: MadeUp(realKey)));
        }

        Assert.All(answers.Take(5), a => Assert.Equal(HttpStatusCode.Unauthorized, a.StatusCode));
        foreach (var refused in answers.Skip(5))
        {
            await refused.AssertProblemAsync(HttpStatusCode.TooManyRequests, "rate_limited");
            Assert.True(refused.Headers.RetryAfter?.Delta > TimeSpan.Zero);
        }

        Assert.Equal(5, counter.Lookups - before);
        await (await SendAsync(api.CreateApiClient(), HttpMethod.Get, "/v1/me", "198.51.100.61", apiKey: realKey)).AssertStatusAsync(HttpStatusCode.OK);
        await (await SendAsync(api.CreateApiClient(), HttpMethod.Get, "/v1/me", flood, apiKey: realKey)).AssertProblemAsync(HttpStatusCode.TooManyRequests, "rate_limited");

        api.Clock.Advance(TimeSpan.FromMinutes(1));
        await (await SendAsync(api.CreateApiClient(), HttpMethod.Get, "/v1/me", flood, apiKey: realKey)).AssertStatusAsync(HttpStatusCode.OK);
    }

    [Fact]
    public async Task AnUnknownKeyPresentedAgainIsNotLookedUpAgain()
    {
        using var admin = await api.CreateAdminClientAsync();
        var (_, _, realKey) = await admin.CreateChannelWithKeyAsync();
        var counter = api.Services.GetRequiredService<CountingApiKeyCallers>();
        var fake = MadeUp(realKey);
        var before = counter.Lookups;

        for (var i = 0; i < 3; i++)
        {
            // Each from its own address, so no address reaches its limit.
            await (await SendAsync(api.CreateApiClient(), HttpMethod.Get, "/v1/me", $"198.51.100.{70 + i}", apiKey: fake))
                .AssertProblemAsync(HttpStatusCode.Unauthorized, "unauthorized");
        }

        Assert.Equal(1, counter.Lookups - before);
    }

    [Fact]
    public async Task AnswersCarryingPersonalDataOrSecretsAreNotStored()
    {
        using var admin = await api.CreateAdminClientAsync();
        using var borrower = await api.CreateBorrowerClientAsync();
        var created = await admin.PostAsJsonAsync("/v1/channels", new { name = "no-store" });
        var channelId = (await created.ReadJsonAsync()).GetProperty("id").GetString();

        var answers = new[]
        {
            await api.CreateApiClient().PostAsJsonAsync("/v1/auth/staff/token", new { username = ApiFactory.AdminUsername, password = ApiFactory.AdminPassword }),
            await admin.PostAsync($"/v1/channels/{channelId}/api-keys", null),
            await borrower.GetAsync("/v1/borrowers/me"),
            await borrower.GetAsync("/v1/me"),
            await admin.GetAsync("/v1/staff"),
            await api.CreateApiClient().GetAsync("/v1/me"), // a problem answer too
        };

        Assert.All(answers, a => Assert.True(a.Headers.CacheControl?.NoStore == true, $"{a.RequestMessage!.RequestUri}: {a.Headers.CacheControl}"));
    }

    internal static Task<HttpResponseMessage> SendAsync(HttpClient client, HttpMethod method, string path, string from, object? body = null, string? apiKey = null) =>
        client.SendFromAsync(method, path, from, body, apiKey is null ? null : new Dictionary<string, string> { ["X-Api-Key"] = apiKey });

    /// <summary>A key of the right shape that no channel holds: the real key's characters shuffled.</summary>
    private static string MadeUp(string realKey)
    {
        var prefix = realKey.IndexOf('_', StringComparison.Ordinal) + 1;
        var tail = realKey[prefix..].ToCharArray();
        Random.Shared.Shuffle(tail);
        return realKey[..prefix] + new string(tail);
    }
}

public sealed class SmallLoginLimitsApiFactory : ApiFactory
{
    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["RateLimits:StaffLoginPerIpPerMinute"] = "3",
        ["RateLimits:WeChatLoginPerIpPerMinute"] = "100",
    };
}

public sealed class LoginLimitsTests(SmallLoginLimitsApiFactory api) : IClassFixture<SmallLoginLimitsApiFactory>
{
    [Fact]
    public async Task JunkStaffSignInsDoNotLockBorrowersBehindTheSameAddressOutOfWeChatSignIn()
    {
        const string campus = "203.0.113.50";
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 4; i++)
        {
            statuses.Add((await AbuseLimitsTests.SendAsync(api.CreateApiClient(), HttpMethod.Post, "/v1/auth/staff/token", campus, new { username = "junk" + i, password = "junk-password-1" })).StatusCode);
        }

        Assert.Equal([HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized, HttpStatusCode.TooManyRequests], statuses);
        var weChat = await AbuseLimitsTests.SendAsync(api.CreateApiClient(), HttpMethod.Post, "/v1/auth/wechat/login", campus, new { code = "code_" + Guid.NewGuid().ToString("N") });
        await weChat.AssertStatusAsync(HttpStatusCode.OK);
    }
}
