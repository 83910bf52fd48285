using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace HeadlessLoan.Sandbox.WeChatPay;

/// <summary>
/// The sandbox's TEST-ONLY WeChat Pay keys (published in <c>wechatpay-test-keys/</c>): the merchant certificate that
/// checks our signatures (or one the caller gives), the APIv3 key, and the two keys WeChat Pay signs with — a platform certificate and the public key.
/// </summary>
internal sealed class WeChatPaySandboxKeys
{
    public const string MchId = "1900000109";
    public const string PublicKeyId = "PUB_KEY_ID_0119000001092026010100000001";

    private WeChatPaySandboxKeys(X509Certificate2 merchant, RSA platformKey, string platformSerial, RSA publicKeyKey, string apiV3Key)
    {
        ApiV3Key = apiV3Key;
        MerchantSerialNo = merchant.SerialNumber;
        MerchantPublicKey = merchant.GetRSAPublicKey() ?? throw new InvalidDataException("the merchant certificate has no RSA key");
        PlatformKey = platformKey;
        PlatformSerial = platformSerial;
        PublicKeyKey = publicKeyKey;
    }

    public string MerchantSerialNo { get; }

    /// <summary>What notifications are sealed with.</summary>
    public string ApiV3Key { get; }

    public RSA MerchantPublicKey { get; }

    public RSA PlatformKey { get; }

    public string PlatformSerial { get; }

    /// <summary>The private half of the WeChat Pay public key <see cref="PublicKeyId"/>.</summary>
    public RSA PublicKeyKey { get; }

    public static string DefaultDirectory => Path.Combine(AppContext.BaseDirectory, "wechatpay-test-keys");

    /// <summary>WeChat Pay's keys from <paramref name="directory"/>, with the merchant of <paramref name="settings"/>.</summary>
    public static WeChatPaySandboxKeys Load(string directory, WeChatPaySandboxSettings settings)
    {
        string Read(string name) => File.ReadAllText(Path.Combine(directory, name));
        var merchant = X509Certificate2.CreateFromPem(settings.MerchantCertificatePem ?? Read("merchant-certificate.TEST-ONLY.pem"));
        using var platform = X509Certificate2.CreateFromPem(Read("platform-certificate.TEST-ONLY.pem"));
        var platformKey = RSA.Create();
        platformKey.ImportFromPem(Read("platform-private-key.TEST-ONLY.pem"));
        var publicKeyKey = RSA.Create();
        publicKeyKey.ImportFromPem(Read("wechatpay-public-key-private-half.TEST-ONLY.pem"));
        return new WeChatPaySandboxKeys(merchant, platformKey, platform.SerialNumber, publicKeyKey, settings.ApiV3Key);
    }
}
