using System.Text.Json.Serialization;
using HeadlessLoan.Api.Platform.Http;

namespace HeadlessLoan.Api.Integrations.WeChat;

// Request and response names follow SKIT.FlurlHttpClient.Wechat.Api, so that client could replace ours.

/// <summary>WeChat's common error envelope: <c>errcode</c> 0 or absent means success.</summary>
public abstract class WeChatResponse
{
    [JsonPropertyName("errcode")]
    public int ErrorCode { get; init; }

    [JsonPropertyName("errmsg")]
    public string? ErrorMessage { get; init; }

    public bool IsSuccessful() => ErrorCode == 0;
}

public static class WeChatErrorCodes
{
    public const int SystemBusy = -1;
    public const int InvalidAccessToken = 40001;
    public const int InvalidGrantType = 40002;
    public const int InvalidAppId = 40013;
    public const int InvalidCode = 40029;
    public const int InvalidSecret = 40125;
    public const int CodeUsed = 40163;
    public const int IpNotWhitelisted = 40164;
    public const int HighRiskUser = 40226;
    public const int AccessTokenExpired = 42001;
    public const int DailyQuota = 45009;
    public const int RateLimited = 45011;

    /// <summary>A code from the mini-program (wx.login, getPhoneNumber) that WeChat will not take: invalid, expired, foreign or already used.</summary>
    public static bool IsCodeRejected(int errorCode) => errorCode is InvalidCode or CodeUsed;
}

public sealed record SnsJsCode2SessionRequest(string JsCode);

public sealed class SnsJsCode2SessionResponse : WeChatResponse
{
    [JsonPropertyName("openid")]
    public string? OpenId { get; init; }

    [JsonPropertyName("session_key")]
    public string? SessionKey { get; init; }

    [JsonPropertyName("unionid")]
    public string? UnionId { get; init; }
}

public sealed record CgibinStableTokenRequest(bool ForceRefresh);

public sealed class CgibinStableTokenResponse : WeChatResponse
{
    [JsonPropertyName("access_token")]
    public string? AccessToken { get; init; }

    [JsonPropertyName("expires_in")]
    public int ExpiresIn { get; init; }
}

public sealed record WxaBusinessGetUserPhoneNumberRequest(string Code);

public sealed class WxaBusinessGetUserPhoneNumberResponse : WeChatResponse
{
    [JsonPropertyName("phone_info")]
    public PhoneInfo? PhoneInfo { get; init; }
}

public sealed class PhoneInfo
{
    [JsonPropertyName("phoneNumber")]
    public string? PhoneNumber { get; init; }

    [JsonPropertyName("purePhoneNumber")]
    public string? PurePhoneNumber { get; init; }
}

/// <summary>An image for OCR: uploaded as the multipart field <c>img</c> (under 2 MB), or fetched by WeChat from <see cref="ImageUrl"/>.</summary>
public abstract class CVOCRRequest
{
    public byte[]? ImageFileBytes { get; init; }

    public string ImageFileName { get; init; } = "image.jpg";

    public string ImageContentType { get; init; } = "image/jpeg";

    public string? ImageUrl { get; init; }
}

/// <summary><c>POST /cv/ocr/idcard?type=photo|scan</c>.</summary>
public sealed class CVOCRIdCardRequest : CVOCRRequest
{
    /// <summary><c>photo</c> (a camera picture) or <c>scan</c>.</summary>
    public string Mode { get; init; } = "photo";
}

public sealed class CVOCRIdCardResponse : WeChatResponse
{
    /// <summary><c>Front</c> (portrait side) or <c>Back</c> (issuing authority and validity).</summary>
    [JsonPropertyName("type")]
    public string? Type { get; init; }

    [JsonPropertyName("name")]
    public string? Name { get; init; }

    [JsonPropertyName("id")]
    public string? IdNumber { get; init; }

    [JsonPropertyName("addr")]
    public string? Address { get; init; }

    [JsonPropertyName("gender")]
    public string? Gender { get; init; }

    [JsonPropertyName("nationality")]
    public string? Nationality { get; init; }

    /// <summary>Back side: <c>YYYYMMDD-YYYYMMDD</c>, or an end of <c>长期</c> (no expiry).</summary>
    [JsonPropertyName("valid_date")]
    public string? ValidDate { get; init; }
}

/// <summary><c>POST /cv/ocr/bankcard</c>.</summary>
public sealed class CVOCRBankCardRequest : CVOCRRequest;

public sealed class CVOCRBankCardResponse : WeChatResponse
{
    /// <summary>The card number as documented.</summary>
    [JsonPropertyName("number")]
    public string? Number { get; init; }

    /// <summary>The card number as WeChat's own examples send it.</summary>
    [JsonPropertyName("id")]
    public string? Id { get; init; }

    /// <summary>Whichever of the two fields came, without spaces.</summary>
    [JsonIgnore]
    public string? CardNumber => (Number ?? Id)?.Replace(" ", "", StringComparison.Ordinal);
}

public static class WeChatOcrErrorCodes
{
    public const int InvalidImageUrl = 101000;
    public const int NothingRecognised = 101001;
    public const int ImageUndecodable = 101002;
    public const int QuotaExhausted = 101003;
}

/// <summary>
/// <c>POST /cgi-bin/message/subscribe/send</c>: <paramref name="Data"/> maps each template key (<c>thing1</c>,
/// <c>amount2</c>, …) to its value; <paramref name="MiniProgramPagePath"/> is the page the card opens (none when null);
/// <paramref name="MiniProgramState"/> is <c>developer</c>, <c>trial</c> or <c>formal</c> (WeChat's default);
/// <paramref name="Language"/> e.g. <c>zh_CN</c>.
/// </summary>
public sealed record CgibinMessageSubscribeSendRequest(
    string ToUserOpenId, string TemplateId, string? MiniProgramPagePath, IReadOnlyDictionary<string, string> Data,
    string? MiniProgramState = null, string? Language = null);

/// <summary>errcode 0 when WeChat took the message; refusals are in <see cref="WeChatSubscribeErrorCodes"/>.</summary>
public sealed class CgibinMessageSubscribeSendResponse : WeChatResponse
{
    /// <summary>WeChat's id of the message sent, when it says one.</summary>
    [JsonPropertyName("msgid")]
    public long? MessageId { get; init; }
}

/// <summary>The body as WeChat reads it; the optional fields are left out when not given.</summary>
internal sealed record CgibinMessageSubscribeSendWire(
    [property: JsonPropertyName("touser")] string ToUser,
    [property: JsonPropertyName("template_id")] string TemplateId,
    [property: JsonPropertyName("page"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Page,
    [property: JsonPropertyName("data")] IReadOnlyDictionary<string, CgibinMessageSubscribeSendWire.Value> Data,
    [property: JsonPropertyName("miniprogram_state"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? MiniProgramState,
    [property: JsonPropertyName("lang"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Language)
{
    internal sealed record Value([property: JsonPropertyName("value")] string Text);
}

/// <summary>What <c>/cgi-bin/message/subscribe/send</c> refuses a message with.</summary>
public static class WeChatSubscribeErrorCodes
{
    /// <summary>touser is not an openid of this app.</summary>
    public const int InvalidOpenId = 40003;

    /// <summary>template_id is empty or not one of the app's templates.</summary>
    public const int InvalidTemplateId = 40037;

    /// <summary>page is not a page of the released mini-program.</summary>
    public const int InvalidPage = 41030;

    /// <summary>The user refused this template, or has no subscription to it left: fall back to another channel.</summary>
    public const int SubscriptionRefused = 43101;

    /// <summary>A data value breaks its key's rules (errmsg names the field).</summary>
    public const int InvalidTemplateData = 47003;
}

/// <summary>
/// WeChat could not be reached, kept answering "busy", or refused the service itself (no access token: a quota, the
/// appid, secret or server IP); <see cref="ErrorCode"/> is WeChat's code when it answered one.
/// </summary>
public sealed class WeChatUnavailableException(string message, Exception? inner = null, int? errorCode = null) : UpstreamUnavailableException(message, inner)
{
    public int? ErrorCode { get; } = errorCode;
}
