using System.Globalization;
using HeadlessLoan.Api.Platform.Errors;
using Microsoft.AspNetCore.Http.HttpResults;

namespace HeadlessLoan.Api.Integrations.WeChat;

/// <summary>
/// How WeChat's failures reach our callers. What the caller can act on is a 4xx of the endpoint's own (a new code,
/// a blocked user, a minute's wait); what only the service or time can fix (WeChat busy or unreachable, a quota used
/// up, the appid, secret or server IP refused, an access token WeChat keeps rejecting) is <c>503 upstream_unavailable</c>
/// with a <c>Retry-After</c>; an errcode we do not know is <c>502 upstream_error</c> naming it.
/// </summary>
public static class WeChatProblems
{
    /// <summary>A code from the mini-program (wx.login, getPhoneNumber): present and at most 128 characters.</summary>
    public static ProblemHttpResult? CheckCode(string? code)
    {
        var v = new RequestValidator();
        if (v.Required(code, "code"))
        {
            v.Length(code, 1, 128, "code");
        }

        return v.HasErrors ? v.ToProblem() : null;
    }

    /// <summary>WeChat cannot serve us now: unreachable, busy, or refusing the service itself (<paramref name="errorCode"/>).</summary>
    public static ProblemHttpResult Unavailable(HttpContext http, int? errorCode = null)
    {
        http.Response.Headers.RetryAfter = RetryAfterSeconds(errorCode).ToString(CultureInfo.InvariantCulture);
        return Problems.Create(503, "upstream_unavailable", "WeChat cannot serve this request right now; retry after Retry-After.",
            errorCode is { } code ? $"WeChat errcode {code}." : null);
    }

    public static ProblemHttpResult Unavailable(HttpContext http, WeChatUnavailableException e) => Unavailable(http, e.ErrorCode);

    public static ProblemHttpResult RateLimited(HttpContext http)
    {
        http.Response.Headers.RetryAfter = 60.ToString(CultureInfo.InvariantCulture);
        return Problems.Create(429, "wechat_rate_limited", "WeChat limits how often one user may do this; retry in a minute.");
    }

    /// <summary>
    /// A WeChat answer to a call made for the caller (login, phone number, OCR) that the endpoint has no answer of its
    /// own for. Its 45011 is the per-user limit; the token's own refusals never get here (they are unavailability).
    /// </summary>
    public static ProblemHttpResult For(int errorCode, HttpContext http) => errorCode switch
    {
        WeChatErrorCodes.RateLimited => RateLimited(http),
        _ when IsServiceSide(errorCode) => Unavailable(http, errorCode),
        _ => UpstreamError(errorCode),
    };

    public static ProblemHttpResult UpstreamError(int errorCode) =>
        Problems.Create(502, "upstream_error", "WeChat refused the request.", $"WeChat errcode {errorCode}.");

    /// <summary>WeChat said yes but sent what the service cannot keep (<paramref name="expected"/> says what it needs; never the value).</summary>
    public static ProblemHttpResult Unusable(string expected) =>
        Problems.Create(502, "upstream_error", "WeChat sent an answer the service cannot use.", $"Expected {expected}.");

    /// <summary>Errcodes that say nothing about the caller's request, only about the service's standing with WeChat.</summary>
    private static bool IsServiceSide(int errorCode) => errorCode is
        WeChatErrorCodes.SystemBusy
        or WeChatErrorCodes.InvalidAccessToken or WeChatErrorCodes.AccessTokenExpired
        or WeChatErrorCodes.InvalidGrantType or WeChatErrorCodes.InvalidAppId or WeChatErrorCodes.InvalidSecret
        or WeChatErrorCodes.IpNotWhitelisted
        or WeChatErrorCodes.DailyQuota or WeChatOcrErrorCodes.QuotaExhausted;

    /// <summary>
    /// Busy, unreachable or a token rejected again: seconds. The app's own per-minute limit (on the token): a minute.
    /// The appid, secret, grant or server IP refused: an operator must act, five minutes. A quota used up: an hour.
    /// </summary>
    private static int RetryAfterSeconds(int? errorCode) => errorCode switch
    {
        WeChatErrorCodes.RateLimited => 60,
        WeChatErrorCodes.InvalidGrantType or WeChatErrorCodes.InvalidAppId or WeChatErrorCodes.InvalidSecret
            or WeChatErrorCodes.IpNotWhitelisted => 300,
        WeChatErrorCodes.DailyQuota or WeChatOcrErrorCodes.QuotaExhausted => 3600,
        _ => 5,
    };
}
