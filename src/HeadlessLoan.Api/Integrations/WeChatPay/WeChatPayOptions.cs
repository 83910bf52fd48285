using System.ComponentModel.DataAnnotations;
using HeadlessLoan.Api.Platform.Http;

namespace HeadlessLoan.Api.Integrations.WeChatPay;

/// <summary>
/// The merchant's WeChat Pay v3 account. Every key and certificate setting takes either the PEM text itself or the path
/// of a PEM file (relative paths from the content root): a value containing <c>-----BEGIN</c> is PEM. Bound from
/// configuration and read through <c>IOptionsMonitor</c>, so a rotated key or a new platform certificate is taken
/// up when the configuration changes, without a release.
/// </summary>
public sealed record WeChatPayOptions : UpstreamResilienceSettings
{
    public const string Section = "WeChatPay";

    /// <summary>https://api.mch.weixin.qq.com in production; the sandbox in development and tests.</summary>
    [Required(ErrorMessage = "WeChatPay:BaseUrl is required (https://api.mch.weixin.qq.com, or the sandbox).")]
    [Url(ErrorMessage = "WeChatPay:BaseUrl must be an absolute URL.")]
    public string BaseUrl { get; init; } = "";

    [Required(ErrorMessage = "WeChatPay:MchId is required (the merchant number, 商户号).")]
    public string MchId { get; init; } = "";

    [Required(ErrorMessage = "WeChatPay:AppId is required (the mini-program's app id the orders are paid in).")]
    public string AppId { get; init; } = "";

    /// <summary>The serial number of the merchant API certificate (商户API证书序列号) whose private key signs our requests.</summary>
    [Required(ErrorMessage = "WeChatPay:MerchantSerialNo is required (the merchant API certificate's serial number).")]
    public string MerchantSerialNo { get; init; } = "";

    /// <summary>The merchant API private key (apiclient_key.pem): the PEM, or the path of the file.</summary>
    [Required(ErrorMessage = "WeChatPay:MerchantPrivateKey is required (the PEM of apiclient_key.pem, or its path).")]
    public string MerchantPrivateKey { get; init; } = "";

    /// <summary>The APIv3 key (APIv3密钥): 32 characters, which decrypt notifications.</summary>
    [Required(ErrorMessage = "WeChatPay:ApiV3Key is required (the 32-character APIv3 key).")]
    public string ApiV3Key { get; init; } = "";

    /// <summary>WeChat Pay platform certificates by serial number (PEM or path each); several at once while they rotate.</summary>
    public Dictionary<string, string> PlatformCertificates { get; init; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>The WeChat Pay public key's id (<c>PUB_KEY_ID_…</c>); with <see cref="PublicKey"/>, usable beside the certificates.</summary>
    public string? PublicKeyId { get; init; }

    /// <summary>The WeChat Pay public key (pub_key.pem): the PEM, or the path of the file.</summary>
    public string? PublicKey { get; init; }

    /// <summary>Where WeChat Pay sends payment notifications for our orders (an absolute URL; https in production).</summary>
    [Required(ErrorMessage = "WeChatPay:NotifyUrl is required (where WeChat Pay posts payment notifications).")]
    [Url(ErrorMessage = "WeChatPay:NotifyUrl must be an absolute URL.")]
    public string NotifyUrl { get; init; } = "";
}
