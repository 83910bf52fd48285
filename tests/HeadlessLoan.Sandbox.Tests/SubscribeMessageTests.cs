using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace HeadlessLoan.Sandbox.Tests;

/// <summary>POST /cgi-bin/message/subscribe/send: tokens, refusing openids and WeChat's value rules (docs/sandbox.md, Subscribe messages).</summary>
public sealed class SubscribeMessageTests(SandboxFixture sandbox) : IClassFixture<SandboxFixture>
{
    private async Task<string> TokenAsync()
    {
        using var response = await sandbox.Client.PostAsJsonAsync(new Uri("/cgi-bin/stable_token", UriKind.Relative),
            new { grant_type = "client_credential", appid = "wx_subscribe_tests", secret = "s" });
        return (await WeChatJson.ReadAsync(response)).GetProperty("access_token").GetString()!;
    }

    private async Task<string> OpenIdAsync(string code)
    {
        using var response = await sandbox.Client.GetAsync(new Uri($"/sns/jscode2session?appid=a&secret=s&js_code={code}&grant_type=authorization_code", UriKind.Relative));
        return (await WeChatJson.ReadAsync(response)).GetProperty("openid").GetString()!;
    }

    private async Task<JsonElement> SendAsync(string openId, object data, string? token = null, string? page = "pages/loan/index")
    {
        token ??= await TokenAsync();
        object body = page is null
            ? new { touser = openId, template_id = "tmpl_repayment_due", data }
            : new { touser = openId, template_id = "tmpl_repayment_due", page, data, miniprogram_state = "formal", lang = "zh_CN" };
        using var response = await sandbox.Client.PostAsJsonAsync(new Uri($"/cgi-bin/message/subscribe/send?access_token={token}", UriKind.Relative), body);
        return await WeChatJson.ReadAsync(response);
    }

    private static Dictionary<string, object> Due(string thing = "借款第3期还款", string amount = "¥1,000.00") => new Dictionary<string, object>
    {
        ["thing1"] = new { value = thing },
        ["amount2"] = new { value = amount.Replace(",", "", StringComparison.Ordinal) },
        ["date3"] = new { value = "2026年3月10日" },
        ["character_string4"] = new { value = "LN20260301-0001" },
        ["phrase5"] = new { value = "待还款" },
    };

    private async Task<JsonElement[]> OutboxAsync(string to)
    {
        using var response = await sandbox.Client.GetAsync(new Uri("/sandbox/outbox?to=" + Uri.EscapeDataString(to), UriKind.Relative));
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return document.RootElement.EnumerateArray().Select(e => e.Clone()).ToArray();
    }

    [Fact]
    public async Task A_message_that_keeps_the_rules_is_sent_and_kept_in_the_outbox_once()
    {
        var openId = await OpenIdAsync("code_" + Guid.NewGuid().ToString("N"));

        var reply = await SendAsync(openId, Due());

        WeChatJson.AssertOk(reply);
        Assert.True(reply.GetProperty("msgid").GetInt64() > 0);
        var kept = Assert.Single(await OutboxAsync(openId));
        Assert.Equal("wechat_subscribe", kept.GetProperty("channel").GetString());
        Assert.Equal("tmpl_repayment_due", kept.GetProperty("template").GetString());
        Assert.Equal("借款第3期还款", kept.GetProperty("params").GetProperty("thing1").GetString());
    }

    [Theory]
    [InlineData(43101, "user refuse to accept the msg")]
    [InlineData(47003, "argument invalid!")]
    [InlineData(40003, "invalid openid")]
    public async Task A_sandbox_subscribe_errcode_login_code_names_a_borrower_whose_messages_are_refused_with_it(int errcode, string errmsg)
    {
        var code = $"sandbox_subscribe_{errcode}_{Guid.NewGuid():N}";
        var openId = await OpenIdAsync(code);

        var reply = await SendAsync(openId, Due());

        Assert.StartsWith($"osbx{errcode}_", openId, StringComparison.Ordinal);
        Assert.Equal(28, openId.Length);
        Assert.Equal(openId, await OpenIdAsync(code));
        Assert.NotEqual(openId, await OpenIdAsync($"sandbox_subscribe_{errcode}_{Guid.NewGuid():N}"));
        WeChatJson.AssertError(reply, errcode, errmsg);
        Assert.Empty(await OutboxAsync(openId));
    }

    public static TheoryData<string, string, string> BrokenValues => new()
    {
        // key, value, what errmsg says
        { "thing1", new string('借', 21), "data.thing1.value exceeds 20 characters" },
        { "thing1", "第一行\n第二行", "data.thing1.value contains a line break" },
        { "thing1", "", "data.thing1.value is empty" },
        { "amount2", "一千元", "data.amount2.value is not an amount" },
        { "amount2", "¥12345678901", "data.amount2.value is not an amount" },
        { "date3", "下周一", "data.date3.value is not a date" },
        { "date3", "2026-13-01", "data.date3.value is not a date" },
        { "number6", "12a", "data.number6.value is not a number" },
        { "phrase5", "还款日已经到了", "data.phrase5.value is not at most 5 Chinese characters" },
        { "character_string4", new string('A', 33), "data.character_string4.value is not at most 32" },
        { "character_string4", "中文", "data.character_string4.value is not at most 32" },
        { "name7", "张三李四王五赵六钱七孙", "data.name7.value exceeds 10 Chinese characters" },
        { "time8", "25:00", "data.time8.value is not a 24-hour time" },
    };

    [Theory]
    [MemberData(nameof(BrokenValues))]
    public async Task A_value_that_breaks_its_key_s_rule_is_refused_47003_naming_the_field(string key, string value, string says)
    {
        var openId = await OpenIdAsync("code_" + Guid.NewGuid().ToString("N"));

        var reply = await SendAsync(openId, new Dictionary<string, object> { ["thing9"] = new { value = "还款提醒" }, [key] = new { value } });

        WeChatJson.AssertError(reply, 47003, "argument invalid! " + says);
        Assert.Empty(await OutboxAsync(openId));
    }

    [Theory]
    [InlineData("time1", "15:01")]
    [InlineData("time1", "2026年3月10日 15:01")]
    [InlineData("date1", "2026-03-10")]
    [InlineData("date1", "2026.3.10 08:00~2026.3.11 08:00")]
    [InlineData("amount1", "100元")]
    [InlineData("amount1", "￥0.50")]
    [InlineData("name1", "Zhang San")]
    [InlineData("phone_number1", "+86-13800138000")]
    [InlineData("number1", "3.5")]
    [InlineData("symbol1", "%")]
    [InlineData("letter1", "ABC")]
    public async Task Values_in_the_formats_WeChat_allows_pass(string key, string value)
    {
        WeChatJson.AssertOk(await SendAsync(await OpenIdAsync("code_" + Guid.NewGuid().ToString("N")), new Dictionary<string, object> { [key] = new { value } }));
    }

    [Fact]
    public async Task A_token_the_sandbox_never_issued_is_invalid_and_the_magic_tokens_answer_as_elsewhere()
    {
        var openId = await OpenIdAsync("code_" + Guid.NewGuid().ToString("N"));

        WeChatJson.AssertError(await SendAsync(openId, Due(), token: "sandbox_never_issued"), 40001, "invalid credential");
        WeChatJson.AssertError(await SendAsync(openId, Due(), token: "sandbox_invalid_token"), 40001, "invalid credential");
        WeChatJson.AssertError(await SendAsync(openId, Due(), token: "sandbox_expired_token"), 42001, "access_token expired");
        Assert.Empty(await OutboxAsync(openId));
    }

    [Fact]
    public async Task Without_touser_template_id_or_with_an_empty_page_the_message_is_refused()
    {
        var token = await TokenAsync();
        async Task<JsonElement> PostAsync(object body)
        {
            using var response = await sandbox.Client.PostAsJsonAsync(new Uri($"/cgi-bin/message/subscribe/send?access_token={token}", UriKind.Relative), body);
            return await WeChatJson.ReadAsync(response);
        }

        WeChatJson.AssertError(await PostAsync(new { template_id = "t", data = Due() }), 40003, "invalid openid");
        WeChatJson.AssertError(await PostAsync(new { touser = "o_x", template_id = "", data = Due() }), 40037, "invalid template_id");
        WeChatJson.AssertError(await PostAsync(new { touser = "o_x", template_id = "t", page = "", data = Due() }), 41030, "invalid page");
        WeChatJson.AssertOk(await SendAsync("o_x_" + Guid.NewGuid().ToString("N")[..8], Due(), page: null));
    }

    [Fact]
    public async Task The_outbox_wants_a_recipient()
    {
        using var response = await sandbox.Client.GetAsync(new Uri("/sandbox/outbox", UriKind.Relative));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }
}
