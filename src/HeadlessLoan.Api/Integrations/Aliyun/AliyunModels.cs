using HeadlessLoan.Api.Platform.Http;

namespace HeadlessLoan.Api.Integrations.Aliyun;

/// <summary>One SMS to one mainland number; <paramref name="OutId"/> is ours, kept by Aliyun and shown in the receipt.</summary>
public sealed record SmsSendRequest(string PhoneNumber, string SignName, string TemplateCode, IReadOnlyDictionary<string, string> TemplateParam, string OutId);

/// <summary>Aliyun's answer to SendSms: <see cref="Accepted"/> (Code OK, with a BizId), or the refusal's code.</summary>
public sealed record SmsSendResult(string Code, string Message, string? BizId)
{
    public bool Accepted => Code == AliyunCodes.Ok;
}

/// <summary>One message as QuerySendDetails reports it; <see cref="ReceivedAt"/> is when the handset's receipt came.</summary>
public sealed record SmsSendDetail(string PhoneNumber, SmsSendStatus Status, string? ErrorCode, string? OutId, string? BizId, DateTimeOffset? ReceivedAt);

/// <summary>SendStatus of QuerySendDetails.</summary>
public enum SmsSendStatus
{
    /// <summary>Sent, no receipt yet.</summary>
    Waiting = 1,

    /// <summary>The carrier's receipt says it failed (ErrorCode says why).</summary>
    Failed = 2,

    /// <summary>The carrier's receipt says it reached the handset.</summary>
    Delivered = 3,
}

/// <summary>One text-to-speech notification call; the number shown as calling is <see cref="AliyunOptions.VoiceCalledShowNumber"/>.</summary>
public sealed record VoiceCallRequest(string CalledNumber, string TtsCode, IReadOnlyDictionary<string, string> TtsParam, string OutId);

/// <summary>Aliyun's answer to SingleCallByTts: <see cref="Accepted"/> (Code OK, with a CallId), or the refusal's code.</summary>
public sealed record VoiceCallResult(string Code, string Message, string? CallId)
{
    public bool Accepted => Code == AliyunCodes.Ok;
}

/// <summary>
/// A call as QueryCallDetailByCallId reports it: <see cref="State"/> is the carrier's code (200000 heard, 200002 busy,
/// 200003 not answered, …), empty while the call is under way.
/// </summary>
public sealed record VoiceCallDetail(string CallId, string State, string? StateDescription, int DurationSeconds, bool Finished, bool Answered);

/// <summary>Codes of Aliyun's answers that the service acts on.</summary>
public static class AliyunCodes
{
    public const string Ok = "OK";
    public const string MobileNumberIllegal = "isv.MOBILE_NUMBER_ILLEGAL";
    public const string BusinessLimitControl = "isv.BUSINESS_LIMIT_CONTROL";
    public const string DayLimitControl = "isv.DAY_LIMIT_CONTROL";
    public const string TemplateMissingParameters = "isv.TEMPLATE_MISSING_PARAMETERS";
    public const string SmsTemplateIllegal = "isv.SMS_TEMPLATE_ILLEGAL";
    public const string SmsSignatureIllegal = "isv.SMS_SIGNATURE_ILLEGAL";
    public const string SignatureDoesNotMatch = "SignatureDoesNotMatch";
    public const string InvalidAccessKeyIdNotFound = "InvalidAccessKeyId.NotFound";
    public const string SignatureNonceUsed = "SignatureNonceUsed";
    public const string ServiceUnavailable = "ServiceUnavailable";
    public const string ThrottlingUser = "Throttling.User";

    /// <summary>Codes only time fixes (Aliyun overloaded, throttling the account, a nonce clash): no answer about the request itself.</summary>
    public static bool IsTransient(string code) =>
        code is ServiceUnavailable or SignatureNonceUsed or "InternalError" or "isp.SYSTEM_ERROR" or "ServiceTimeout"
        || code.StartsWith("Throttling", StringComparison.Ordinal);
}

/// <summary>
/// Aliyun could not answer: unreachable, a timeout, HTTP 5xx, an answer that is not JSON, or a code only time fixes
/// (<see cref="AliyunCodes.IsTransient"/>, in <see cref="Code"/>). After a send this means the outcome is unknown: the
/// message or call may have gone out; reconcile by OutId instead of sending again.
/// </summary>
public sealed class AliyunUnavailableException(string message, Exception? inner = null, string? code = null) : UpstreamUnavailableException(message, inner)
{
    public string? Code { get; } = code;
}

/// <summary>Aliyun refused a query (a bad parameter, the AccessKey or signature refused): <see cref="Code"/> says which.</summary>
public sealed class AliyunRefusedException(string code, string message) : Exception($"Aliyun refused the request: {code} ({message}).")
{
    public string Code { get; } = code;

    public string AliyunMessage { get; } = message;
}
