using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;

namespace HeadlessLoan.Sandbox.Tests;

/// <summary>
/// The sandbox playing WeChat Pay v3, spoken to as a merchant would: requests signed with the test merchant key, each
/// answer's signature checked with the test key its <c>Wechatpay-Serial</c> names (docs/sandbox.md, WeChat Pay).
/// </summary>
public sealed class WeChatPayTests(SandboxFixture sandbox) : IClassFixture<SandboxFixture>
{
    private const string MchId = "1900000109";
    private const string MerchantSerial = "4B3F1E0A9C2D5E6F7A8B9C0D1E2F3A4B5C6D7E8F";
    private const string PlatformSerial = "5A1D2C3B4E5F60718293A4B5C6D7E8F901A2B3C4";
    private const string PublicKeyId = "PUB_KEY_ID_0119000001092026010100000001";

    private static readonly RSA MerchantKey = Imported("merchant-private-key.TEST-ONLY.pem");
    private static readonly RSA PlatformVerifier = X509Certificate2.CreateFromPem(Key("platform-certificate.TEST-ONLY.pem")).GetRSAPublicKey()!;
    private static readonly RSA PublicKeyVerifier = Imported("wechatpay-public-key.TEST-ONLY.pem");

    private sealed record Answer(HttpStatusCode Status, JsonElement? Body, string Serial);

    [Fact]
    public async Task A_signed_order_gets_a_prepay_id_in_an_answer_signed_under_the_serial_it_names()
    {
        var answer = await SendAsync(HttpMethod.Post, "/v3/pay/transactions/jsapi", Order(NewTradeNo(), 100));

        Assert.Equal(HttpStatusCode.OK, answer.Status);
        Assert.StartsWith("wx_sandbox_prepay_", answer.Body!.Value.GetProperty("prepay_id").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Answers_alternate_between_the_platform_certificate_and_the_public_key()
    {
        var serials = new List<string>();
        for (var i = 0; i < 4; i++)
        {
            serials.Add((await SendAsync(HttpMethod.Get, $"/v3/pay/transactions/out-trade-no/T-unknown-{i}?mchid={MchId}")).Serial);
        }

        Assert.Equal(2, serials.Count(s => s == PlatformSerial));
        Assert.Equal(2, serials.Count(s => s == PublicKeyId));
        Assert.All(serials.Zip(serials.Skip(1)), pair => Assert.NotEqual(pair.First, pair.Second));
    }

    [Theory]
    [InlineData("unsigned")]
    [InlineData("body-changed")]
    [InlineData("other-serial")]
    [InlineData("stale")]
    [InlineData("other-key")]
    public async Task A_request_whose_signature_does_not_hold_gets_a_signed_401_sign_error(string spoilt)
    {
        var answer = await SendAsync(HttpMethod.Post, "/v3/pay/transactions/jsapi", Order(NewTradeNo(), 100), spoilt);

        Assert.Equal(HttpStatusCode.Unauthorized, answer.Status);
        Assert.Equal("SIGN_ERROR", answer.Body!.Value.GetProperty("code").GetString());
    }

    [Theory]
    [InlineData(100, "SUCCESS")]
    [InlineData(903, "SUCCESS")]
    [InlineData(904, "PAYERROR")]
    [InlineData(905, "NOTPAY")]
    public async Task The_amount_decides_how_the_order_ends(long fen, string tradeState)
    {
        var tradeNo = NewTradeNo();
        await SendAsync(HttpMethod.Post, "/v3/pay/transactions/jsapi", Order(tradeNo, fen));

        var queried = await SendAsync(HttpMethod.Get, $"/v3/pay/transactions/out-trade-no/{tradeNo}?mchid={MchId}");

        Assert.Equal(HttpStatusCode.OK, queried.Status);
        Assert.Equal(tradeState, queried.Body!.Value.GetProperty("trade_state").GetString());
        Assert.Equal(fen, queried.Body.Value.GetProperty("amount").GetProperty("total").GetInt64());
    }

    [Fact]
    public async Task An_unpaid_order_closes_and_a_paid_one_does_not()
    {
        var unpaid = NewTradeNo();
        var paid = NewTradeNo();
        await SendAsync(HttpMethod.Post, "/v3/pay/transactions/jsapi", Order(unpaid, 905));
        await SendAsync(HttpMethod.Post, "/v3/pay/transactions/jsapi", Order(paid, 903));

        var closed = await SendAsync(HttpMethod.Post, $"/v3/pay/transactions/out-trade-no/{unpaid}/close", $$"""{"mchid":"{{MchId}}"}""");
        var refused = await SendAsync(HttpMethod.Post, $"/v3/pay/transactions/out-trade-no/{paid}/close", $$"""{"mchid":"{{MchId}}"}""");

        Assert.Equal((HttpStatusCode.NoContent, null), (closed.Status, closed.Body));
        Assert.Equal("CLOSED", (await SendAsync(HttpMethod.Get, $"/v3/pay/transactions/out-trade-no/{unpaid}?mchid={MchId}")).Body!.Value.GetProperty("trade_state").GetString());
        Assert.Equal((HttpStatusCode.BadRequest, "ORDERPAID"), (refused.Status, refused.Body!.Value.GetProperty("code").GetString()));
    }

    [Theory]
    [InlineData("""{"appid":"wx_sandbox_app","mchid":"1900000109","description":"d","out_trade_no":"T12345","notify_url":"http://127.0.0.1:1/n","amount":{"total":0},"payer":{"openid":"o"}}""")]
    [InlineData("""{"appid":"wx_sandbox_app","mchid":"1900000109","description":"d","out_trade_no":"T1","notify_url":"http://127.0.0.1:1/n","amount":{"total":1},"payer":{"openid":"o"}}""")]
    [InlineData("""{"appid":"wx_sandbox_app","mchid":"1900000109","out_trade_no":"T12345","notify_url":"http://127.0.0.1:1/n","amount":{"total":1},"payer":{"openid":"o"}}""")]
    [InlineData("""{"appid":"wx_sandbox_app","mchid":"1900000110","description":"d","out_trade_no":"T12345","notify_url":"http://127.0.0.1:1/n","amount":{"total":1},"payer":{"openid":"o"}}""")]
    [InlineData("""{"appid":"wx_sandbox_app","mchid":"1900000109","description":"d","out_trade_no":"T12345","notify_url":"http://127.0.0.1:1/n","amount":{"total":1}}""")]
    [InlineData("[]")]
    public async Task An_order_missing_or_breaking_a_field_gets_param_error(string body)
    {
        var answer = await SendAsync(HttpMethod.Post, "/v3/pay/transactions/jsapi", body);

        Assert.Equal((HttpStatusCode.BadRequest, "PARAM_ERROR"), (answer.Status, answer.Body!.Value.GetProperty("code").GetString()));
    }

    [Fact]
    public async Task A_refund_of_the_magic_amount_ends_abnormal_and_one_beyond_the_order_is_refused()
    {
        var tradeNo = NewTradeNo();
        await SendAsync(HttpMethod.Post, "/v3/pay/transactions/jsapi", Order(tradeNo, 10_000));
        var refundNo = "R" + tradeNo;

        var accepted = await SendAsync(HttpMethod.Post, "/v3/refund/domestic/refunds", Refund(tradeNo, refundNo, 909, 10_000));
        var queried = await SendAsync(HttpMethod.Get, $"/v3/refund/domestic/refunds/{refundNo}");
        var tooMuch = await SendAsync(HttpMethod.Post, "/v3/refund/domestic/refunds", Refund(tradeNo, refundNo + "b", 9_092, 10_000));

        Assert.Equal("PROCESSING", accepted.Body!.Value.GetProperty("status").GetString());
        Assert.Equal("ABNORMAL", queried.Body!.Value.GetProperty("status").GetString());
        Assert.Equal((HttpStatusCode.BadRequest, "INVALID_REQUEST"), (tooMuch.Status, tooMuch.Body!.Value.GetProperty("code").GetString()));
    }

    [Fact]
    public async Task A_refund_of_the_closed_magic_amount_ends_closed_and_gives_the_order_its_refundable_amount_back()
    {
        var tradeNo = NewTradeNo();
        await SendAsync(HttpMethod.Post, "/v3/pay/transactions/jsapi", Order(tradeNo, 1_000));
        var refundNo = "R" + tradeNo;

        var accepted = await SendAsync(HttpMethod.Post, "/v3/refund/domestic/refunds", Refund(tradeNo, refundNo, 908, 1_000));
        var queried = await SendAsync(HttpMethod.Get, $"/v3/refund/domestic/refunds/{refundNo}");
        var order = await SendAsync(HttpMethod.Get, $"/v3/pay/transactions/out-trade-no/{tradeNo}?mchid={MchId}");
        // Nothing was paid out: the whole order can still be refunded.
        var whole = await SendAsync(HttpMethod.Post, "/v3/refund/domestic/refunds", Refund(tradeNo, refundNo + "b", 1_000, 1_000));

        Assert.Equal("PROCESSING", accepted.Body!.Value.GetProperty("status").GetString());
        Assert.Equal("CLOSED", queried.Body!.Value.GetProperty("status").GetString());
        Assert.False(queried.Body.Value.TryGetProperty("success_time", out _));
        Assert.Equal("SUCCESS", order.Body!.Value.GetProperty("trade_state").GetString());
        Assert.Equal((HttpStatusCode.OK, "PROCESSING"), (whole.Status, whole.Body!.Value.GetProperty("status").GetString()));
    }

    [Fact]
    public async Task A_refund_of_an_unknown_or_unpaid_order_is_refused()
    {
        var unpaid = NewTradeNo();
        await SendAsync(HttpMethod.Post, "/v3/pay/transactions/jsapi", Order(unpaid, 905));

        var unknown = await SendAsync(HttpMethod.Post, "/v3/refund/domestic/refunds", Refund("T-never-0001", "R-never-0001", 1, 1));
        var notPaid = await SendAsync(HttpMethod.Post, "/v3/refund/domestic/refunds", Refund(unpaid, "R" + unpaid, 1, 905));

        Assert.Equal((HttpStatusCode.NotFound, "RESOURCE_NOT_EXISTS"), (unknown.Status, unknown.Body!.Value.GetProperty("code").GetString()));
        Assert.Equal((HttpStatusCode.BadRequest, "INVALID_REQUEST"), (notPaid.Status, notPaid.Body!.Value.GetProperty("code").GetString()));
    }

    [Theory]
    [InlineData("""{"out_trade_no":"T-never-0001"}""", HttpStatusCode.NotFound)]
    [InlineData("""{"out_trade_no":"T-never-0001","variant":"upside-down"}""", HttpStatusCode.BadRequest)]
    [InlineData("not json", HttpStatusCode.BadRequest)]
    public async Task Resending_needs_a_paid_order_and_a_known_variant(string body, HttpStatusCode status)
    {
        using var answer = await sandbox.Client.PostAsync(new Uri("/sandbox/wechatpay/notifications/resend", UriKind.Relative),
            new StringContent(body, Encoding.UTF8, "application/json"));

        Assert.Equal(status, answer.StatusCode);
    }

    private static string NewTradeNo() => "T" + Guid.NewGuid().ToString("N")[..24];

    private static string Order(string tradeNo, long fen) =>
        $$$"""{"appid":"wx_sandbox_app","mchid":"{{{MchId}}}","description":"还款","out_trade_no":"{{{tradeNo}}}","notify_url":"http://127.0.0.1:9/notify","amount":{"total":{{{fen}}},"currency":"CNY"},"payer":{"openid":"o_sandbox_test"}}""";

    private static string Refund(string tradeNo, string refundNo, long fen, long total) =>
        $$$"""{"out_trade_no":"{{{tradeNo}}}","out_refund_no":"{{{refundNo}}}","amount":{"refund":{{{fen}}},"total":{{{total}}},"currency":"CNY"}}""";

    /// <summary>Sends a request signed as a merchant (or spoilt as <paramref name="spoilt"/> says) and checks the answer's signature.</summary>
    private async Task<Answer> SendAsync(HttpMethod method, string pathAndQuery, string? body = null, string spoilt = "")
    {
        using var request = new HttpRequestMessage(method, new Uri(pathAndQuery, UriKind.Relative));
        var timestamp = (DateTimeOffset.UtcNow.ToUnixTimeSeconds() - (spoilt == "stale" ? 600 : 0)).ToString(CultureInfo.InvariantCulture);
        const string nonce = "593BEC0C930BF1AFEB40B4A08C8FB242";
        using var otherKey = RSA.Create(2048);
        var signer = spoilt == "other-key" ? otherKey : MerchantKey;
        var signature = Convert.ToBase64String(signer.SignData(Encoding.UTF8.GetBytes($"{method.Method}\n{pathAndQuery}\n{timestamp}\n{nonce}\n{body}\n"),
            HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1));
        var serial = spoilt == "other-serial" ? "0000000000000000000000000000000000000001" : MerchantSerial;
        if (spoilt != "unsigned")
        {
            request.Headers.TryAddWithoutValidation("Authorization",
                $"WECHATPAY2-SHA256-RSA2048 mchid=\"{MchId}\",nonce_str=\"{nonce}\",timestamp=\"{timestamp}\",serial_no=\"{serial}\",signature=\"{signature}\"");
        }

        if (body is not null)
        {
            request.Content = new StringContent(spoilt == "body-changed" ? body.Replace("还款", "还款!", StringComparison.Ordinal) : body, Encoding.UTF8, "application/json");
        }

        using var response = await sandbox.Client.SendAsync(request);
        var bytes = await response.Content.ReadAsByteArrayAsync();
        var answerSerial = AssertSigned(response, bytes);
        return new Answer(response.StatusCode, bytes.Length == 0 ? null : JsonDocument.Parse(bytes).RootElement.Clone(), answerSerial);
    }

    private static string AssertSigned(HttpResponseMessage response, byte[] body)
    {
        string Header(string name) => response.Headers.GetValues(name).Single();
        var serial = Header("Wechatpay-Serial");
        var verifier = serial switch
        {
            PlatformSerial => PlatformVerifier,
            PublicKeyId => PublicKeyVerifier,
            _ => throw new Xunit.Sdk.XunitException($"answer signed under unknown serial {serial}"),
        };
        var head = Encoding.UTF8.GetBytes($"{Header("Wechatpay-Timestamp")}\n{Header("Wechatpay-Nonce")}\n");
        byte[] message = [.. head, .. body, (byte)'\n'];
        Assert.True(verifier.VerifyData(message, Convert.FromBase64String(Header("Wechatpay-Signature")), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1),
            "the answer's signature does not verify");
        Assert.InRange(long.Parse(Header("Wechatpay-Timestamp"), CultureInfo.InvariantCulture), DateTimeOffset.UtcNow.ToUnixTimeSeconds() - 60, DateTimeOffset.UtcNow.ToUnixTimeSeconds() + 1);
        return serial;
    }

    private static string Key(string file) => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "wechatpay-test-keys", file));

    /// <summary>A PEM key, private or public, as an RSA instance.</summary>
    private static RSA Imported(string file)
    {
        var key = RSA.Create();
        key.ImportFromPem(Key(file));
        return key;
    }
}
