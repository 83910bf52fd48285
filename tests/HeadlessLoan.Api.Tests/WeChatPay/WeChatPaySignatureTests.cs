using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using HeadlessLoan.Api.Integrations.WeChatPay;
using Microsoft.Extensions.Time.Testing;
using static HeadlessLoan.Api.Tests.WeChatPay.WeChatPayTestKeys;

namespace HeadlessLoan.Api.Tests.WeChatPay;

public sealed class WeChatPaySignatureTests
{
    private static readonly DateTimeOffset Now = new(2026, 3, 2, 9, 0, 0, TimeSpan.Zero);
    private static readonly byte[] Body = Encoding.UTF8.GetBytes("""{"prepay_id":"wx26112221580621e9b071c00d9e093b0000"}""");
    private static readonly WeChatPayKeys KeysOfBothKinds = Keys();

    [Fact]
    public void The_request_message_is_the_documented_example_byte_for_byte()
    {
        // The example of WeChat Pay's signing guide (签名生成): GET /v3/certificates, empty body.
        var message = WeChatPaySignatures.RequestMessage("GET", "/v3/certificates", "1554208460", "593BEC0C930BF1AFEB40B4A08C8FB242", "");

        Assert.Equal("GET\n/v3/certificates\n1554208460\n593BEC0C930BF1AFEB40B4A08C8FB242\n\n", message);
    }

    [Fact]
    public void The_authorization_header_names_the_merchant_and_its_signature_verifies_with_the_merchant_certificate()
    {
        var clock = new FakeTimeProvider(Now);
        const string body = """{"mchid":"1900000109"}""";

        var header = WeChatPaySignatures.Authorization(KeysOfBothKinds, clock, "POST", "/v3/pay/transactions/out-trade-no/T1/close", body);

        Assert.Equal("WECHATPAY2-SHA256-RSA2048", header.Scheme);
        var fields = header.Parameter!.Split(',').Select(p => p.Split('=', 2)).ToDictionary(p => p[0], p => p[1].Trim('"'));
        Assert.Equal(["mchid", "nonce_str", "timestamp", "serial_no", "signature"], fields.Keys);
        Assert.Equal(MchId, fields["mchid"]);
        Assert.Equal(MerchantSerialNo, fields["serial_no"]);
        Assert.Equal(Now.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture), fields["timestamp"]);
        Assert.Matches("^[0-9A-Z]{32}$", fields["nonce_str"]);
        using var certificate = X509Certificate2.CreateFromPem(System.IO.File.ReadAllText(File("merchant-certificate.TEST-ONLY.pem")));
        var message = WeChatPaySignatures.RequestMessage("POST", "/v3/pay/transactions/out-trade-no/T1/close", fields["timestamp"], fields["nonce_str"], body);
        Assert.True(certificate.GetRSAPublicKey()!.VerifyData(Encoding.UTF8.GetBytes(message), Convert.FromBase64String(fields["signature"]),
            HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1));
        Assert.False(certificate.GetRSAPublicKey()!.VerifyData(Encoding.UTF8.GetBytes(message.Replace("T1", "T2", StringComparison.Ordinal)),
            Convert.FromBase64String(fields["signature"]), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1));
    }

    [Fact]
    public void Two_requests_get_two_nonces()
    {
        var clock = new FakeTimeProvider(Now);

        var first = WeChatPaySignatures.Authorization(KeysOfBothKinds, clock, "GET", "/v3/x", "");
        var second = WeChatPaySignatures.Authorization(KeysOfBothKinds, clock, "GET", "/v3/x", "");

        Assert.NotEqual(first.Parameter, second.Parameter);
    }

    [Theory]
    [InlineData(PlatformSerial)]
    [InlineData(PublicKeyId)]
    public void An_answer_signed_under_either_kind_of_serial_verifies_with_the_key_that_serial_names(string serial)
    {
        var headers = Sign(Body, Now, serial);

        Assert.Null(WeChatPaySignatures.Check(KeysOfBothKinds, headers, Body, Now));
    }

    [Fact]
    public void The_serial_is_matched_case_insensitively_as_certificates_print_it_either_way() =>
        Assert.Null(WeChatPaySignatures.Check(KeysOfBothKinds, Sign(Body, Now, PlatformSerial) with { Serial = PlatformSerial.ToLowerInvariant() }, Body, Now));

    [Fact]
    public void A_body_changed_by_one_byte_is_refused()
    {
        var headers = Sign(Body, Now, PlatformSerial);
        var tampered = (byte[])Body.Clone();
        tampered[5] ^= 0x01;

        Assert.Equal(WeChatPayRefusal.SignatureInvalid, WeChatPaySignatures.Check(KeysOfBothKinds, headers, tampered, Now));
        Assert.Equal(WeChatPayRefusal.SignatureInvalid, WeChatPaySignatures.Check(KeysOfBothKinds, headers, [.. Body, (byte)'\n'], Now));
    }

    [Fact]
    public void A_changed_nonce_or_timestamp_header_is_refused()
    {
        var headers = Sign(Body, Now, PlatformSerial);

        Assert.Equal(WeChatPayRefusal.SignatureInvalid, WeChatPaySignatures.Check(KeysOfBothKinds, headers with { Nonce = headers.Nonce + "X" }, Body, Now));
        var oneSecondLater = (long.Parse(headers.Timestamp!, System.Globalization.CultureInfo.InvariantCulture) + 1).ToString(System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(WeChatPayRefusal.SignatureInvalid, WeChatPaySignatures.Check(KeysOfBothKinds, headers with { Timestamp = oneSecondLater }, Body, Now));
    }

    [Fact]
    public void A_signature_made_by_one_key_does_not_verify_under_the_other_serial()
    {
        using var platformKey = WeChatPaySigner(PlatformSerial);

        var signedByPlatformButNamingThePublicKey = Sign(Body, Now, PublicKeyId, platformKey);

        Assert.Equal(WeChatPayRefusal.SignatureInvalid, WeChatPaySignatures.Check(KeysOfBothKinds, signedByPlatformButNamingThePublicKey, Body, Now));
    }

    [Fact]
    public void A_serial_we_have_no_key_for_is_refused_even_when_the_signature_is_good()
    {
        using var platformKey = WeChatPaySigner(PlatformSerial);
        var onlyTheCertificate = Keys(Options() with { PublicKeyId = null, PublicKey = null });

        Assert.Equal(WeChatPayRefusal.UnknownSerial, WeChatPaySignatures.Check(KeysOfBothKinds, Sign(Body, Now, "7132D72A03E93CDDF8C03BBD1F37EEDF"), Body, Now));
        Assert.Equal(WeChatPayRefusal.UnknownSerial, WeChatPaySignatures.Check(onlyTheCertificate, Sign(Body, Now, PublicKeyId), Body, Now));
        Assert.Null(WeChatPaySignatures.Check(onlyTheCertificate, Sign(Body, Now, PlatformSerial, platformKey), Body, Now));
    }

    [Theory]
    [InlineData(-299, null)]
    [InlineData(299, null)]
    [InlineData(-300, WeChatPayRefusal.TimestampOutsideWindow)]
    [InlineData(300, WeChatPayRefusal.TimestampOutsideWindow)]
    [InlineData(-86_400, WeChatPayRefusal.TimestampOutsideWindow)]
    public void The_timestamp_must_be_within_five_minutes_of_our_clock_either_way(int secondsFromNow, WeChatPayRefusal? expected)
    {
        var headers = Sign(Body, Now.AddSeconds(secondsFromNow), PublicKeyId);

        Assert.Equal(expected, WeChatPaySignatures.Check(KeysOfBothKinds, headers, Body, Now));
    }

    [Theory]
    [InlineData("not-a-number")]
    [InlineData("-1")]
    [InlineData("99999999999999999999")]
    public void A_timestamp_that_is_not_seconds_is_refused(string timestamp) =>
        Assert.Equal(WeChatPayRefusal.TimestampOutsideWindow,
            WeChatPaySignatures.Check(KeysOfBothKinds, Sign(Body, Now, PlatformSerial) with { Timestamp = timestamp }, Body, Now));

    [Fact]
    public void The_signtest_probe_is_refused_before_anything_is_verified()
    {
        var headers = Sign(Body, Now, PlatformSerial);

        var probe = headers with { Signature = "WECHATPAY/SIGNTEST/" + headers.Signature };

        Assert.Equal(WeChatPayRefusal.SignatureProbe, WeChatPaySignatures.Check(KeysOfBothKinds, probe, Body, Now));
    }

    [Fact]
    public void Missing_headers_or_a_signature_that_is_not_base64_are_refused()
    {
        var headers = Sign(Body, Now, PlatformSerial);

        Assert.Equal(WeChatPayRefusal.SignatureMissing, WeChatPaySignatures.Check(KeysOfBothKinds, headers with { Serial = null }, Body, Now));
        Assert.Equal(WeChatPayRefusal.SignatureMissing, WeChatPaySignatures.Check(KeysOfBothKinds, headers with { Signature = "" }, Body, Now));
        Assert.Equal(WeChatPayRefusal.SignatureInvalid, WeChatPaySignatures.Check(KeysOfBothKinds, headers with { Signature = "%%%" }, Body, Now));
    }

    [Fact]
    public void The_payment_parameters_are_signed_over_appid_timestamp_nonce_and_package()
    {
        var jsapi = new WeChatPayJsapi(new FixedKeyRing(KeysOfBothKinds).Ring, new FakeTimeProvider(Now));

        var parameters = jsapi.PaymentParameters("wx201410272009395522657a690389285100");

        Assert.Equal(Now.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture), parameters.TimeStamp);
        Assert.Equal("prepay_id=wx201410272009395522657a690389285100", parameters.Package);
        Assert.Equal("RSA", parameters.SignType);
        using var certificate = X509Certificate2.CreateFromPem(System.IO.File.ReadAllText(File("merchant-certificate.TEST-ONLY.pem")));
        var message = $"{AppId}\n{parameters.TimeStamp}\n{parameters.NonceStr}\n{parameters.Package}\n";
        Assert.Equal(message, WeChatPayJsapi.PaySignMessage(AppId, parameters.TimeStamp, parameters.NonceStr, parameters.Package));
        Assert.True(certificate.GetRSAPublicKey()!.VerifyData(Encoding.UTF8.GetBytes(message), Convert.FromBase64String(parameters.PaySign),
            HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1));
        Assert.Equal("""{"timeStamp":"1772442000","nonceStr":"N","package":"p","signType":"RSA","paySign":"s"}""",
            System.Text.Json.JsonSerializer.Serialize(new WxRequestPaymentParameters("1772442000", "N", "p", "RSA", "s")));
    }
}
