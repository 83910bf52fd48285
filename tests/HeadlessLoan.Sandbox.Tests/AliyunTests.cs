using System.Globalization;
using System.Net;
using System.Text.Json;
using static HeadlessLoan.Sandbox.Tests.AliyunSigning;

namespace HeadlessLoan.Sandbox.Tests;

/// <summary>A sandbox whose Aliyun takes <see cref="Delay"/> over receipts and calls.</summary>
public sealed class AliyunSandboxFixture : IDisposable
{
    /// <summary>
    /// Not the default, so the tests show the setting is what Aliyun waits; long enough that a query sent right after
    /// a call is placed arrives before it on a loaded machine (600 ms did not, now and then).
    /// </summary>
    public static readonly TimeSpan Delay = TimeSpan.FromMilliseconds(1500);

    public AliyunSandboxFixture()
    {
        var port = SandboxFixture.FreeLoopbackPort();
        Server = SandboxServer.Start(port, aliyun: new Aliyun.AliyunSandboxSettings { Delay = Delay });
        Client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
    }

    public WireMock.Server.WireMockServer Server { get; }

    public HttpClient Client { get; }

    public void Dispose()
    {
        Client.Dispose();
        Server.Stop();
        Server.Dispose();
    }
}

/// <summary>The sandbox playing Aliyun SMS and voice notifications, spoken to as an integrator would (docs/sandbox.md, SMS and voice).</summary>
public sealed class AliyunTests(AliyunSandboxFixture aliyun) : IClassFixture<AliyunSandboxFixture>
{
    private const string Sms = "/aliyun/dysms/";
    private const string Voice = "/aliyun/dyvms/";

    private static readonly string Today = DateTimeOffset.UtcNow.ToOffset(TimeSpan.FromHours(8)).ToString("yyyyMMdd", CultureInfo.InvariantCulture);

    private Task<Answer> SendSmsAsync(string number, string outId) => CallAsync(aliyun.Client, Sms, Signed("POST", "SendSms", new()
    {
        ["PhoneNumbers"] = number, ["SignName"] = "沙箱贷", ["TemplateCode"] = "SMS_100001",
        ["TemplateParam"] = """{"name":"张三","amount":"100.00"}""", ["OutId"] = outId,
    }));

    private async Task<JsonElement[]> QueryAsync(string number) =>
        (await CallAsync(aliyun.Client, Sms, Signed("POST", "QuerySendDetails", new()
        {
            ["PhoneNumber"] = number, ["SendDate"] = Today, ["PageSize"] = "10", ["CurrentPage"] = "1",
        }))).Body.GetProperty("SmsSendDetailDTOs").GetProperty("SmsSendDetailDTO").EnumerateArray().ToArray();

    private Task<Answer> PlaceCallAsync(string number, string outId) => AliyunSigning.CallAsync(aliyun.Client, Voice, Signed("POST", "SingleCallByTts", new()
    {
        ["CalledShowNumber"] = "057100000000", ["CalledNumber"] = number, ["TtsCode"] = "TTS_100001",
        ["TtsParam"] = """{"amount":"100.00"}""", ["OutId"] = outId,
    }));

    private async Task<JsonElement?> CallDetailAsync(string callId)
    {
        var answer = await AliyunSigning.CallAsync(aliyun.Client, Voice, Signed("POST", "QueryCallDetailByCallId", new()
        {
            ["CallId"] = callId, ["ProdId"] = "11000000300006",
            ["QueryDate"] = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture),
        }));
        Assert.Equal("OK", answer.Code);
        return answer.Body.TryGetProperty("Data", out var data) && data.ValueKind == JsonValueKind.String
            ? JsonDocument.Parse(data.GetString()!).RootElement.Clone()
            : null;
    }

    private async Task<JsonElement[]> OutboxAsync(string to)
    {
        using var response = await aliyun.Client.GetAsync(new Uri("/sandbox/outbox?to=" + Uri.EscapeDataString(to), UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return document.RootElement.EnumerateArray().Select(e => e.Clone()).ToArray();
    }

    public static TheoryData<string, int, string, int?, string?> SmsNumbers => new()
    {
        // last four digits, HTTP status, Code, SendStatus at the end (null: not recorded), ErrCode at the end
        { "1234", 200, "OK", 3, "DELIVRD" },
        { "9001", 200, "isv.MOBILE_NUMBER_ILLEGAL", null, null },
        { "9002", 200, "OK", 2, "MK:0001" },
        { "9003", 200, "isv.BUSINESS_LIMIT_CONTROL", null, null },
        { "9004", 200, "OK", 1, "" },
        { "9005", 503, "ServiceUnavailable", 3, "DELIVRD" },
    };

    [Theory]
    [MemberData(nameof(SmsNumbers))]
    public async Task The_last_four_digits_of_the_number_decide_how_an_SMS_is_answered_and_what_its_receipt_says(
        string lastFour, int status, string code, int? sendStatus, string? errCode)
    {
        var number = Number(lastFour);
        var outId = "out-" + Guid.NewGuid().ToString("N")[..12];

        var sent = await SendSmsAsync(number, outId);
        var waiting = await QueryAsync(number);
        await Task.Delay(AliyunSandboxFixture.Delay + TimeSpan.FromMilliseconds(300));
        var ended = await QueryAsync(number);

        Assert.Equal(status, (int)sent.Status);
        Assert.Equal(code, sent.Code);
        Assert.Equal(code == "OK", sent.Body.TryGetProperty("BizId", out _));
        if (sendStatus is null)
        {
            Assert.Empty(ended);
            Assert.Empty(await OutboxAsync(number));
            return;
        }

        var row = Assert.Single(ended);
        Assert.Equal(1, Assert.Single(waiting).GetProperty("SendStatus").GetInt32());
        Assert.Equal(sendStatus, row.GetProperty("SendStatus").GetInt32());
        Assert.Equal(errCode, row.GetProperty("ErrCode").GetString());
        Assert.Equal(outId, row.GetProperty("OutId").GetString());
        Assert.Equal(number, row.GetProperty("PhoneNum").GetString());
        Assert.Equal("SMS_100001", row.GetProperty("TemplateCode").GetString());
        var kept = Assert.Single(await OutboxAsync(number));
        Assert.Equal("sms", kept.GetProperty("channel").GetString());
        Assert.Equal(outId, kept.GetProperty("out_id").GetString());
        Assert.Equal("张三", kept.GetProperty("params").GetProperty("name").GetString());
        Assert.Equal(status == 503, kept.GetProperty("answer_lost").GetBoolean());
    }

    [Fact]
    public async Task QuerySendDetails_by_BizId_finds_only_that_message()
    {
        var number = Number("1234");
        var first = await SendSmsAsync(number, "a");
        await SendSmsAsync(number, "b");

        var answer = await AliyunSigning.CallAsync(aliyun.Client, Sms, Signed("POST", "QuerySendDetails", new()
        {
            ["PhoneNumber"] = number, ["SendDate"] = Today, ["PageSize"] = "10", ["CurrentPage"] = "1",
            ["BizId"] = first.Body.GetProperty("BizId").GetString()!,
        }));

        Assert.Equal("1", answer.Body.GetProperty("TotalCount").GetString());
        Assert.Equal("a", Assert.Single(answer.Body.GetProperty("SmsSendDetailDTOs").GetProperty("SmsSendDetailDTO").EnumerateArray()).GetProperty("OutId").GetString());
        Assert.Equal(2, (await OutboxAsync(number)).Length);
    }

    public static TheoryData<string, int, string, string?, bool> VoiceNumbers => new()
    {
        // last four digits, HTTP status, Code, state at the end (null: no call), answered
        { "1234", 200, "OK", "200000", true },
        { "9101", 200, "OK", "200003", false },
        { "9102", 200, "isv.MOBILE_NUMBER_ILLEGAL", null, false },
        { "9103", 200, "OK", "200002", false },
        { "9105", 503, "ServiceUnavailable", null, false },
    };

    [Theory]
    [MemberData(nameof(VoiceNumbers))]
    public async Task The_last_four_digits_of_the_number_decide_how_a_call_is_answered_and_how_it_ends(
        string lastFour, int status, string code, string? state, bool answered)
    {
        var number = Number(lastFour);
        var outId = "call-" + Guid.NewGuid().ToString("N")[..12];

        var placed = await PlaceCallAsync(number, outId);

        Assert.Equal(status, (int)placed.Status);
        Assert.Equal(code, placed.Code);
        var kept = await OutboxAsync(number);
        if (code != "OK")
        {
            // A lost answer still placed the call: the outbox shows it, with nothing to query it by.
            Assert.Equal(status == 503 ? 1 : 0, kept.Length);
            return;
        }

        var callId = placed.Body.GetProperty("CallId").GetString()!;
        var during = await CallDetailAsync(callId);
        await Task.Delay(AliyunSandboxFixture.Delay + TimeSpan.FromMilliseconds(300));
        var after = await CallDetailAsync(callId);

        Assert.Equal("", during!.Value.GetProperty("state").GetString());
        Assert.Equal(state, after!.Value.GetProperty("state").GetString());
        Assert.Equal(answered, after.Value.GetProperty("duration").GetInt32() > 0);
        Assert.Equal(callId, Assert.Single(kept).GetProperty("id").GetString());
        Assert.Equal("voice", kept[0].GetProperty("channel").GetString());
        Assert.Equal("TTS_100001", kept[0].GetProperty("template").GetString());
    }

    [Fact]
    public async Task An_unknown_CallId_has_no_detail()
    {
        Assert.Null(await CallDetailAsync("123456789012^12345678901"));
    }

    [Fact]
    public async Task A_request_signed_under_another_secret_is_refused_and_nothing_is_sent()
    {
        var number = Number("1234");
        var answer = await AliyunSigning.CallAsync(aliyun.Client, Sms, Signed("POST", "SendSms", new()
        {
            ["PhoneNumbers"] = number, ["SignName"] = "沙箱贷", ["TemplateCode"] = "SMS_100001", ["TemplateParam"] = "{}",
        }, secret: "not-the-sandbox-secret-0000000000"));

        Assert.Equal(HttpStatusCode.BadRequest, answer.Status);
        Assert.Equal("SignatureDoesNotMatch", answer.Code);
        Assert.Empty(await OutboxAsync(number));
    }

    [Fact]
    public async Task A_changed_parameter_breaks_the_signature()
    {
        var signed = Signed("POST", "SendSms", new()
        {
            ["PhoneNumbers"] = Number("1234"), ["SignName"] = "沙箱贷", ["TemplateCode"] = "SMS_100001", ["TemplateParam"] = "{}",
        });
        signed["TemplateCode"] = "SMS_100002";

        Assert.Equal("SignatureDoesNotMatch", (await AliyunSigning.CallAsync(aliyun.Client, Sms, signed)).Code);
    }

    [Fact]
    public async Task An_unknown_access_key_a_stale_timestamp_and_a_reused_nonce_are_refused()
    {
        var parameters = new Dictionary<string, string> { ["PhoneNumber"] = Number("1234"), ["SendDate"] = Today, ["PageSize"] = "10", ["CurrentPage"] = "1" };
        var unknown = await AliyunSigning.CallAsync(aliyun.Client, Sms, Signed("POST", "QuerySendDetails", parameters, accessKeyId: "LTAI_SOMEONE_ELSE"));
        var stale = await AliyunSigning.CallAsync(aliyun.Client, Sms, Signed("POST", "QuerySendDetails", parameters, at: DateTimeOffset.UtcNow.AddMinutes(-20)));
        var nonce = Guid.NewGuid().ToString();
        var first = await AliyunSigning.CallAsync(aliyun.Client, Sms, Signed("POST", "QuerySendDetails", parameters, nonce: nonce));
        var again = await AliyunSigning.CallAsync(aliyun.Client, Sms, Signed("POST", "QuerySendDetails", parameters, nonce: nonce));

        Assert.Equal((HttpStatusCode.NotFound, "InvalidAccessKeyId.NotFound"), (unknown.Status, unknown.Code));
        Assert.Equal("InvalidTimeStamp.Expired", stale.Code);
        Assert.Equal("OK", first.Code);
        Assert.Equal("SignatureNonceUsed", again.Code);
    }

    [Fact]
    public async Task A_GET_with_the_parameters_in_the_query_works_like_a_form_POST()
    {
        var number = Number("1234");
        var answer = await AliyunSigning.CallAsync(aliyun.Client, Sms, Signed("GET", "SendSms", new()
        {
            ["PhoneNumbers"] = number, ["SignName"] = "沙箱贷", ["TemplateCode"] = "SMS_100001", ["TemplateParam"] = """{"a":"1,2"}""", ["OutId"] = "g",
        }), get: true);

        Assert.Equal("OK", answer.Code);
        Assert.Equal("1,2", Assert.Single(await OutboxAsync(number)).GetProperty("params").GetProperty("a").GetString());
    }

    [Fact]
    public async Task An_action_of_the_other_product_is_not_found()
    {
        var answer = await AliyunSigning.CallAsync(aliyun.Client, Voice, Signed("POST", "SendSms", new() { ["PhoneNumbers"] = Number("1234") }));

        Assert.Equal((HttpStatusCode.NotFound, "InvalidAction.NotFound"), (answer.Status, answer.Code));
    }
}
