using System.Net.Http.Headers;
using System.Text;
using HeadlessLoan.Api.Integrations.Bank;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using static HeadlessLoan.Api.Tests.Bank.BankTestSettings;

namespace HeadlessLoan.Api.Tests.Bank;

public sealed class BankSignatureTests
{
    private static readonly DateTimeOffset Now = new(2026, 3, 2, 1, 0, 0, TimeSpan.Zero);
    private const string PreviousSecret = "the-callback-secret-before-0001";

    [Fact]
    public void A_request_is_signed_over_method_path_timestamp_nonce_and_body_as_an_independent_hmac_computes_it()
    {
        // Computed apart, with: printf 'POST\n/bank/v1/payouts\n1772413200\n593BEC0C930BF1AFEB40B4A08C8FB242\n{"payout_no":"P1","amount":100}\n'
        //   | openssl dgst -sha256 -hmac 'sandbox-test-only-bank-api-secret-0001' -binary | base64
        var message = BankSignatures.RequestMessage("POST", "/bank/v1/payouts", "1772413200", "593BEC0C930BF1AFEB40B4A08C8FB242",
            """{"payout_no":"P1","amount":100}"""u8);

        Assert.Equal("POST\n/bank/v1/payouts\n1772413200\n593BEC0C930BF1AFEB40B4A08C8FB242\n{\"payout_no\":\"P1\",\"amount\":100}\n", Encoding.UTF8.GetString(message));
        Assert.Equal("KrW/HWUaCcM2sOgKGFEG6XtgvpjbOKiuyw8v8T+heJ4=", BankSignatures.Sign(ApiSecret, message));
    }

    [Fact]
    public void The_banks_signature_computed_apart_verifies()
    {
        // printf '1772413200\n593BEC0C930BF1AFEB40B4A08C8FB242\n{"payout_no":"P1","state":"SUCCEEDED"}\n'
        //   | openssl dgst -sha256 -hmac 'sandbox-test-only-bank-callback-secret-0001' -binary | base64
        var headers = new BankSignatureHeaders("1772413200", "593BEC0C930BF1AFEB40B4A08C8FB242", "UYJvydhgBiaQQUvXGtLf3rVM9KDWDZLQUV+vqJOgBMM=");

        Assert.Null(BankSignatures.Check(Options(), headers, """{"payout_no":"P1","state":"SUCCEEDED"}"""u8, Now));
    }

    [Fact]
    public void A_request_carries_the_merchant_the_current_time_a_fresh_nonce_and_a_signature_over_them()
    {
        using var first = new HttpRequestMessage();
        using var second = new HttpRequestMessage();
        var clock = new FakeTimeProvider(Now);
        var body = """{"payout_no":"P1"}"""u8.ToArray();

        BankSignatures.SignRequest(first.Headers, Options(), clock, "POST", "/bank/v1/payouts", body);
        BankSignatures.SignRequest(second.Headers, Options(), clock, "POST", "/bank/v1/payouts", body);

        string Header(HttpRequestHeaders h, string name) => h.GetValues(name).Single();
        Assert.Equal(MerchantId, Header(first.Headers, BankSignatureHeaders.MerchantHeader));
        Assert.Equal("1772413200", Header(first.Headers, BankSignatureHeaders.TimestampHeader));
        var nonce = Header(first.Headers, BankSignatureHeaders.NonceHeader);
        Assert.NotEqual(nonce, Header(second.Headers, BankSignatureHeaders.NonceHeader));
        Assert.Equal(BankSignatures.Sign(ApiSecret, BankSignatures.RequestMessage("POST", "/bank/v1/payouts", "1772413200", nonce, body)),
            Header(first.Headers, BankSignatureHeaders.SignatureHeader));
    }

    [Fact]
    public void A_callback_signed_now_under_the_callback_secret_gives_its_payout()
    {
        var body = Payout("P-42", "FAILED");

        var result = Verifier(Options()).Verify(body, Sign(body, Now));

        Assert.True(result.IsAccepted);
        Assert.Equal(204, result.StatusCode);
        Assert.Equal(new PayoutResult("P-42", PayoutState.Failed, "BR00000000000000000042", null, null, new DateTimeOffset(2026, 3, 2, 9, 0, 0, TimeSpan.FromHours(8))),
            result.Payout);
    }

    [Theory]
    [InlineData(-299)]
    [InlineData(299)]
    public void A_timestamp_just_within_five_minutes_either_way_is_accepted(int seconds) =>
        Assert.Null(BankSignatures.Check(Options(), Sign(Payout(), Now.AddSeconds(seconds)), Payout(), Now));

    [Theory]
    [InlineData(-301)]
    [InlineData(301)]
    [InlineData(-86_400)]
    public void A_stale_or_future_timestamp_is_refused(int seconds) =>
        Assert.Equal(BankRefusal.TimestampOutsideWindow, BankSignatures.Check(Options(), Sign(Payout(), Now.AddSeconds(seconds)), Payout(), Now));

    [Theory]
    [InlineData("")]
    [InlineData("1772413200.5")]
    [InlineData("-1772413200")]
    [InlineData("99999999999999999999")]
    public void A_timestamp_that_is_not_unix_seconds_is_refused(string timestamp) =>
        Assert.Equal(timestamp.Length == 0 ? BankRefusal.SignatureMissing : BankRefusal.TimestampOutsideWindow,
            BankSignatures.Check(Options(), Sign(Payout(), Now) with { Timestamp = timestamp }, Payout(), Now));

    [Fact]
    public void A_signature_under_another_secret_is_refused()
    {
        var result = Verifier(Options()).Verify(Payout(), Sign(Payout(), Now, "not-the-banks-callback-secret"));

        Assert.Equal((BankRefusal.SignatureInvalid, 401, null), (result.Refusal, result.StatusCode, result.Payout));
    }

    [Fact]
    public void Our_api_secret_does_not_sign_for_the_bank() =>
        Assert.Equal(BankRefusal.SignatureInvalid, BankSignatures.Check(Options(), Sign(Payout(), Now, ApiSecret), Payout(), Now));

    [Fact]
    public void A_body_changed_by_one_byte_is_refused()
    {
        var headers = Sign(Payout(), Now);
        var tampered = Payout();
        tampered[^3] ^= 0x01;

        Assert.Equal(BankRefusal.SignatureInvalid, BankSignatures.Check(Options(), headers, tampered, Now));
    }

    [Theory]
    [InlineData("not base64!")]
    [InlineData("AAAA")]
    public void A_signature_that_is_not_base64_of_32_bytes_is_refused(string signature) =>
        Assert.Equal(BankRefusal.SignatureInvalid, BankSignatures.Check(Options(), Sign(Payout(), Now) with { Signature = signature }, Payout(), Now));

    public static TheoryData<string> SignatureHeaderNames => new() { "timestamp", "nonce", "signature" };

    [Theory]
    [MemberData(nameof(SignatureHeaderNames))]
    public void A_missing_header_is_refused(string missing)
    {
        var signed = Sign(Payout(), Now);
        var headers = missing switch
        {
            "timestamp" => signed with { Timestamp = null },
            "nonce" => signed with { Nonce = null },
            _ => signed with { Signature = "" },
        };

        Assert.Equal(BankRefusal.SignatureMissing, Verifier(Options()).Verify(Payout(), headers).Refusal);
    }

    [Theory]
    [InlineData("""{"payout_no":"P1","state":"PAID"}""")]
    [InlineData("""{"state":"SUCCEEDED"}""")]
    [InlineData("""{"payout_no":"P1","state":"SUCCEEDED","completed_at":"yesterday"}""")]
    [InlineData("""[]""")]
    [InlineData("""not json""")]
    public void A_signed_body_that_is_not_a_payout_is_refused_as_malformed_with_a_400(string json)
    {
        var body = Encoding.UTF8.GetBytes(json);

        var result = Verifier(Options()).Verify(body, Sign(body, Now));

        Assert.Equal((BankRefusal.BodyMalformed, 400), (result.Refusal, result.StatusCode));
    }

    [Fact]
    public void The_previous_callback_secret_is_accepted_while_it_is_set()
    {
        var rotating = Options() with { CallbackSecret = "the-callback-secret-after-0002", PreviousCallbackSecret = PreviousSecret };

        Assert.Null(BankSignatures.Check(rotating, Sign(Payout(), Now, PreviousSecret), Payout(), Now));
        Assert.Null(BankSignatures.Check(rotating, Sign(Payout(), Now, "the-callback-secret-after-0002"), Payout(), Now));
        Assert.Equal(BankRefusal.SignatureInvalid, BankSignatures.Check(rotating with { PreviousCallbackSecret = null }, Sign(Payout(), Now, PreviousSecret), Payout(), Now));
        Assert.Equal(BankRefusal.SignatureInvalid, BankSignatures.Check(rotating with { PreviousCallbackSecret = "" }, Sign(Payout(), Now, PreviousSecret), Payout(), Now));
    }

    [Fact]
    public void A_rotation_in_the_configuration_reaches_the_registered_verifier_without_a_restart()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(Settings()).Build();
        using var services = Services(configuration, new FakeTimeProvider(Now));
        var verifier = services.GetRequiredService<BankCallbackVerifier>();
        const string next = "the-callback-secret-after-0002";
        var underOld = Sign(Payout(), Now);
        var underNext = Sign(Payout(), Now, next);
        Assert.True(verifier.Verify(Payout(), underOld).IsAccepted);
        Assert.False(verifier.Verify(Payout(), underNext).IsAccepted);

        configuration["Bank:PreviousCallbackSecret"] = CallbackSecret;
        configuration["Bank:CallbackSecret"] = next;
        configuration.Reload(); // As a changed file or secret store reloads.
        Assert.True(verifier.Verify(Payout(), underOld).IsAccepted);
        Assert.True(verifier.Verify(Payout(), underNext).IsAccepted);

        configuration["Bank:PreviousCallbackSecret"] = null;
        configuration.Reload();
        Assert.Equal(BankRefusal.SignatureInvalid, verifier.Verify(Payout(), underOld).Refusal);
        Assert.True(verifier.Verify(Payout(), underNext).IsAccepted);
    }

    private static BankOptions Options() => new()
    {
        BaseUrl = "http://127.0.0.1:1",
        MerchantId = MerchantId,
        ApiSecret = ApiSecret,
        CallbackSecret = CallbackSecret,
        NotifyUrl = "http://127.0.0.1:1/v1/webhooks/bank",
    };

    private static BankCallbackVerifier Verifier(BankOptions options) => new(new FixedMonitor(options), new FakeTimeProvider(Now));

    private sealed class FixedMonitor(BankOptions options) : Microsoft.Extensions.Options.IOptionsMonitor<BankOptions>
    {
        public BankOptions CurrentValue => options;

        public BankOptions Get(string? name) => options;

        public IDisposable? OnChange(Action<BankOptions, string?> listener) => null;
    }
}
