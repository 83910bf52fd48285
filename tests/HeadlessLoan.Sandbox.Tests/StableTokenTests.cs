using System.Net.Http.Json;
using System.Text;

namespace HeadlessLoan.Sandbox.Tests;

/// <summary>POST /cgi-bin/stable_token, the token that stays the same until a forced refresh.</summary>
public sealed class StableTokenTests(SandboxFixture sandbox) : IClassFixture<SandboxFixture>
{
    private async Task<WeChatTokenReply> PostAsync(HttpContent content)
    {
        using (content)
        {
            using var response = await sandbox.Client.PostAsync(new Uri("/cgi-bin/stable_token", UriKind.Relative), content);
            return await WeChatTokenReply.ReadAsync(response);
        }
    }

    private Task<WeChatTokenReply> PostAsync(object body) => PostAsync(JsonContent.Create(body));

    private async Task<string> StableTokenAsync(string appId, bool? forceRefresh = null)
    {
        object body = forceRefresh is { } force
            ? new { grant_type = "client_credential", appid = appId, secret = "s", force_refresh = force }
            : new { grant_type = "client_credential", appid = appId, secret = "s" };
        return (await PostAsync(body)).AssertToken();
    }

    [Fact]
    public async Task Same_appid_gets_the_same_token_while_force_refresh_is_absent_or_false()
    {
        var first = await StableTokenAsync("wx_stable_same");
        var second = await StableTokenAsync("wx_stable_same");
        var third = await StableTokenAsync("wx_stable_same", forceRefresh: false);

        Assert.Equal(first, second);
        Assert.Equal(first, third);
    }

    [Fact]
    public async Task Force_refresh_true_returns_a_new_token_that_later_calls_keep_returning()
    {
        var before = await StableTokenAsync("wx_stable_forced");

        var forced = await StableTokenAsync("wx_stable_forced", forceRefresh: true);
        var after = await StableTokenAsync("wx_stable_forced");

        Assert.NotEqual(before, forced);
        Assert.Equal(forced, after);
    }

    [Fact]
    public async Task Each_forced_refresh_returns_another_new_token()
    {
        var first = await StableTokenAsync("wx_stable_twice", forceRefresh: true);
        var second = await StableTokenAsync("wx_stable_twice", forceRefresh: true);

        Assert.NotEqual(first, second);
    }

    [Fact]
    public async Task Different_appids_get_different_tokens()
    {
        var one = await StableTokenAsync("wx_stable_one");
        var other = await StableTokenAsync("wx_stable_other");

        Assert.NotEqual(one, other);
    }

    [Fact]
    public async Task Force_refresh_for_one_appid_leaves_another_appids_token_alone()
    {
        var kept = await StableTokenAsync("wx_stable_kept");
        await StableTokenAsync("wx_stable_refreshed", forceRefresh: true);

        Assert.Equal(kept, await StableTokenAsync("wx_stable_kept"));
    }

    [Fact]
    public async Task Stable_token_is_independent_of_the_classic_token_endpoint()
    {
        var stable = await StableTokenAsync("wx_stable_independent");
        using var classic = await sandbox.Client.GetAsync(
            new Uri("/cgi-bin/token?grant_type=client_credential&appid=wx_stable_independent&secret=s", UriKind.Relative));
        var classicToken = (await WeChatTokenReply.ReadAsync(classic)).AssertToken();

        Assert.NotEqual(stable, classicToken);
        Assert.Equal(stable, await StableTokenAsync("wx_stable_independent"));
    }

    [Fact]
    public async Task Force_refresh_as_a_string_is_not_a_forced_refresh()
    {
        var before = await StableTokenAsync("wx_stable_string_flag");

        var reply = await PostAsync(new { grant_type = "client_credential", appid = "wx_stable_string_flag", secret = "s", force_refresh = "true" });

        Assert.Equal(before, reply.AssertToken());
    }

    [Theory]
    [InlineData("wx_sandbox_invalid", "s", 40013, "invalid appid")]
    [InlineData("wx_sandbox_busy", "s", -1, "system error")]
    [InlineData("wx_sandbox_ip_denied", "s", 40164, "invalid ip 127.0.0.1, not in whitelist")]
    [InlineData("wx_sandbox_quota", "s", 45009, "reach max api daily quota limit")]
    [InlineData("wx_sandbox_rate_limited", "s", 45011, "api minute-quota reach limit")]
    [InlineData("wx_any", "sandbox_bad_secret", 40125, "invalid appsecret")]
    [InlineData("wx_sandbox_invalid", "sandbox_bad_secret", 40013, "invalid appid")]
    public async Task Magic_appid_or_secret_returns_its_WeChat_error_with_http_200(
        string appId, string secret, int errCode, string messageStart)
    {
        var reply = await PostAsync(new { grant_type = "client_credential", appid = appId, secret, force_refresh = false });

        reply.AssertError(errCode, messageStart);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Stale_token_appid_always_gets_the_token_other_endpoints_reject(bool forceRefresh)
    {
        var token = await StableTokenAsync("wx_sandbox_stale_token", forceRefresh);

        Assert.Equal("sandbox_invalid_token", token);
    }

    [Fact]
    public async Task Magic_appid_fails_even_with_force_refresh()
    {
        var reply = await PostAsync(new { grant_type = "client_credential", appid = "wx_sandbox_busy", secret = "s", force_refresh = true });

        reply.AssertError(-1, "system error");
    }

    [Fact]
    public async Task Grant_type_other_than_client_credential_returns_40002()
    {
        var reply = await PostAsync(new { grant_type = "authorization_code", appid = "wx_any", secret = "s" });

        reply.AssertError(40002, "invalid grant_type");
    }

    [Fact]
    public async Task Absent_grant_type_returns_40002()
    {
        var reply = await PostAsync(new { appid = "wx_any", secret = "s" });

        reply.AssertError(40002, "invalid grant_type");
    }

    [Fact]
    public async Task Missing_appid_returns_41002()
    {
        var reply = await PostAsync(new { grant_type = "client_credential", secret = "s" });

        reply.AssertError(41002, "appid missing");
    }

    [Fact]
    public async Task Missing_secret_returns_41004()
    {
        var reply = await PostAsync(new { grant_type = "client_credential", appid = "wx_any", secret = "" });

        reply.AssertError(41004, "appsecret missing");
    }

    [Fact]
    public async Task Body_that_is_not_json_returns_47001()
    {
        var reply = await PostAsync(new StringContent("grant_type=client_credential&appid=wx_any&secret=s", Encoding.UTF8, "application/x-www-form-urlencoded"));

        reply.AssertError(47001, "data format error");
    }
}
