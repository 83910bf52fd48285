using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using HeadlessLoan.Api.Integrations.WeChatPay;
using HeadlessLoan.Api.Tests.Infrastructure;

namespace HeadlessLoan.Api.Tests.WeChatPay;

/// <summary>
/// The sandbox's TEST-ONLY WeChat Pay keys, as the API is configured with them, and WeChat Pay's side of them (the
/// private halves the sandbox signs with) so tests can sign and encrypt what WeChat Pay would send.
/// </summary>
public static class WeChatPayTestKeys
{
    public const string MchId = "1900000109";
    public const string AppId = "wx_sandbox_app";
    public const string MerchantSerialNo = "4B3F1E0A9C2D5E6F7A8B9C0D1E2F3A4B5C6D7E8F";
    public const string PlatformSerial = "5A1D2C3B4E5F60718293A4B5C6D7E8F901A2B3C4";
    public const string PublicKeyId = "PUB_KEY_ID_0119000001092026010100000001";
    public const string ApiV3Key = "sandbox-test-only-apiv3-key-0001";

    public static string File(string name) => Repository.File("src", "HeadlessLoan.Sandbox", "wechatpay-test-keys", name);

    public static WeChatPayOptions Options(string baseUrl = "http://127.0.0.1:1", string notifyUrl = "http://127.0.0.1:1/notify") => new()
    {
        BaseUrl = baseUrl,
        MchId = MchId,
        AppId = AppId,
        MerchantSerialNo = MerchantSerialNo,
        MerchantPrivateKey = File("merchant-private-key.TEST-ONLY.pem"),
        ApiV3Key = ApiV3Key,
        PlatformCertificates = new(StringComparer.OrdinalIgnoreCase) { [PlatformSerial] = File("platform-certificate.TEST-ONLY.pem") },
        PublicKeyId = PublicKeyId,
        PublicKey = File("wechatpay-public-key.TEST-ONLY.pem"),
        NotifyUrl = notifyUrl,
    };

    /// <summary>The sandbox's merchant of <paramref name="sandbox"/> (its own key and APIv3 key: published ones are refused outside Development).</summary>
    public static WeChatPayOptions OptionsFor(Infrastructure.SandboxHost sandbox, string notifyUrl) => Options(sandbox.Url, notifyUrl) with
    {
        MerchantPrivateKey = sandbox.WeChatPayMerchantPrivateKey,
        MerchantSerialNo = sandbox.WeChatPayMerchantSerialNo,
        ApiV3Key = sandbox.WeChatPayApiV3Key,
    };

    /// <summary><see cref="OptionsFor"/> as the service's settings.</summary>
    public static Dictionary<string, string?> SettingsFor(Infrastructure.SandboxHost sandbox, string notifyUrl) =>
        WeChatPayOptionsTests.SettingsOf(OptionsFor(sandbox, notifyUrl));

    public static WeChatPayKeys Keys(WeChatPayOptions? options = null)
    {
        var (keys, problems) = WeChatPayKeys.Load(options ?? Options(), Repository.Root);
        Assert.True(keys is not null, string.Join("; ", problems));
        return keys;
    }

    public static RSA PrivateKey(string file)
    {
        var key = RSA.Create();
        key.ImportFromPem(System.IO.File.ReadAllText(File(file)));
        return key;
    }

    /// <summary>WeChat Pay's platform-certificate key and its public key's private half, by the serial each signs under.</summary>
    public static RSA WeChatPaySigner(string serial) =>
        PrivateKey(serial == PublicKeyId ? "wechatpay-public-key-private-half.TEST-ONLY.pem" : "platform-private-key.TEST-ONLY.pem");

    /// <summary>The headers WeChat Pay would send with <paramref name="body"/>, signed by <paramref name="signer"/> at <paramref name="at"/>.</summary>
    public static WeChatPaySignatureHeaders Sign(byte[] body, DateTimeOffset at, string serial, RSA? signer = null, string nonce = "5K8264ILTKCH16CQ2502SI8ZNMTM67VS")
    {
        var timestamp = at.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        using var own = signer is null ? WeChatPaySigner(serial) : null;
        var signature = (signer ?? own!).SignData(WeChatPaySignatures.AnswerMessage(timestamp, nonce, body), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        return new WeChatPaySignatureHeaders(timestamp, nonce, Convert.ToBase64String(signature), serial);
    }

    /// <summary>A notification body as WeChat Pay sends it: <paramref name="resourceJson"/> sealed with AES-256-GCM.</summary>
    public static byte[] Notification(string resourceJson, string originalType = "transaction", string apiV3Key = ApiV3Key, string nonce = "fdasflkja484")
    {
        var plaintext = Encoding.UTF8.GetBytes(resourceJson);
        var sealedBytes = new byte[plaintext.Length + 16];
        using (var aes = new AesGcm(Encoding.UTF8.GetBytes(apiV3Key), 16))
        {
            aes.Encrypt(Encoding.UTF8.GetBytes(nonce), plaintext, sealedBytes.AsSpan(0, plaintext.Length), sealedBytes.AsSpan(plaintext.Length),
                Encoding.UTF8.GetBytes(originalType));
        }

        var eventType = originalType == "refund" ? "REFUND.SUCCESS" : "TRANSACTION.SUCCESS";
        return Encoding.UTF8.GetBytes(
            $$$"""{"id":"EV-2018022511223320873","create_time":"2015-05-20T13:29:35+08:00","resource_type":"encrypt-resource","event_type":"{{{eventType}}}","summary":"支付成功","resource":{"original_type":"{{{originalType}}}","algorithm":"AEAD_AES_256_GCM","ciphertext":"{{{Convert.ToBase64String(sealedBytes)}}}","associated_data":"{{{originalType}}}","nonce":"{{{nonce}}}"}}""");
    }

    public const string PaidTransaction =
        """{"appid":"wx_sandbox_app","mchid":"1900000109","out_trade_no":"1217752501201407033233368018","transaction_id":"1217752501201407033233368018","trade_type":"JSAPI","trade_state":"SUCCESS","trade_state_desc":"支付成功","bank_type":"CMC","attach":"","success_time":"2018-06-08T10:34:56+08:00","payer":{"openid":"oUpF8uMuAJO_M2pxb1Q9zNjWeS6o"},"amount":{"total":100,"payer_total":100,"currency":"CNY","payer_currency":"CNY"}}""";
}
