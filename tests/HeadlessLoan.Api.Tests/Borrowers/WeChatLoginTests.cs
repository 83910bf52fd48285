using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using Dapper;
using HeadlessLoan.Api.Platform.Privacy;
using HeadlessLoan.Api.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace HeadlessLoan.Api.Tests.Borrowers;

public sealed class WeChatLoginTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    private static string NewCode() => "code_" + Guid.NewGuid().ToString("N");

    private async Task<(HttpClient Client, Guid BorrowerId)> SignInAsync(string? code = null)
    {
        var client = api.CreateApiClient();
        var response = await client.PostAsJsonAsync("/v1/auth/wechat/login", new { code = code ?? NewCode() });
        await response.AssertStatusAsync(HttpStatusCode.OK);
        var body = await response.ReadJsonAsync();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", body.GetProperty("accessToken").GetString());
        return (client, body.GetProperty("borrowerId").GetGuid());
    }

    [Fact]
    public async Task FirstSignInCreatesTheBorrowerAndTheSameWeChatUserGetsTheSameBorrowerAgain()
    {
        var code = NewCode();
        using var client = api.CreateApiClient();

        var first = await (await client.PostAsJsonAsync("/v1/auth/wechat/login", new { code })).ReadJsonAsync();
        var second = await (await client.PostAsJsonAsync("/v1/auth/wechat/login", new { code })).ReadJsonAsync();

        Assert.True(first.GetProperty("newBorrower").GetBoolean());
        Assert.False(second.GetProperty("newBorrower").GetBoolean());
        Assert.Equal(first.GetProperty("borrowerId").GetGuid(), second.GetProperty("borrowerId").GetGuid());
        Assert.Equal("Bearer", first.GetProperty("tokenType").GetString());
    }

    [Fact]
    public async Task BorrowerTokenReadsItsOwnRecordAndIsABorrowerToTheApi()
    {
        var (client, id) = await SignInAsync();

        var me = await (await client.GetAsync("/v1/borrowers/me")).ReadJsonAsync();
        var who = await (await client.GetAsync("/v1/me")).ReadJsonAsync();

        Assert.Equal(id, me.GetProperty("id").GetGuid());
        Assert.False(me.TryGetProperty("phone", out _));
        Assert.Equal("borrower", who.GetProperty("kind").GetString());
    }

    [Fact]
    public async Task SessionKeyIsStoredEncryptedAndNeverReturned()
    {
        using var client = api.CreateApiClient();
        var response = await client.PostAsJsonAsync("/v1/auth/wechat/login", new { code = NewCode() });
        var text = await response.Content.ReadAsStringAsync();
        var id = (await response.ReadJsonAsync()).GetProperty("borrowerId").GetGuid();

        await using var db = await api.OpenDatabaseAsync();
        var stored = await db.QuerySingleAsync<byte[]>("SELECT session_key_enc FROM borrowers WHERE id = @id", new { id });
        var sessionKey = api.Services.GetRequiredService<PersonalDataProtector>().Decrypt(stored, PersonalDataPurpose.WeChatSessionKey);

        Assert.DoesNotContain("session", text, StringComparison.OrdinalIgnoreCase);
        Assert.NotEmpty(sessionKey);
        Assert.DoesNotContain(sessionKey, Encoding.UTF8.GetString(stored), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("sandbox_code_invalid", HttpStatusCode.Unauthorized, "wechat_code_invalid")]
    [InlineData("sandbox_code_used", HttpStatusCode.Unauthorized, "wechat_code_invalid")]
    [InlineData("sandbox_code_blocked", HttpStatusCode.Forbidden, "wechat_user_blocked")]
    [InlineData("sandbox_code_rate_limited", HttpStatusCode.TooManyRequests, "wechat_rate_limited")]
    [InlineData("sandbox_code_busy", HttpStatusCode.ServiceUnavailable, "upstream_unavailable")]
    public async Task WeChatRefusalsBecomeProblemsTheMiniProgramCanActOn(string code, HttpStatusCode status, string problemCode)
    {
        using var client = api.CreateApiClient();

        var response = await client.PostAsJsonAsync("/v1/auth/wechat/login", new { code });

        await response.AssertProblemAsync(status, problemCode);
        if (status is HttpStatusCode.TooManyRequests or HttpStatusCode.ServiceUnavailable)
        {
            Assert.NotNull(response.Headers.RetryAfter);
        }
    }

    [Fact]
    public async Task MissingCodeIsNamed()
    {
        using var client = api.CreateApiClient();

        var problem = await (await client.PostAsJsonAsync("/v1/auth/wechat/login", new { })).AssertProblemAsync(HttpStatusCode.UnprocessableEntity, "validation_failed");

        Assert.Contains("code", problem.ErrorFields());
    }

    [Fact]
    public async Task PhoneIsFetchedFromWeChatStoredEncryptedWithALookupHashAndShownMasked()
    {
        var (client, id) = await SignInAsync();

        var response = await client.PostAsJsonAsync("/v1/borrowers/me/phone", new { code = "sandbox_phone_13912345678" });

        await response.AssertStatusAsync(HttpStatusCode.OK);
        Assert.Equal("139****5678", (await response.ReadJsonAsync()).GetProperty("phone").GetString());
        await using var db = await api.OpenDatabaseAsync();
        var row = await db.QuerySingleAsync<(byte[] Enc, byte[] Hash)>("SELECT phone_enc, phone_hash FROM borrowers WHERE id = @id", new { id });
        var protector = api.Services.GetRequiredService<PersonalDataProtector>();
        Assert.DoesNotContain("13912345678", Encoding.UTF8.GetString(row.Enc), StringComparison.Ordinal);
        Assert.Equal("13912345678", protector.Decrypt(row.Enc, PersonalDataPurpose.Phone));
        Assert.Equal(protector.LookupHash("13912345678", PersonalDataPurpose.Phone), row.Hash);
    }

    [Fact]
    public async Task RejectedPhoneCodeIsAFieldProblem()
    {
        var (client, _) = await SignInAsync();

        var problem = await (await client.PostAsJsonAsync("/v1/borrowers/me/phone", new { code = "sandbox_phone_invalid" }))
            .AssertProblemAsync(HttpStatusCode.UnprocessableEntity, "phone_code_invalid");

        Assert.Contains("code", problem.ErrorFields());
    }

    [Theory]
    [InlineData("sandbox_phone_used", HttpStatusCode.UnprocessableEntity, "phone_code_invalid")]
    [InlineData("sandbox_phone_rate_limited", HttpStatusCode.TooManyRequests, "wechat_rate_limited")]
    [InlineData("sandbox_phone_busy", HttpStatusCode.ServiceUnavailable, "upstream_unavailable")]
    public async Task WeChatRefusalsOfThePhoneCodeBecomeProblemsTheMiniProgramCanActOn(string code, HttpStatusCode status, string problemCode)
    {
        var (client, id) = await SignInAsync();

        var response = await client.PostAsJsonAsync("/v1/borrowers/me/phone", new { code });

        var problem = await response.AssertProblemAsync(status, problemCode);
        if (status == HttpStatusCode.UnprocessableEntity)
        {
            Assert.Equal(["code"], problem.ErrorFields());
        }
        else
        {
            Assert.NotNull(response.Headers.RetryAfter);
        }

        await using var db = await api.OpenDatabaseAsync();
        Assert.Null(await db.ExecuteScalarAsync<byte[]?>("SELECT phone_enc FROM borrowers WHERE id = @id", new { id }));
    }

    [Fact]
    public async Task AccessTokenIsFetchedOnceAndSharedThroughRedis()
    {
        var (client, _) = await SignInAsync();
        var before = StableTokenCalls();

        for (var i = 0; i < 3; i++)
        {
            await (await client.PostAsJsonAsync("/v1/borrowers/me/phone", new { code = "sandbox_phone_1370000000" + i })).AssertStatusAsync(HttpStatusCode.OK);
        }

        Assert.True(StableTokenCalls() - before <= 1, "the access token should come from Redis after the first fetch");
        Assert.True(StableTokenCalls() >= 1);
    }

    [Fact]
    public async Task StaffAndBorrowerTokensDoNotOpenEachOthersEndpoints()
    {
        var (borrower, _) = await SignInAsync();
        using var admin = await api.CreateAdminClientAsync();

        await (await admin.GetAsync("/v1/borrowers/me")).AssertProblemAsync(HttpStatusCode.Forbidden, "forbidden");
        await (await borrower.GetAsync("/v1/staff")).AssertProblemAsync(HttpStatusCode.Forbidden, "forbidden");
        await (await borrower.PostAsJsonAsync("/v1/products", TestHttp.ValidProduct())).AssertProblemAsync(HttpStatusCode.Forbidden, "forbidden");
    }

    private int StableTokenCalls() =>
        api.Sandbox.Server.LogEntries.Count(e => e.RequestMessage.Path == "/cgi-bin/stable_token");
}

/// <summary>WeChat unreachable (nothing listens on the configured address).</summary>
public sealed class UnreachableWeChatFactory : ApiFactory
{
    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["WeChat:ApiBaseUrl"] = "http://127.0.0.1:9",
    };
}

public sealed class UnreachableWeChatTests(UnreachableWeChatFactory api) : IClassFixture<UnreachableWeChatFactory>
{
    [Fact]
    public async Task UnreachableWeChatIsServiceUnavailableWithRetryAfter()
    {
        using var client = api.CreateApiClient();

        var response = await client.PostAsJsonAsync("/v1/auth/wechat/login", new { code = "code_unreachable" });

        await response.AssertProblemAsync(HttpStatusCode.ServiceUnavailable, "upstream_unavailable");
        Assert.NotNull(response.Headers.RetryAfter);
    }
}

/// <summary>An access token WeChat no longer accepts is replaced once, and the call retried once.</summary>
public sealed class ExpiredAccessTokenTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    [Fact]
    public async Task AnExpiredAccessTokenIsRefreshedWithForceAndTheCallRetriedOnce()
    {
        using var client = await api.CreateBorrowerClientAsync();
        var redis = api.Services.GetRequiredService<StackExchange.Redis.IConnectionMultiplexer>().GetDatabase();
        var tokenKey = $"{api.RedisPrefix}:wechat:access_token:wx_sandbox_tests";
        await redis.StringSetAsync(tokenKey, "sandbox_expired_token");

        var response = await client.PostAsJsonAsync("/v1/borrowers/me/phone", new { code = "sandbox_phone_13600000000" });

        await response.AssertStatusAsync(HttpStatusCode.OK);
        Assert.Equal("136****0000", (await response.ReadJsonAsync()).GetProperty("phone").GetString());
        var replaced = (string?)await redis.StringGetAsync(tokenKey);
        Assert.StartsWith("sandbox_", replaced, StringComparison.Ordinal);
        Assert.NotEqual("sandbox_expired_token", replaced);
        Assert.Contains(api.Sandbox.Server.LogEntries, e =>
            e.RequestMessage.Path == "/cgi-bin/stable_token" && (e.RequestMessage.Body ?? "").Contains("\"force_refresh\":true", StringComparison.Ordinal));
    }
}

/// <summary>
/// WeChat refuses the service itself (its appid, secret, server IP, quota, or every token it hands out): nothing the
/// borrower can fix, so 503 with a Retry-After that fits, never a 4xx, and never a 502 for a refusal we know.
/// </summary>
public sealed class WeChatRefusesTheServiceTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    [Theory]
    [InlineData("wx_sandbox_invalid", "sandbox-test-secret", 40013, 300)]
    [InlineData("wx_tests_bad_secret", "sandbox_bad_secret", 40125, 300)]
    [InlineData("wx_sandbox_ip_denied", "sandbox-test-secret", 40164, 300)]
    [InlineData("wx_sandbox_quota", "sandbox-test-secret", 45009, 3600)]
    [InlineData("wx_sandbox_rate_limited", "sandbox-test-secret", 45011, 60)]
    [InlineData("wx_sandbox_busy", "sandbox-test-secret", -1, 5)]
    public async Task ARefusedAccessTokenMakesThePhoneUnavailable(string appId, string secret, int errcode, int retryAfterSeconds)
    {
        await using var deployment = api.WithWebHostBuilder(b => b.UseSetting("WeChat:AppId", appId).UseSetting("WeChat:AppSecret", secret));
        using var client = await SignInAsync(deployment);

        var response = await client.PostAsJsonAsync("/v1/borrowers/me/phone", new { code = "sandbox_phone_13912345678" });

        var problem = await response.AssertProblemAsync(HttpStatusCode.ServiceUnavailable, "upstream_unavailable");
        Assert.Equal(TimeSpan.FromSeconds(retryAfterSeconds), response.Headers.RetryAfter?.Delta);
        Assert.Equal($"WeChat errcode {errcode}.", problem.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task ATokenWeChatKeepsRejectingIsRefreshedOnceAndTheCallTriedOnceMore()
    {
        await using var deployment = api.WithWebHostBuilder(b => b.UseSetting("WeChat:AppId", "wx_sandbox_stale_token"));
        using var client = await SignInAsync(deployment);
        var before = api.Sandbox.Server.LogEntries.Count;

        var response = await client.PostAsJsonAsync("/v1/borrowers/me/phone", new { code = "sandbox_phone_13912345678" });

        var problem = await response.AssertProblemAsync(HttpStatusCode.ServiceUnavailable, "upstream_unavailable");
        Assert.Equal("WeChat errcode 40001.", problem.GetProperty("detail").GetString());
        var calls = api.Sandbox.Server.LogEntries.Skip(before).Select(e => e.RequestMessage).ToList();
        Assert.Equal(2, calls.Count(m => m.Path == "/wxa/business/getuserphonenumber"));
        Assert.Single(calls, m => m.Path == "/cgi-bin/stable_token" && (m.Body ?? "").Contains("\"force_refresh\":true", StringComparison.Ordinal));
    }

    private static async Task<HttpClient> SignInAsync(WebApplicationFactory<Program> deployment)
    {
        var client = deployment.CreateDefaultClient(new ContractValidatingHandler());
        var login = await client.PostAsJsonAsync("/v1/auth/wechat/login", new { code = "code_" + Guid.NewGuid().ToString("N") });
        await login.AssertStatusAsync(HttpStatusCode.OK);
        var token = (await login.ReadJsonAsync()).GetProperty("accessToken").GetString();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }
}
