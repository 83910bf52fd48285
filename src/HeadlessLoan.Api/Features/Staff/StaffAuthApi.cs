using HeadlessLoan.Api.Platform.Idempotency;
using HeadlessLoan.Api.Platform.Database;
using HeadlessLoan.Api.Platform.Auth;
using HeadlessLoan.Api.Platform.Errors;
using HeadlessLoan.Api.Platform.RateLimiting;
using HeadlessLoan.Api.Features.Staff;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;

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
            .RequireRateLimiting(RateLimitPolicies.Login)
            .ProducesProblems(400, 401, 403, 422, 423, 429);
        return app;
    }

    public static async Task<Results<Ok<TokenResponse>, ProblemHttpResult>> IssueStaffToken(
        StaffTokenRequest request, HttpContext http, StaffStore store, TokenIssuer tokens, IOptions<AuthOptions> options, TimeProvider clock, CancellationToken ct)
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

        var user = await store.FindByUsernameAsync(request.Username!, ct);
        if (user?.LockedUntil is { } until && until > DbTime.Now(clock))
        {
            return Locked(http, until, clock);
        }

        // Each guess at a known account takes one of its attempts first, in one conditional UPDATE: guesses arriving
        // together cannot all be evaluated, whatever their number.
        if (user is not null && !await store.TryTakeAttemptAsync(user.Id, options.Value.MaxFailedLogins, ct))
        {
            return Locked(http, await store.LockedUntilAsync(user.Id, ct) ?? DbTime.Now(clock).AddSeconds(1), clock);
        }

        var result = StaffStore.Verify(user, request.Password!);
        if (user is null || result == PasswordVerificationResult.Failed)
        {
            if (user is not null &&
                await store.RecordFailureAsync(user.Id, options.Value.MaxFailedLogins, TimeSpan.FromMinutes(options.Value.LockoutMinutes), ct) is { } lockedUntil)
            {
                return Locked(http, lockedUntil, clock);
            }

            return Problems.Create(401, "invalid_credentials", "The username or password is wrong.");
        }

        if (user.Disabled)
        {
            await store.RecordSuccessAsync(user.Id, null, ct); // the right password: the attempt is given back
            return Problems.Create(403, "account_disabled", "This staff account is disabled.");
        }

        var rehash = result == PasswordVerificationResult.SuccessRehashNeeded ? StaffStore.HashPassword(request.Password!) : null;
        await store.RecordSuccessAsync(user.Id, rehash, ct);
        var token = tokens.Issue(Caller.Staff, user.Id.ToString(), user.DisplayName, user.RoleList);
        return TypedResults.Ok(new TokenResponse(token.AccessToken, "Bearer", token.ExpiresIn, user.RoleList));
    }

    private static ProblemHttpResult Locked(HttpContext http, DateTime until, TimeProvider clock)
    {
        var seconds = Math.Max(1, (int)Math.Ceiling((until - DbTime.Now(clock)).TotalSeconds));
        http.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return Problems.Create(423, "account_locked", "Too many failed sign-ins; the account is locked for a while.", $"Try again in {seconds} seconds.");
    }
}
