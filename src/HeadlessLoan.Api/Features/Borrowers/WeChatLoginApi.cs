using System.Globalization;
using HeadlessLoan.Api.Platform.Idempotency;
using HeadlessLoan.Api.Platform.Auth;
using HeadlessLoan.Api.Platform.Errors;
using HeadlessLoan.Api.Platform.RateLimiting;
using HeadlessLoan.Api.Integrations.WeChat;
using Microsoft.AspNetCore.Http.HttpResults;

namespace HeadlessLoan.Api.Features.Borrowers;

public sealed record WeChatLoginRequest(string? Code);

public sealed record BorrowerTokenResponse(string AccessToken, string TokenType, int ExpiresIn, Guid BorrowerId, bool NewBorrower);

/// <summary>
/// <c>POST /v1/auth/wechat/login</c>: the mini-program's <c>wx.login</c> code is exchanged with WeChat for the
/// user's openid; the borrower is found or created and receives a bearer token. WeChat's session key is kept
/// encrypted and never leaves the server.
/// </summary>
public static class WeChatLoginApi
{
    public static IEndpointRouteBuilder MapWeChatLoginApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/v1/auth/wechat/login", LogInWithWeChat)
            .WithName("LogInWithWeChat")
            .WithSummary("Sign a borrower in with a mini-program login code")
            .WithMetadata(new SecretsInAnswer("accessToken"))
            .WithTags("Auth")
            .AllowAnonymous()
            .RequireRateLimiting(RateLimitPolicies.WeChatLogin)
            .ProducesProblems(400, 401, 403, 422, 429, 502, 503);
        return app;
    }

    public static async Task<Results<Ok<BorrowerTokenResponse>, ProblemHttpResult>> LogInWithWeChat(
        WeChatLoginRequest request, HttpContext http, WeChatApiClient wechat, BorrowerStore borrowers, TokenIssuer tokens, CancellationToken ct)
    {
        if (WeChatProblems.CheckCode(request.Code) is { } invalid)
        {
            return invalid;
        }

        SnsJsCode2SessionResponse session;
        try
        {
            session = await wechat.ExecuteSnsJsCode2SessionAsync(new SnsJsCode2SessionRequest(request.Code!), ct);
        }
        catch (WeChatUnavailableException e)
        {
            return WeChatProblems.Unavailable(http, e);
        }

        if (!session.IsSuccessful())
        {
            return session.ErrorCode switch
            {
                var code when WeChatErrorCodes.IsCodeRejected(code) =>
                    Problems.Create(401, "wechat_code_invalid", "The login code is invalid, expired or already used; call wx.login again."),
                WeChatErrorCodes.HighRiskUser => Problems.Create(403, "wechat_user_blocked", "WeChat flags this user as high-risk; sign-in is refused."),
                var code => WeChatProblems.For(code, http),
            };
        }

        if (!IsAscii(session.OpenId, BorrowerStore.MaxWeChatIdLength) || !IsAscii(session.SessionKey, BorrowerStore.MaxSessionKeyLength)
            || (session.UnionId is not null && !IsAscii(session.UnionId, BorrowerStore.MaxWeChatIdLength)))
        {
            return WeChatProblems.Unusable($"an openid (and unionid) of 1 to {BorrowerStore.MaxWeChatIdLength} and a session key of 1 to {BorrowerStore.MaxSessionKeyLength} printable ASCII characters");
        }

        var (id, created) = await borrowers.SignInAsync(session.OpenId, session.UnionId, session.SessionKey, ct);
        var token = tokens.Issue(Caller.Borrower, id.ToString(), "borrower", []);
        return TypedResults.Ok(new BorrowerTokenResponse(token.AccessToken, "Bearer", token.ExpiresIn, id, created));
    }

    private static bool IsAscii([System.Diagnostics.CodeAnalysis.NotNullWhen(true)] string? value, int maxLength) =>
        value is { Length: > 0 } && value.Length <= maxLength && value.All(c => c is >= '!' and <= '~');
}
