using System.Text.Json.Serialization;

namespace HeadlessLoan.Api.WeChat;

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
    public const int InvalidCode = 40029;
    public const int AccessTokenExpired = 42001;
    public const int RateLimited = 45011;
    public const int HighRiskUser = 40226;
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

/// <summary>WeChat answered with an error code (after the adapter's own retries).</summary>
public sealed class WeChatApiException(int errorCode, string? errorMessage)
    : Exception($"WeChat answered errcode {errorCode}: {errorMessage}")
{
    public int ErrorCode { get; } = errorCode;
}

/// <summary>WeChat could not be reached or kept answering "busy".</summary>
public sealed class WeChatUnavailableException(string message, Exception? inner = null) : Exception(message, inner);
