using System.ComponentModel.DataAnnotations;
using System.Text;
using HeadlessLoan.Api.Platform.Http;

namespace HeadlessLoan.Api.Integrations.Aliyun;

/// <summary>
/// Our Aliyun account for SMS (dysmsapi) and voice notifications (dyvmsapi): one AccessKey signs both. Read through
/// <c>IOptionsMonitor</c>, so a rotated secret is used from the next call on.
/// </summary>
public sealed record AliyunOptions : UpstreamResilienceSettings
{
    public const string Section = "Aliyun";

    /// <summary>Shorter secrets are refused at start: an HMAC key is only as strong as it is long.</summary>
    public const int MinimumSecretLength = 16;

    [Required(ErrorMessage = "Aliyun:AccessKeyId is required (the RAM user's AccessKey id).")]
    public string AccessKeyId { get; init; } = "";

    /// <summary>Signs every request (HMAC-SHA1 under the secret followed by <c>&amp;</c>).</summary>
    [Required(ErrorMessage = "Aliyun:AccessKeySecret is required (the RAM user's AccessKey secret).")]
    [MinLength(MinimumSecretLength, ErrorMessage = "Aliyun:AccessKeySecret must be at least 16 characters.")]
    public string AccessKeySecret { get; init; } = "";

    /// <summary>https://dysmsapi.aliyuncs.com/ in production; the sandbox's /aliyun/dysms/ in development and tests.</summary>
    [Required(ErrorMessage = "Aliyun:SmsBaseUrl is required (https://dysmsapi.aliyuncs.com/, or the sandbox).")]
    [Url(ErrorMessage = "Aliyun:SmsBaseUrl must be an absolute URL.")]
    public string SmsBaseUrl { get; init; } = "";

    /// <summary>https://dyvmsapi.aliyuncs.com/ in production; the sandbox's /aliyun/dyvms/ in development and tests.</summary>
    [Required(ErrorMessage = "Aliyun:VoiceBaseUrl is required (https://dyvmsapi.aliyuncs.com/, or the sandbox).")]
    [Url(ErrorMessage = "Aliyun:VoiceBaseUrl must be an absolute URL.")]
    public string VoiceBaseUrl { get; init; } = "";

    /// <summary>The number borrowers see calling (a number bought for voice notifications), sent as CalledShowNumber.</summary>
    [Required(ErrorMessage = "Aliyun:VoiceCalledShowNumber is required (the caller number shown for voice notifications).")]
    public string VoiceCalledShowNumber { get; init; } = "";

    /// <summary>Sent as RegionId; the SMS and voice APIs are served from cn-hangzhou.</summary>
    [Required]
    public string RegionId { get; init; } = "cn-hangzhou";

    /// <summary>A record prints every property; options end up in logs and exceptions, so the secret prints as set or not.</summary>
    protected override bool PrintMembers(StringBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        base.PrintMembers(builder);
        builder.Append(", AccessKeyId = ").Append(AccessKeyId)
            .Append(", AccessKeySecret = ").Append(string.IsNullOrEmpty(AccessKeySecret) ? "(not set)" : "(set)")
            .Append(", SmsBaseUrl = ").Append(SmsBaseUrl)
            .Append(", VoiceBaseUrl = ").Append(VoiceBaseUrl)
            .Append(", VoiceCalledShowNumber = ").Append(VoiceCalledShowNumber)
            .Append(", RegionId = ").Append(RegionId);
        return true;
    }
}
