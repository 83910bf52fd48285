using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using static HeadlessLoan.Sandbox.Tests.BankSigning;

namespace HeadlessLoan.Sandbox.Tests;

/// <summary>A sandbox whose bank takes <see cref="Delay"/> over its slow payouts, and a notify_url that keeps the callbacks.</summary>
public sealed class BankSandboxFixture : IDisposable
{
    /// <summary>Not the default, so the tests show the setting is what the bank waits.</summary>
    public static readonly TimeSpan Delay = TimeSpan.FromMilliseconds(1200);

    public BankSandboxFixture()
    {
        var port = SandboxFixture.FreeLoopbackPort();
        Server = SandboxServer.Start(port, bank: new Bank.BankSandboxSettings { Delay = Delay });
        Client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
    }

    public WireMock.Server.WireMockServer Server { get; }

    public HttpClient Client { get; }

    public BankCallbackReceiver Receiver { get; } = new();

    public void Dispose()
    {
        Client.Dispose();
        Server.Stop();
        Server.Dispose();
        Receiver.Dispose();
    }
}

/// <summary>
/// The sandbox playing the payout bank, spoken to as a merchant would: requests signed under the test merchant's API
/// secret, every answer's and callback's signature checked under its callback secret (docs/sandbox.md, Bank).
/// </summary>
public sealed class BankTests(BankSandboxFixture bank) : IClassFixture<BankSandboxFixture>
{
    private static readonly TimeSpan Delay = BankSandboxFixture.Delay;

    private sealed record Answer(HttpStatusCode Status, JsonElement Body);

    public static TheoryData<long, string, string, string?, int> MagicAmounts => new()
    {
        // amount, state in the answer, state in the end, failure code, callbacks
        { 12_345, "SUCCEEDED", "SUCCEEDED", null, 1 },
        { 10_001, "FAILED", "FAILED", "ACCOUNT_INVALID", 0 },
        { 10_002, "PROCESSING", "SUCCEEDED", null, 1 },
        { 10_003, "PROCESSING", "FAILED", "ACCOUNT_FROZEN", 1 },
        { 10_004, "PROCESSING", "SUCCEEDED", null, 0 },
        { 10_005, "PROCESSING", "SUCCEEDED", null, 3 },
        // Only the last three digits count.
        { 7_000_002, "PROCESSING", "SUCCEEDED", null, 1 },
        { 1_000, "SUCCEEDED", "SUCCEEDED", null, 1 },
    };

    [Theory]
    [MemberData(nameof(MagicAmounts))]
    public async Task The_last_three_digits_of_the_amount_decide_how_the_payout_ends_and_what_calls_back(
        long amount, string answered, string ending, string? failureCode, int callbacks)
    {
        var payoutNo = NewPayoutNo();
        var sent = bank.Receiver.Now;
        var watch = Stopwatch.StartNew();

        var submitted = await SendAsync(HttpMethod.Post, "/bank/v1/payouts", Payout(payoutNo, amount));
        var queried = await SendAsync(HttpMethod.Get, QueryPath(payoutNo));
        var queriedAt = watch.Elapsed;

        Assert.Equal(HttpStatusCode.OK, submitted.Status);
        Assert.Equal(answered, submitted.Body.GetProperty("state").GetString());
        Assert.Equal(payoutNo, submitted.Body.GetProperty("payout_no").GetString());
        if (answered == "PROCESSING" && queriedAt < Delay)
        {
            Assert.Equal("PROCESSING", queried.Body.GetProperty("state").GetString());
            Assert.Equal(JsonValueKind.Null, queried.Body.GetProperty("completed_at").ValueKind);
        }

        // Whatever is to come has come after the delay and a margin; more copies than announced would be there by then.
        var rest = Delay + TimeSpan.FromMilliseconds(800) - watch.Elapsed;
        if (rest > TimeSpan.Zero)
        {
            await Task.Delay(rest);
        }

        var received = await bank.Receiver.ForPayoutAsync(payoutNo, callbacks, TimeSpan.FromSeconds(5));
        var ended = (await SendAsync(HttpMethod.Get, QueryPath(payoutNo))).Body;

        Assert.Equal(ending, ended.GetProperty("state").GetString());
        Assert.Equal(failureCode, ended.GetProperty("failure_code").GetString());
        Assert.Equal(failureCode is null, ended.GetProperty("failure_message").ValueKind == JsonValueKind.Null);
        Assert.Equal(JsonValueKind.String, ended.GetProperty("completed_at").ValueKind);
        if (ending == "SUCCEEDED")
        {
            Assert.Matches("^BR[0-9]{20}$", ended.GetProperty("bank_reference").GetString());
        }
        else
        {
            Assert.Equal(JsonValueKind.Null, ended.GetProperty("bank_reference").ValueKind);
        }

        Assert.Equal(callbacks, received.Count);
        foreach (var callback in received)
        {
            AssertBanks(callback.Timestamp, callback.Nonce, callback.Signature, callback.Body);
            Assert.Equal(ended.GetRawText(), Json(callback.Body).GetRawText());
            if (answered == "PROCESSING")
            {
                Assert.True(callback.At - sent >= Delay - TimeSpan.FromMilliseconds(20), $"a callback came {(callback.At - sent).TotalMilliseconds} ms after the payout");
            }
        }
    }

    [Fact]
    public async Task The_same_payout_no_again_answers_the_first_payout_and_pays_once()
    {
        var payoutNo = NewPayoutNo();
        var body = Payout(payoutNo, 10_002);

        var first = await SendAsync(HttpMethod.Post, "/bank/v1/payouts", body);
        var again = await SendAsync(HttpMethod.Post, "/bank/v1/payouts", body);
        var received = await bank.Receiver.ForPayoutAsync(payoutNo, 2, Delay + TimeSpan.FromSeconds(2));
        var afterTheEnd = await SendAsync(HttpMethod.Post, "/bank/v1/payouts", body);

        Assert.Equal((HttpStatusCode.OK, "PROCESSING"), (again.Status, again.Body.GetProperty("state").GetString()));
        Assert.Equal(first.Body.GetRawText(), again.Body.GetRawText());
        Assert.Single(received);
        Assert.Equal((HttpStatusCode.OK, "SUCCEEDED"), (afterTheEnd.Status, afterTheEnd.Body.GetProperty("state").GetString()));
        Assert.Equal(Json(received[0].Body).GetProperty("bank_reference").GetString(), afterTheEnd.Body.GetProperty("bank_reference").GetString());
    }

    [Fact]
    public async Task A_resubmit_with_another_remark_or_notify_url_is_still_the_same_payout()
    {
        var payoutNo = NewPayoutNo();
        var first = await SendAsync(HttpMethod.Post, "/bank/v1/payouts", Payout(payoutNo, 50_000));

        var again = await SendAsync(HttpMethod.Post, "/bank/v1/payouts", Payout(payoutNo, 50_000, remark: "another remark", notifyUrl: "http://127.0.0.1:9/other"));

        Assert.Equal(HttpStatusCode.OK, again.Status);
        Assert.Equal(first.Body.GetProperty("bank_reference").GetString(), again.Body.GetProperty("bank_reference").GetString());
    }

    [Theory]
    [InlineData("amount")]
    [InlineData("account_number")]
    [InlineData("account_name")]
    public async Task Another_payout_under_a_used_payout_no_is_a_409_conflict_and_the_first_stands(string changed)
    {
        var payoutNo = NewPayoutNo();
        var first = await SendAsync(HttpMethod.Post, "/bank/v1/payouts", Payout(payoutNo, 20_000));

        var conflict = await SendAsync(HttpMethod.Post, "/bank/v1/payouts", changed switch
        {
            "amount" => Payout(payoutNo, 20_001),
            "account_number" => Payout(payoutNo, 20_000, account: "6222020300000000426"),
            _ => Payout(payoutNo, 20_000, name: "李四"),
        });
        var queried = await SendAsync(HttpMethod.Get, QueryPath(payoutNo));

        Assert.Equal((HttpStatusCode.Conflict, "PAYOUT_NO_CONFLICT"), (conflict.Status, conflict.Body.GetProperty("code").GetString()));
        Assert.Equal(first.Body.GetRawText(), queried.Body.GetRawText());
    }

    [Theory]
    [InlineData("unsigned")]
    [InlineData("no-nonce")]
    [InlineData("other-secret")]
    [InlineData("other-merchant")]
    [InlineData("stale")]
    [InlineData("future")]
    [InlineData("body-changed")]
    [InlineData("path-changed")]
    [InlineData("not-base64")]
    public async Task A_request_whose_signature_does_not_hold_gets_a_signed_401_sign_error_and_pays_nothing(string spoilt)
    {
        var payoutNo = NewPayoutNo();

        var refused = await SendAsync(HttpMethod.Post, "/bank/v1/payouts", Payout(payoutNo, 10_000), spoilt);

        Assert.Equal((HttpStatusCode.Unauthorized, "SIGN_ERROR"), (refused.Status, refused.Body.GetProperty("code").GetString()));
        Assert.Equal(HttpStatusCode.NotFound, (await SendAsync(HttpMethod.Get, QueryPath(payoutNo))).Status);
    }

    [Fact]
    public async Task A_query_is_signed_over_its_path_and_query_too()
    {
        var refused = await SendAsync(HttpMethod.Get, QueryPath(NewPayoutNo()), spoilt: "path-changed");

        Assert.Equal((HttpStatusCode.Unauthorized, "SIGN_ERROR"), (refused.Status, refused.Body.GetProperty("code").GetString()));
    }

    [Fact]
    public async Task An_unknown_payout_no_is_a_signed_404_and_another_merchant_in_the_query_a_400()
    {
        var unknown = await SendAsync(HttpMethod.Get, QueryPath("P-never-submitted"));
        var otherMerchant = await SendAsync(HttpMethod.Get, "/bank/v1/payouts/P-never-submitted?merchant_id=another_merchant");

        Assert.Equal((HttpStatusCode.NotFound, "PAYOUT_NOT_FOUND"), (unknown.Status, unknown.Body.GetProperty("code").GetString()));
        Assert.Equal((HttpStatusCode.BadRequest, "PARAM_ERROR"), (otherMerchant.Status, otherMerchant.Body.GetProperty("code").GetString()));
    }

    [Theory]
    [InlineData("""{"merchant_id":"another_merchant","payout_no":"P-param-1","account_number":"6222020300000000004","account_name":"张三","amount":100,"remark":"r","notify_url":"http://127.0.0.1:9/n"}""")]
    [InlineData("""{"merchant_id":"sandbox_merchant_0001","payout_no":"P param 2","account_number":"6222020300000000004","account_name":"张三","amount":100,"remark":"r","notify_url":"http://127.0.0.1:9/n"}""")]
    [InlineData("""{"merchant_id":"sandbox_merchant_0001","payout_no":"P-param-3456789012345678901234567","account_number":"6222020300000000004","account_name":"张三","amount":100,"remark":"r","notify_url":"http://127.0.0.1:9/n"}""")]
    [InlineData("""{"merchant_id":"sandbox_merchant_0001","payout_no":"P-param-4","account_number":"6222-0203","account_name":"张三","amount":100,"remark":"r","notify_url":"http://127.0.0.1:9/n"}""")]
    [InlineData("""{"merchant_id":"sandbox_merchant_0001","payout_no":"P-param-5","account_number":"6222020300000000004","account_name":"","amount":100,"remark":"r","notify_url":"http://127.0.0.1:9/n"}""")]
    [InlineData("""{"merchant_id":"sandbox_merchant_0001","payout_no":"P-param-6","account_number":"6222020300000000004","account_name":"张三","amount":0,"remark":"r","notify_url":"http://127.0.0.1:9/n"}""")]
    [InlineData("""{"merchant_id":"sandbox_merchant_0001","payout_no":"P-param-7","account_number":"6222020300000000004","account_name":"张三","amount":100.5,"remark":"r","notify_url":"http://127.0.0.1:9/n"}""")]
    [InlineData("""{"merchant_id":"sandbox_merchant_0001","payout_no":"P-param-8","account_number":"6222020300000000004","account_name":"张三","amount":"100","remark":"r","notify_url":"http://127.0.0.1:9/n"}""")]
    [InlineData("""{"merchant_id":"sandbox_merchant_0001","payout_no":"P-param-9","account_number":"6222020300000000004","account_name":"张三","amount":100,"notify_url":"http://127.0.0.1:9/n"}""")]
    [InlineData("""{"merchant_id":"sandbox_merchant_0001","payout_no":"P-param-10","account_number":"6222020300000000004","account_name":"张三","amount":100,"remark":"r","notify_url":"ftp://127.0.0.1/n"}""")]
    [InlineData("""[]""")]
    [InlineData("""not json""")]
    public async Task A_payout_missing_or_breaking_a_field_is_a_signed_400_param_error(string body)
    {
        var refused = await SendAsync(HttpMethod.Post, "/bank/v1/payouts", body);

        Assert.Equal((HttpStatusCode.BadRequest, "PARAM_ERROR"), (refused.Status, refused.Body.GetProperty("code").GetString()));
    }

    [Fact]
    public async Task A_finished_payouts_callback_is_sent_again_as_asked_and_spoilt_ones_do_not_verify()
    {
        var payoutNo = NewPayoutNo();
        await SendAsync(HttpMethod.Post, "/bank/v1/payouts", Payout(payoutNo, 10_004));
        await Task.Delay(Delay + TimeSpan.FromMilliseconds(200));

        foreach (var variant in new[] { "as-sent", "bad-signature", "stale-timestamp", "unsigned" })
        {
            using var answer = await bank.Client.PostAsync(new Uri("/sandbox/bank/callbacks/resend", UriKind.Relative),
                new StringContent($$"""{"payout_no":"{{payoutNo}}","variant":"{{variant}}"}""", Encoding.UTF8, "application/json"));
            using var reply = JsonDocument.Parse(await answer.Content.ReadAsStringAsync());
            Assert.Equal((HttpStatusCode.OK, 204), (answer.StatusCode, reply.RootElement.GetProperty("status").GetInt32()));
            Assert.Equal(bank.Receiver.Url, reply.RootElement.GetProperty("notify_url").GetString());
        }

        var received = await bank.Receiver.ForPayoutAsync(payoutNo, 4, TimeSpan.FromSeconds(2));
        Assert.Equal(4, received.Count);
        Assert.All(received, c => Assert.Equal("SUCCEEDED", Json(c.Body).GetProperty("state").GetString()));
        AssertBanks(received[0].Timestamp, received[0].Nonce, received[0].Signature, received[0].Body);
        Assert.False(IsBanks(received[1].Timestamp, received[1].Nonce, received[1].Signature, received[1].Body));
        Assert.True(IsBanks(received[2].Timestamp, received[2].Nonce, received[2].Signature, received[2].Body));
        Assert.InRange(DateTimeOffset.UtcNow.ToUnixTimeSeconds() - long.Parse(received[2].Timestamp!, CultureInfo.InvariantCulture), 595, 605);
        Assert.Equal((null, null, null), (received[3].Timestamp, received[3].Nonce, received[3].Signature));
    }

    [Theory]
    [InlineData("""{"payout_no":"P-never-submitted"}""", HttpStatusCode.NotFound)]
    [InlineData("""{"payout_no":"P-never-submitted","variant":"upside-down"}""", HttpStatusCode.BadRequest)]
    [InlineData("not json", HttpStatusCode.BadRequest)]
    public async Task Resending_needs_a_finished_payout_and_a_known_variant(string body, HttpStatusCode status)
    {
        using var answer = await bank.Client.PostAsync(new Uri("/sandbox/bank/callbacks/resend", UriKind.Relative),
            new StringContent(body, Encoding.UTF8, "application/json"));

        Assert.Equal(status, answer.StatusCode);
    }

    [Fact]
    public async Task A_payout_still_processing_has_no_callback_to_send_again()
    {
        var payoutNo = NewPayoutNo();
        await SendAsync(HttpMethod.Post, "/bank/v1/payouts", Payout(payoutNo, 10_004));

        using var answer = await bank.Client.PostAsync(new Uri("/sandbox/bank/callbacks/resend", UriKind.Relative),
            new StringContent($$"""{"payout_no":"{{payoutNo}}"}""", Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.NotFound, answer.StatusCode);
    }

    [Fact]
    public async Task A_sandbox_given_secrets_of_its_own_takes_only_those()
    {
        var port = SandboxFixture.FreeLoopbackPort();
        var own = new Bank.BankSandboxSettings { ApiSecret = "an-api-secret-of-this-test-0001", CallbackSecret = "a-callback-secret-of-this-test-0001" };
        using var server = SandboxServer.Start(port, bank: own);
        using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        const string path = "/bank/v1/payouts/P-never-submitted?merchant_id=" + MerchantId;

        async Task<HttpResponseMessage> QueryAsync(string secret)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(path, UriKind.Relative));
            var timestamp = DateTimeOffset.UtcNow.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
            request.Headers.Add("X-Bank-Merchant", MerchantId);
            request.Headers.Add("X-Bank-Timestamp", timestamp);
            request.Headers.Add("X-Bank-Nonce", "N1");
            request.Headers.Add("X-Bank-Signature", Hmac(secret, $"GET\n{path}\n{timestamp}\nN1\n\n"));
            return await client.SendAsync(request);
        }

        using var published = await QueryAsync(ApiSecret);
        using var its = await QueryAsync(own.ApiSecret);

        Assert.Equal(HttpStatusCode.Unauthorized, published.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, its.StatusCode);
        var body = await its.Content.ReadAsByteArrayAsync();
        string Header(string name) => its.Headers.GetValues(name).Single();
        Assert.False(IsBanks(Header("X-Bank-Timestamp"), Header("X-Bank-Nonce"), Header("X-Bank-Signature"), body));
        Assert.Equal(Hmac(own.CallbackSecret, $"{Header("X-Bank-Timestamp")}\n{Header("X-Bank-Nonce")}\n{Encoding.UTF8.GetString(body)}\n"), Header("X-Bank-Signature"));
    }

    private static string NewPayoutNo() => "P" + Guid.NewGuid().ToString("N")[..24];

    private static string QueryPath(string payoutNo) => $"/bank/v1/payouts/{payoutNo}?merchant_id={MerchantId}";

    private string Payout(string payoutNo, long amount, string account = "6222020300000000004", string name = "张三", string remark = "HeadlessLoan 放款",
        string? notifyUrl = null) =>
        $$"""{"merchant_id":"{{MerchantId}}","payout_no":"{{payoutNo}}","account_number":"{{account}}","account_name":"{{name}}","amount":{{amount}},"remark":"{{remark}}","notify_url":"{{notifyUrl ?? bank.Receiver.Url}}"}""";

    /// <summary>Sends a request signed as the merchant (or spoilt as <paramref name="spoilt"/> says); every answer must be signed by the bank.</summary>
    private async Task<Answer> SendAsync(HttpMethod method, string pathAndQuery, string? body = null, string spoilt = "")
    {
        using var request = new HttpRequestMessage(method, new Uri(pathAndQuery, UriKind.Relative));
        var offset = spoilt switch { "stale" => -310, "future" => 310, _ => 0 };
        var timestamp = (DateTimeOffset.UtcNow.ToUnixTimeSeconds() + offset).ToString(CultureInfo.InvariantCulture);
        const string nonce = "593BEC0C930BF1AFEB40B4A08C8FB242";
        var signedPath = spoilt == "path-changed" ? pathAndQuery + "x" : pathAndQuery;
        var signature = Hmac(spoilt == "other-secret" ? "another-merchants-api-secret-0001" : ApiSecret, $"{method.Method}\n{signedPath}\n{timestamp}\n{nonce}\n{body}\n");
        if (spoilt != "unsigned")
        {
            request.Headers.Add("X-Bank-Merchant", spoilt == "other-merchant" ? "another_merchant" : MerchantId);
            request.Headers.Add("X-Bank-Timestamp", timestamp);
            if (spoilt != "no-nonce")
            {
                request.Headers.Add("X-Bank-Nonce", nonce);
            }

            request.Headers.Add("X-Bank-Signature", spoilt == "not-base64" ? "not base64!" : signature);
        }

        if (body is not null)
        {
            request.Content = new StringContent(spoilt == "body-changed" ? body.Replace("放款", "放款!", StringComparison.Ordinal) : body, Encoding.UTF8, "application/json");
        }

        using var response = await bank.Client.SendAsync(request);
        var bytes = await response.Content.ReadAsByteArrayAsync();
        string? Header(string name) => response.Headers.TryGetValues(name, out var values) ? values.Single() : null;
        AssertBanks(Header("X-Bank-Timestamp"), Header("X-Bank-Nonce"), Header("X-Bank-Signature"), bytes);
        return new Answer(response.StatusCode, Json(bytes));
    }
}
