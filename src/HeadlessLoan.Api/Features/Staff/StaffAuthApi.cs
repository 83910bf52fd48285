using HeadlessLoan.Api.Platform.Idempotency;
using HeadlessLoan.Api.Platform.Database;
using HeadlessLoan.Api.Platform.Auth;
using HeadlessLoan.Api.Platform.Errors;
using HeadlessLoan.Api.Platform.RateLimiting;
using HeadlessLoan.Api.Features.Staff;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using HeadlessLoan.Api.Platform.Network;

namespace HeadlessLoan.Api.Features.Staff;

public sealed record StaffTokenRequest(string? Username, string? Password);

public sealed record TokenResponse(string AccessToken, string TokenType, int ExpiresIn, IReadOnlyList<string> Roles);

/// <summary><c>POST /v1/auth/staff/token</c>: password sign-in for staff, with lock-out after repeated failures.</summary>
public static class StaffAuthApi
{
    public static IEndpointRouteBuilder MapStaffAuthApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/v1/auth/staff/token", IssueStaffToken)
            .WithName("IssueStaffToken")
            .WithSummary("Sign in as staff and receive a bearer token")
            .WithMetadata(new SecretsInAnswer("accessToken"))
            .WithTags("Auth")
            .AllowAnonymous()
            .RequireRateLimiting(RateLimitPolicies.StaffLogin)
            // Not the request's last word: the same credentials may succeed once a lock-out ends or an admin acts.
            .WithMetadata(new TemporaryRefusals(InvalidCredentials))
            .ProducesProblems(400, 401, 422, 429);
        return app;
    }

    /// <summary>
    /// Every refusal is the same 401, whatever its reason (unknown username, wrong password, locked out, disabled), and costs
    /// one password hash, so the answer tells a stranger nothing about the account; the reason goes to the audit trail.
    /// Failures are counted per account and client address: a stranger can lock only their own address out.
    /// </summary>
    public static async Task<Results<Ok<TokenResponse>, ProblemHttpResult>> IssueStaffToken(
        StaffTokenRequest request, HttpContext http, StaffStore store, TokenIssuer tokens, IOptions<AuthOptions> options, CancellationToken ct)
    {
        var v = new RequestValidator();
        v.Required(request.Username, "username");
        v.Required(request.Password, "password");
        v.Length(request.Username, 1, 64, "username");
        v.Length(request.Password, 1, StaffRules.MaxPasswordLength, "password");
        if (v.HasErrors)
        {
            return v.ToProblem();
        }

        var source = ClientAddress.Of(http) ?? "unknown";
        var user = await store.FindByUsernameAsync(request.Username!, ct);
        var (refusal, check) = await CheckAsync(user, request.Password!, source, store, options.Value, ct);
        if (refusal is not null)
        {
            await store.RecordRefusalAsync(user?.Id, source, refusal, ct);
            return Problems.Create(401, InvalidCredentials, "The username or password is wrong, or the account cannot sign in now.");
        }

        var rehash = check == GuardedPassword.RightRehashNeeded ? StaffStore.HashPassword(request.Password!) : null;
        await store.RecordSignInAsync(user!, source, rehash, ct);
        var token = tokens.Issue(Caller.Staff, user!.Id.ToString(), user.DisplayName, user.RoleList, user.TokenVersion);
        return TypedResults.Ok(new TokenResponse(token.AccessToken, "Bearer", token.ExpiresIn, user.RoleList));
    }

    public const string InvalidCredentials = "invalid_credentials";

    /// <summary>Why the sign-in is refused (for the audit trail), or null when it may go on with the checked password.</summary>
    private static async Task<(string? Refusal, GuardedPassword Checked)> CheckAsync(StaffUser? user, string password, string source, StaffStore store, AuthOptions options, CancellationToken ct)
    {
        if (user is null)
        {
            StaffStore.Verify(null, password);
            return ("unknown_username", GuardedPassword.Wrong);
        }

        var check = await store.CheckPasswordAsync(user, password, source, options, ct);
        switch (check)
        {
            case GuardedPassword.LockedOut:
                return ("locked_out", check);
            case GuardedPassword.Wrong:
                return ("wrong_password", check);
            case GuardedPassword.WrongNowLockedOut:
                return ("wrong_password_locked_out", check);
        }

        if (user.Disabled)
        {
            await store.ForgetAttemptsAsync(user.Id, source, ct); // the right password: the attempt is given back
            return ("disabled", check);
        }

        return (null, check);
    }
}
