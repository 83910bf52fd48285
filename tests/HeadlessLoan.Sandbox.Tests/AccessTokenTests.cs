namespace HeadlessLoan.Sandbox.Tests;

/// <summary>GET /cgi-bin/token, the classic access-token endpoint.</summary>
public sealed class AccessTokenTests(SandboxFixture sandbox) : IClassFixture<SandboxFixture>
{
    private async Task<WeChatTokenReply> GetTokenAsync(string query)
    {
        using var response = await sandbox.Client.GetAsync(new Uri($"/cgi-bin/token?{query}", UriKind.Relative));
        return await WeChatTokenReply.ReadAsync(response);
    }

    private Task<WeChatTokenReply> GetTokenAsync(string appId, string secret) =>
        GetTokenAsync($"grant_type=client_credential&appid={Uri.EscapeDataString(appId)}&secret={Uri.EscapeDataString(secret)}");

    [Fact]
    public async Task Any_other_appid_and_secret_get_a_sandbox_token_valid_for_7200_seconds()
    {
        var reply = await GetTokenAsync("wx1234567890abcdef", "any-secret");

        reply.AssertToken();
    }

    [Fact]
    public async Task Every_call_returns_a_fresh_token()
    {
        var first = (await GetTokenAsync("wx_fresh", "s")).AssertToken();
        var second = (await GetTokenAsync("wx_fresh", "s")).AssertToken();

        Assert.NotEqual(first, second);
    }

    [Fact]
    public async Task Stale_token_appid_always_gets_the_token_other_endpoints_reject()
    {
        var first = (await GetTokenAsync("wx_sandbox_stale_token", "s")).AssertToken();
        var second = (await GetTokenAsync("wx_sandbox_stale_token", "s")).AssertToken();

        Assert.Equal("sandbox_invalid_token", first);
        Assert.Equal(first, second);
    }

    [Theory]
    [InlineData("wx_sandbox_invalid", "s", 40013, "invalid appid")]
    [InlineData("wx_sandbox_busy", "s", -1, "system error")]
    [InlineData("wx_sandbox_ip_denied", "s", 40164, "invalid ip ")]
    [InlineData("wx_sandbox_quota", "s", 45009, "reach max api daily quota limit")]
    [InlineData("wx_sandbox_rate_limited", "s", 45011, "api minute-quota reach limit")]
    [InlineData("wx_any", "sandbox_bad_secret", 40125, "invalid appsecret")]
    public async Task Magic_appid_or_secret_returns_its_WeChat_error_with_http_200(
        string appId, string secret, int errCode, string messageStart)
    {
        var reply = await GetTokenAsync(appId, secret);

        reply.AssertError(errCode, messageStart);
    }

    [Theory]
    [InlineData("grant_type=authorization_code&appid=wx_any&secret=s")]
    [InlineData("grant_type=&appid=wx_any&secret=s")]
    [InlineData("appid=wx_any&secret=s")]
    public async Task Grant_type_other_than_client_credential_returns_40002(string query)
    {
        var reply = await GetTokenAsync(query);

        reply.AssertError(40002, "invalid grant_type");
    }

    [Theory]
    [InlineData("grant_type=client_credential&secret=s")]
    [InlineData("grant_type=client_credential&appid=&secret=s")]
    public async Task Missing_appid_returns_41002(string query)
    {
        var reply = await GetTokenAsync(query);

        reply.AssertError(41002, "appid missing");
    }

    [Theory]
    [InlineData("grant_type=client_credential&appid=wx_any")]
    [InlineData("grant_type=client_credential&appid=wx_any&secret=")]
    public async Task Missing_secret_returns_41004(string query)
    {
        var reply = await GetTokenAsync(query);

        reply.AssertError(41004, "appsecret missing");
    }

    [Fact]
    public async Task Bad_grant_type_is_reported_before_a_bad_appid()
    {
        var reply = await GetTokenAsync("grant_type=password&appid=wx_sandbox_invalid&secret=s");

        reply.AssertError(40002, "invalid grant_type");
    }

    [Fact]
    public async Task Invalid_appid_is_reported_before_a_bad_secret()
    {
        var reply = await GetTokenAsync("wx_sandbox_invalid", "sandbox_bad_secret");

        reply.AssertError(40013, "invalid appid");
    }

    [Fact]
    public async Task Ip_denied_error_names_the_callers_ip()
    {
        var reply = await GetTokenAsync("wx_sandbox_ip_denied", "s");

        reply.AssertError(40164, "invalid ip 127.0.0.1, not in whitelist");
    }
}
