using System.Text;
using HeadlessLoan.Api.Integrations.WeChatPay;
using Microsoft.Extensions.Time.Testing;
using static HeadlessLoan.Api.Tests.WeChatPay.WeChatPayTestKeys;

namespace HeadlessLoan.Api.Tests.WeChatPay;

public sealed class WeChatPayNotificationTests
{
    private static readonly DateTimeOffset Now = new(2026, 3, 2, 9, 0, 0, TimeSpan.Zero);
    private static readonly byte[] ApiV3KeyBytes = Encoding.UTF8.GetBytes(ApiV3Key);
    private static readonly System.Text.Json.JsonSerializerOptions Indented = new() { WriteIndented = true };

    private readonly WeChatPayNotificationVerifier _verifier = new(new FixedKeyRing(Keys()).Ring, new FakeTimeProvider(Now));

    [Fact]
    public void Aes_256_gcm_matches_the_published_gcm_test_vectors_with_the_tag_at_the_end()
    {
        // McGrew and Viega, "The Galois/Counter Mode of Operation", test cases 13 and 14: a zero 256-bit key and IV.
        var key = new byte[32];
        var iv = new byte[12];

        Assert.Equal([], WeChatPayNotificationVerifier.Decrypt(key, iv, [], Convert.FromHexString("530f8afbc74536b9a963b4f1c4cb738b"))!);
        Assert.Equal(new byte[16], WeChatPayNotificationVerifier.Decrypt(key, iv, [],
            Convert.FromHexString("cea7403d4d606b6e074ec5d3baf39d18" + "d0d1c8a799996bf0265b98b5d48ab919"))!);
        Assert.Null(WeChatPayNotificationVerifier.Decrypt(key, iv, [], Convert.FromHexString("cea7403d4d606b6e074ec5d3baf39d18" + "d0d1c8a799996bf0265b98b5d48ab918")));
    }

    [Fact]
    public void A_notification_signed_and_sealed_as_wechat_pay_does_gives_the_transaction()
    {
        var body = Notification(PaidTransaction);

        var result = _verifier.Verify(body, Sign(body, Now, PublicKeyId));

        Assert.True(result.IsAccepted, result.Refusal.ToString());
        Assert.Equal(204, result.StatusCode);
        Assert.Null(result.FailBody);
        Assert.Equal("TRANSACTION.SUCCESS", result.Event!.EventType);
        Assert.Equal("EV-2018022511223320873", result.Event.Id);
        var transaction = result.Transaction!;
        Assert.Equal("1217752501201407033233368018", transaction.OutTradeNumber);
        Assert.Equal(TradeStates.Success, transaction.TradeState);
        Assert.Equal(100, transaction.Amount!.Total);
        Assert.Equal("oUpF8uMuAJO_M2pxb1Q9zNjWeS6o", transaction.Payer!.OpenId);
        Assert.Equal(new DateTimeOffset(2018, 6, 8, 10, 34, 56, TimeSpan.FromHours(8)), transaction.SuccessTime);
        Assert.Null(result.Refund);
    }

    [Fact]
    public void A_refund_notification_gives_the_refund()
    {
        const string refund = """{"mchid":"1900000109","out_trade_no":"T1","transaction_id":"4200000000","out_refund_no":"R1","refund_id":"5030","refund_status":"SUCCESS","success_time":"2026-03-02T17:00:00+08:00","user_received_account":"支付用户零钱","amount":{"total":100,"refund":40,"payer_total":100,"payer_refund":40}}""";
        var body = Notification(refund, originalType: "refund");

        var result = _verifier.Verify(body, Sign(body, Now, PlatformSerial));

        Assert.True(result.IsAccepted, result.Refusal.ToString());
        Assert.Equal("R1", result.Refund!.OutRefundNumber);
        Assert.Equal(RefundStatuses.Success, result.Refund.RefundStatus);
        Assert.Equal(40, result.Refund.Amount!.Refund);
        Assert.Null(result.Transaction);
    }

    [Fact]
    public void The_signature_is_checked_over_the_raw_bytes_so_the_same_json_reformatted_is_refused()
    {
        var body = Notification(PaidTransaction);
        var headers = Sign(body, Now, PlatformSerial);
        var reformatted = Encoding.UTF8.GetBytes(System.Text.Json.JsonSerializer.Serialize(System.Text.Json.JsonDocument.Parse(body).RootElement,
            Indented));

        var result = _verifier.Verify(reformatted, headers);

        AssertRefused(result, WeChatPayRefusal.SignatureInvalid, 401);
    }

    [Fact]
    public void A_stale_notification_is_refused_even_when_it_is_signed_and_sealed()
    {
        var body = Notification(PaidTransaction);

        AssertRefused(_verifier.Verify(body, Sign(body, Now.AddMinutes(-6), PlatformSerial)), WeChatPayRefusal.TimestampOutsideWindow, 401);
    }

    [Fact]
    public void The_signtest_probe_and_an_unknown_serial_are_refused()
    {
        var body = Notification(PaidTransaction);
        var headers = Sign(body, Now, PlatformSerial);

        AssertRefused(_verifier.Verify(body, headers with { Signature = "WECHATPAY/SIGNTEST/" + headers.Signature }), WeChatPayRefusal.SignatureProbe, 401);
        AssertRefused(_verifier.Verify(body, headers with { Serial = "PUB_KEY_ID_0000000000000000000000000000" }), WeChatPayRefusal.UnknownSerial, 401);
    }

    [Fact]
    public void A_resource_sealed_with_another_apiv3_key_is_refused_after_its_signature_holds()
    {
        var body = Notification(PaidTransaction, apiV3Key: "another-merchants-apiv3-key-0002");

        AssertRefused(_verifier.Verify(body, Sign(body, Now, PlatformSerial)), WeChatPayRefusal.DecryptionFailed, 400);
    }

    [Fact]
    public void Decryption_refuses_a_cut_tag_a_changed_ciphertext_and_other_associated_data()
    {
        var sealedBytes = Convert.FromBase64String(Ciphertext(Notification(PaidTransaction)));
        var nonce = Encoding.UTF8.GetBytes("fdasflkja484");
        var aad = Encoding.UTF8.GetBytes("transaction");
        Assert.NotNull(WeChatPayNotificationVerifier.Decrypt(ApiV3KeyBytes, nonce, aad, sealedBytes));

        Assert.Null(WeChatPayNotificationVerifier.Decrypt(ApiV3KeyBytes, nonce, aad, sealedBytes[..^1]));
        Assert.Null(WeChatPayNotificationVerifier.Decrypt(ApiV3KeyBytes, nonce, aad, sealedBytes[..^16]));
        Assert.Null(WeChatPayNotificationVerifier.Decrypt(ApiV3KeyBytes, nonce, aad, sealedBytes[..15]));
        var flipped = (byte[])sealedBytes.Clone();
        flipped[0] ^= 0x80;
        Assert.Null(WeChatPayNotificationVerifier.Decrypt(ApiV3KeyBytes, nonce, aad, flipped));
        Assert.Null(WeChatPayNotificationVerifier.Decrypt(ApiV3KeyBytes, nonce, Encoding.UTF8.GetBytes("refund"), sealedBytes));
        Assert.Null(WeChatPayNotificationVerifier.Decrypt(ApiV3KeyBytes, Encoding.UTF8.GetBytes("fdasflkja485"), aad, sealedBytes));
        Assert.Null(WeChatPayNotificationVerifier.Decrypt(ApiV3KeyBytes, "fdasflkja484", "transaction", "not base64!"));
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("""{"id":"EV-1","event_type":"TRANSACTION.SUCCESS"}""")]
    [InlineData("""{"id":"EV-1","resource":{"algorithm":"AES_128_CBC","ciphertext":"AAAA","nonce":"fdasflkja484","original_type":"transaction"}}""")]
    [InlineData("""{"id":"EV-1","resource":{"algorithm":"AEAD_AES_256_GCM","ciphertext":"AAAA","nonce":"fdasflkja484","original_type":"profit_sharing"}}""")]
    public void A_signed_body_that_is_not_a_notification_we_know_is_refused_with_a_400(string json)
    {
        var body = Encoding.UTF8.GetBytes(json);

        AssertRefused(_verifier.Verify(body, Sign(body, Now, PlatformSerial)), WeChatPayRefusal.BodyMalformed, 400);
    }

    private static void AssertRefused(WeChatPayNotificationResult result, WeChatPayRefusal refusal, int status)
    {
        Assert.False(result.IsAccepted);
        Assert.Equal(refusal, result.Refusal);
        Assert.Equal(status, result.StatusCode);
        Assert.Equal("FAIL", result.FailBody!.Code);
        Assert.False(string.IsNullOrEmpty(result.FailBody.Message));
        Assert.Null(result.Transaction);
        Assert.Equal("""{"code":"FAIL","message":""" + System.Text.Json.JsonSerializer.Serialize(result.FailBody.Message) + "}",
            System.Text.Json.JsonSerializer.Serialize(result.FailBody));
    }

    private static string Ciphertext(byte[] notification) =>
        System.Text.Json.JsonDocument.Parse(notification).RootElement.GetProperty("resource").GetProperty("ciphertext").GetString()!;
}
