using HeadlessLoan.Api.Platform.Auth;
using HeadlessLoan.Api.Platform.Database;
using HeadlessLoan.Api.Platform.Errors;
using HeadlessLoan.Api.Platform.RateLimiting;
using HeadlessLoan.Api.Platform.Privacy;
using HeadlessLoan.Api.Integrations.WeChat;
using HeadlessLoan.Domain.Privacy;
using Microsoft.AspNetCore.Http.HttpResults;

namespace HeadlessLoan.Api.Features.Borrowers;

public sealed record BindPhoneRequest(string? Code);

public sealed record BorrowerResponse(Guid Id, string? Phone, DateTimeOffset CreatedAt);

/// <summary>The signed-in borrower's own record; personal data only ever leaves masked.</summary>
public static class BorrowersApi
{
    public static IEndpointRouteBuilder MapBorrowersApi(this IEndpointRouteBuilder app)
    {
        var me = app.MapGroup("/v1/borrowers/me").WithTags("Borrowers")
            .RequireAuthorization(Policies.Borrower).RequireRateLimiting(RateLimitPolicies.PerCaller);
        me.MapGet("/", GetMe).WithName("GetMyBorrower").WithSummary("The signed-in borrower")
            .ProducesAuthProblems(forbidden: true).ProducesProblems(429);
        me.MapPost("/phone", BindPhone).WithName("BindMyPhone")
            .WithSummary("Bind the phone number the user shared through the mini-program's getPhoneNumber button")
            .ProducesAuthProblems(forbidden: true).ProducesProblems(400, 422, 429, 502, 503);
        return app;
    }

    public static async Task<Results<Ok<BorrowerResponse>, ProblemHttpResult>> GetMe(
        HttpContext http, CurrentCaller caller, BorrowerStore store, PersonalDataProtector protector, CancellationToken ct) =>
        await store.GetAsync(caller.Id, ct) is { } row
            ? TypedResults.Ok(ToResponse(row, protector))
            : Problems.NotFound("The borrower");

    public static async Task<Results<Ok<BorrowerResponse>, ProblemHttpResult>> BindPhone(
        BindPhoneRequest request, HttpContext http, CurrentCaller caller, WeChatApiClient wechat, BorrowerStore store, PersonalDataProtector protector, CancellationToken ct)
    {
        if (WeChatProblems.CheckCode(request.Code) is { } invalid)
        {
            return invalid;
        }

        WxaBusinessGetUserPhoneNumberResponse answer;
        try
        {
            answer = await wechat.ExecuteWxaBusinessGetUserPhoneNumberAsync(new WxaBusinessGetUserPhoneNumberRequest(request.Code!), ct);
        }
        catch (WeChatUnavailableException e)
        {
            return WeChatProblems.Unavailable(http, e);
        }

        if (!answer.IsSuccessful())
        {
            return answer.ErrorCode switch
            {
                var code when WeChatErrorCodes.IsCodeRejected(code) =>
                    Problems.Unprocessable("phone_code_invalid", "The phone code is invalid, expired or already used.", "code", "Ask the user to tap the phone button again."),
                var code => WeChatProblems.For(code, http),
            };
        }

        var phone = answer.PhoneInfo?.PurePhoneNumber;
        if (phone is not { Length: > 0 and <= BorrowerStore.MaxPhoneDigits } || !phone.All(char.IsAsciiDigit))
        {
            return WeChatProblems.Unusable($"a phone number of 1 to {BorrowerStore.MaxPhoneDigits} digits");
        }

        return await store.SetPhoneAsync(caller.Id, phone, caller.Actor, ct) is { } row
            ? TypedResults.Ok(ToResponse(row, protector))
            : Problems.NotFound("The borrower");
    }

    private static BorrowerResponse ToResponse(BorrowerRow row, PersonalDataProtector protector) => new(
        row.Id,
        row.PhoneEnc is { } enc ? Mask.Phone(protector.Decrypt(enc, PersonalDataPurpose.Phone)) : null,
        DbTime.ToOffset(row.CreatedAt));
}
