using System.Globalization;
using HeadlessLoan.Api.Platform.Errors;
using Microsoft.AspNetCore.Http.HttpResults;

namespace HeadlessLoan.Api.Integrations.WeChat;

/// <summary>How WeChat's failures reach our callers.</summary>
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

    public static ProblemHttpResult Unavailable(HttpContext http)
    {
        http.Response.Headers.RetryAfter = "5";
        return Problems.Create(503, "upstream_unavailable", "WeChat is not reachable right now; retry shortly.");
    }

    public static ProblemHttpResult RateLimited(HttpContext http)
    {
        http.Response.Headers.RetryAfter = 60.ToString(CultureInfo.InvariantCulture);
        return Problems.Create(429, "wechat_rate_limited", "WeChat limits how often one user may do this; retry in a minute.");
    }

    /// <summary>A WeChat error the caller has no answer of its own for: WeChat's rate limit, or any other refusal.</summary>
    public static ProblemHttpResult For(int errorCode, HttpContext http) =>
        errorCode == WeChatErrorCodes.RateLimited ? RateLimited(http) : UpstreamError(errorCode);

    public static ProblemHttpResult UpstreamError(int errorCode) =>
        Problems.Create(502, "upstream_error", "WeChat refused the request.", $"WeChat errcode {errorCode}.");
}
