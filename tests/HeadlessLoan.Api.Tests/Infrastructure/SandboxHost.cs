extern alias sandbox;

using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using sandbox::HeadlessLoan.Sandbox;
using sandbox::HeadlessLoan.Sandbox.Aliyun;
using sandbox::HeadlessLoan.Sandbox.Bank;
using sandbox::HeadlessLoan.Sandbox.WeChatPay;
using System.Security.Cryptography.X509Certificates;
using WireMock.Server;

namespace HeadlessLoan.Api.Tests.Infrastructure;

/// <summary>
/// The real sandbox (the WireMock server integrators use), on a free loopback port. Its bank knows the published
/// TEST-ONLY merchant id with secrets of this host's own, which the service accepts outside Development; so does its Aliyun.
/// </summary>
public sealed class SandboxHost : IDisposable
{
    private readonly WireMockServer _server;

    /// <param name="clock">The bank's and WeChat Pay's time: the service's where a test holds the service to a clock of its own.</param>
    public SandboxHost(TimeProvider? clock = null)
    {
        _server = SandboxServer.Start(FreePort(), bank: new BankSandboxSettings
        {
            MerchantId = BankMerchantId,
            ApiSecret = BankApiSecret,
            CallbackSecret = BankCallbackSecret,
            Clock = clock ?? TimeProvider.System,
        }, wechatPay: new WeChatPaySandboxSettings
        {
            MerchantCertificatePem = _merchant.Certificate,
            ApiV3Key = WeChatPayApiV3Key,
            Clock = clock ?? TimeProvider.System,
        }, aliyun: new AliyunSandboxSettings
        {
            AccessKeyId = AliyunAccessKeyId,
            AccessKeySecret = AliyunAccessKeySecret,
            Clock = clock ?? TimeProvider.System,
        });
    }

    private readonly (string Certificate, string PrivateKey, string Serial) _merchant = NewMerchantCertificate();

    /// <summary>This host's own WeChat Pay merchant key (PEM), which the sandbox knows by its certificate.</summary>
    public string WeChatPayMerchantPrivateKey => _merchant.PrivateKey;

    /// <summary>The serial number of this host's merchant certificate.</summary>
    public string WeChatPayMerchantSerialNo => _merchant.Serial;

    /// <summary>This host's APIv3 key, which the sandbox seals notifications with.</summary>
    public string WeChatPayApiV3Key { get; } = Convert.ToHexString(RandomNumberGenerator.GetBytes(16));

    /// <summary>A merchant API certificate as WeChat Pay issues one: an RSA key, and a certificate naming it by a serial number.</summary>
    private static (string Certificate, string PrivateKey, string Serial) NewMerchantCertificate()
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=HeadlessLoan test merchant", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var serial = RandomNumberGenerator.GetBytes(20);
        serial[0] &= 0x7F; // A positive serial number.
        using var certificate = request.Create(request.SubjectName, X509SignatureGenerator.CreateForRSA(key, RSASignaturePadding.Pkcs1),
            DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(1), serial);
        return (certificate.ExportCertificatePem(), key.ExportPkcs8PrivateKeyPem(), certificate.SerialNumber);
    }

    public string Url => _server.Urls[0];

    /// <summary>Requests the sandbox received, for asserting what the service sent to outside parties.</summary>
    public WireMockServer Server => _server;

    public string BankMerchantId { get; } = BankSandboxSettings.TestOnlyMerchantId;

    public string BankApiSecret { get; } = "t-api-" + Convert.ToHexString(RandomNumberGenerator.GetBytes(16));

    public string BankCallbackSecret { get; } = "t-callback-" + Convert.ToHexString(RandomNumberGenerator.GetBytes(16));

    public string AliyunAccessKeyId { get; } = AliyunSandboxSettings.TestOnlyAccessKeyId;

    public string AliyunAccessKeySecret { get; } = "t-aliyun-" + Convert.ToHexString(RandomNumberGenerator.GetBytes(16));

    /// <summary>How long after it is accepted the sandbox's SMS receipt comes and its call ends, on its clock.</summary>
    public static TimeSpan AliyunDelay => AliyunSandboxSettings.DefaultDelay;

    /// <summary>The <c>Aliyun</c> section of the service's settings for this sandbox, under the secret it was given.</summary>
    public Dictionary<string, string?> AliyunSettings() => new()
    {
        ["Aliyun:AccessKeyId"] = AliyunAccessKeyId,
        ["Aliyun:AccessKeySecret"] = AliyunAccessKeySecret,
        ["Aliyun:SmsBaseUrl"] = Url + "/aliyun/dysms/",
        ["Aliyun:VoiceBaseUrl"] = Url + "/aliyun/dyvms/",
        ["Aliyun:VoiceCalledShowNumber"] = "057100000000",
        // Query retries pause on the service's clock, which the tests hold still.
        ["Aliyun:RetryDelayMilliseconds"] = "0",
    };

    public void Dispose() => _server.Stop();

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
