using System.Text.Json;

namespace HeadlessLoan.Sandbox.Tests;

/// <summary>GET /sns/jscode2session, the mini-program login.</summary>
public sealed class LoginTests(SandboxFixture sandbox) : IClassFixture<SandboxFixture>
{
    private async Task<JsonElement> LoginAsync(string query)
    {
        using var response = await sandbox.Client.GetAsync(new Uri($"/sns/jscode2session?{query}", UriKind.Relative));
        return await WeChatJson.ReadAsync(response);
    }

    private Task<JsonElement> LoginWithCodeAsync(string code) =>
        LoginAsync($"appid=wx_login&secret=s&js_code={Uri.EscapeDataString(code)}&grant_type=authorization_code");

    [Fact]
    public async Task Any_other_code_gets_an_openid_and_a_16_byte_base64_session_key_without_unionid()
    {
        var reply = await LoginWithCodeAsync("081aBcDe0xyz");

        var openId = WeChatJson.String(reply, "openid");
        Assert.StartsWith("o_sandbox_", openId, StringComparison.Ordinal);
        Assert.Equal(28, openId.Length);
        Assert.Equal(16, Convert.FromBase64String(WeChatJson.String(reply, "session_key")).Length);
        Assert.False(reply.TryGetProperty("unionid", out _));
        Assert.False(reply.TryGetProperty("errcode", out _));
    }

    [Fact]
    public async Task Same_code_always_maps_to_the_same_openid_and_different_codes_to_different_ones()
    {
        var first = WeChatJson.String(await LoginWithCodeAsync("borrower-a"), "openid");
        var again = WeChatJson.String(await LoginWithCodeAsync("borrower-a"), "openid");
        var other = WeChatJson.String(await LoginWithCodeAsync("borrower-b"), "openid");

        Assert.Equal(first, again);
        Assert.NotEqual(first, other);
    }

    [Fact]
    public async Task Openid_is_the_documented_hash_of_the_code()
    {
        // docs/sandbox.md: "o_sandbox_" + the first 18 base64url characters of SHA-256("openid:" + code).
        var reply = await LoginWithCodeAsync("borrower-a");

        Assert.Equal("o_sandbox_" + ExpectedDigest("openid:borrower-a"), WeChatJson.String(reply, "openid"));
        Assert.Equal("o_sandbox_39VLUa9TWct4nvID6z", WeChatJson.String(reply, "openid")); // the example in the docs
    }

    [Fact]
    public async Task Each_login_gets_a_fresh_session_key()
    {
        var first = WeChatJson.String(await LoginWithCodeAsync("borrower-key"), "session_key");
        var second = WeChatJson.String(await LoginWithCodeAsync("borrower-key"), "session_key");

        Assert.NotEqual(first, second);
    }

    [Fact]
    public async Task Unionid_codes_also_return_a_stable_unionid()
    {
        var reply = await LoginWithCodeAsync("sandbox_code_unionid_alice");
        var again = await LoginWithCodeAsync("sandbox_code_unionid_alice");

        Assert.Equal("o_sandbox_" + ExpectedDigest("openid:sandbox_code_unionid_alice"), WeChatJson.String(reply, "openid"));
        Assert.Equal("u_sandbox_" + ExpectedDigest("unionid:sandbox_code_unionid_alice"), WeChatJson.String(reply, "unionid"));
        Assert.Equal(WeChatJson.String(reply, "unionid"), WeChatJson.String(again, "unionid"));
        Assert.Equal(16, Convert.FromBase64String(WeChatJson.String(reply, "session_key")).Length);
    }

    [Theory]
    [InlineData("sandbox_code_invalid", 40029, "invalid code")]
    [InlineData("sandbox_code_rate_limited", 45011, "api minute-quota reach limit")]
    [InlineData("sandbox_code_blocked", 40226, "user is blocked")]
    [InlineData("sandbox_code_busy", -1, "system error")]
    [InlineData("sandbox_code_used", 40163, "code been used")]
    public async Task Magic_code_returns_its_WeChat_error_with_http_200(string code, int errCode, string messageStart)
    {
        var reply = await LoginWithCodeAsync(code);

        WeChatJson.AssertError(reply, errCode, messageStart);
        Assert.False(reply.TryGetProperty("openid", out _));
    }

    [Theory]
    [InlineData("appid=wx_login&secret=s&grant_type=authorization_code")]
    [InlineData("appid=wx_login&secret=s&js_code=&grant_type=authorization_code")]
    public async Task Missing_code_returns_41008(string query)
    {
        var reply = await LoginAsync(query);

        WeChatJson.AssertError(reply, 41008, "missing code");
    }

    private static string ExpectedDigest(string input) =>
        Convert.ToBase64String(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(input)))
            .Replace('+', '-').Replace('/', '_')[..18];
}
