using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace HeadlessLoan.Sandbox.Tests;

/// <summary>POST /wxa/business/getuserphonenumber, the phone number the borrower agreed to share.</summary>
public sealed class PhoneNumberTests(SandboxFixture sandbox) : IClassFixture<SandboxFixture>
{
    private async Task<JsonElement> PostAsync(string query, HttpContent content)
    {
        using (content)
        {
            using var response = await sandbox.Client.PostAsync(new Uri($"/wxa/business/getuserphonenumber{query}", UriKind.Relative), content);
            return await WeChatJson.ReadAsync(response);
        }
    }

    private Task<JsonElement> PhoneAsync(string code, string accessToken = "sandbox_any") =>
        PostAsync($"?access_token={Uri.EscapeDataString(accessToken)}", JsonContent.Create(new { code }));

    private static JsonElement AssertPhone(JsonElement reply, string expectedNumber)
    {
        WeChatJson.AssertOk(reply);
        var info = reply.GetProperty("phone_info");
        Assert.Equal(expectedNumber, WeChatJson.String(info, "phoneNumber"));
        Assert.Equal(expectedNumber, WeChatJson.String(info, "purePhoneNumber"));
        Assert.Equal("86", WeChatJson.String(info, "countryCode"));
        var timestamp = info.GetProperty("watermark").GetProperty("timestamp").GetInt64();
        Assert.InRange(timestamp, DateTimeOffset.UtcNow.ToUnixTimeSeconds() - 60, DateTimeOffset.UtcNow.ToUnixTimeSeconds() + 60);
        return info;
    }

    [Fact]
    public async Task Expired_access_token_answers_42001()
    {
        var reply = await PhoneAsync("sandbox_phone_13912345678", accessToken: "sandbox_expired_token");

        Assert.Equal(42001, reply.GetProperty("errcode").GetInt32());
    }

    [Fact]
    public async Task Invalid_access_token_answers_40001()
    {
        var reply = await PhoneAsync("sandbox_phone_13912345678", accessToken: "sandbox_invalid_token");

        WeChatJson.AssertError(reply, 40001, "invalid credential");
    }

    [Fact]
    public async Task Any_other_code_returns_13800138000()
    {
        var reply = await PhoneAsync("e31968a7f94cc5ee25fafc2aef2773f0bb8c3937b22520eb8ee345274d00c144");

        AssertPhone(reply, "13800138000");
    }

    [Theory]
    [InlineData("sandbox_phone_13912345678", "13912345678")]
    [InlineData("sandbox_phone_00000000000", "00000000000")]
    public async Task Phone_code_with_11_digits_returns_that_number_as_a_string(string code, string number)
    {
        var reply = await PhoneAsync(code);

        AssertPhone(reply, number);
    }

    [Theory]
    [InlineData("sandbox_phone_1391234567")]
    [InlineData("sandbox_phone_139123456789")]
    public async Task Phone_code_without_exactly_11_digits_returns_the_default_number(string code)
    {
        var reply = await PhoneAsync(code);

        AssertPhone(reply, "13800138000");
    }

    [Fact]
    public async Task Watermark_names_the_appid_the_access_token_was_issued_to()
    {
        using var tokenResponse = await sandbox.Client.GetAsync(new Uri("/cgi-bin/token?grant_type=client_credential&appid=wx_phone_app&secret=s", UriKind.Relative));
        var classic = (await WeChatTokenReply.ReadAsync(tokenResponse)).AssertToken();
        using var stableResponse = await sandbox.Client.PostAsync(
            new Uri("/cgi-bin/stable_token", UriKind.Relative),
            JsonContent.Create(new { grant_type = "client_credential", appid = "wx_phone_stable", secret = "s" }));
        var stable = (await WeChatTokenReply.ReadAsync(stableResponse)).AssertToken();

        var byClassic = AssertPhone(await PhoneAsync("any", classic), "13800138000");
        var byStable = AssertPhone(await PhoneAsync("sandbox_phone_13912345678", stable), "13912345678");
        var byUnknown = AssertPhone(await PhoneAsync("any", "not_issued_here"), "13800138000");

        Assert.Equal("wx_phone_app", byClassic.GetProperty("watermark").GetProperty("appid").GetString());
        Assert.Equal("wx_phone_stable", byStable.GetProperty("watermark").GetProperty("appid").GetString());
        Assert.Equal("wx_sandbox_unknown_token", byUnknown.GetProperty("watermark").GetProperty("appid").GetString());
    }

    [Fact]
    public async Task Appid_that_is_unsafe_in_json_is_not_echoed_into_the_watermark()
    {
        using var tokenResponse = await sandbox.Client.GetAsync(
            new Uri($"/cgi-bin/token?grant_type=client_credential&appid={Uri.EscapeDataString("wx\"\\x")}&secret=s", UriKind.Relative));
        var token = (await WeChatTokenReply.ReadAsync(tokenResponse)).AssertToken();

        var info = AssertPhone(await PhoneAsync("sandbox_phone_13912345678", token), "13912345678");

        Assert.Equal("wx_sandbox_unknown_token", info.GetProperty("watermark").GetProperty("appid").GetString());
    }

    [Fact]
    public async Task Invalid_code_returns_40029()
    {
        WeChatJson.AssertError(await PhoneAsync("sandbox_phone_invalid"), 40029, "invalid code");
    }

    [Fact]
    public async Task Busy_code_returns_minus_1()
    {
        WeChatJson.AssertError(await PhoneAsync("sandbox_phone_busy"), -1, "system error");
    }

    [Fact]
    public async Task Used_code_returns_40163()
    {
        WeChatJson.AssertError(await PhoneAsync("sandbox_phone_used"), 40163, "code been used");
    }

    [Fact]
    public async Task Rate_limited_code_returns_45011()
    {
        WeChatJson.AssertError(await PhoneAsync("sandbox_phone_rate_limited"), 45011, "api minute-quota reach limit");
    }

    [Theory]
    [InlineData("")]
    [InlineData("?access_token=")]
    public async Task Missing_access_token_returns_41001(string query)
    {
        WeChatJson.AssertError(await PostAsync(query, JsonContent.Create(new { code = "any" })), 41001, "access_token missing");
    }

    [Theory]
    [InlineData("code=any")]
    [InlineData("{\"code\": 42}")]
    [InlineData("{\"code\": \"\"}")]
    [InlineData("{}")]
    public async Task Body_without_a_string_code_returns_47001(string body)
    {
        var reply = await PostAsync("?access_token=sandbox_any", new StringContent(body, Encoding.UTF8, "application/json"));

        WeChatJson.AssertError(reply, 47001, "data format error");
    }
}
