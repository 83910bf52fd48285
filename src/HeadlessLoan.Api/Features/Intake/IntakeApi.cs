using HeadlessLoan.Api.Platform.Auth;
using HeadlessLoan.Api.Platform.Database;
using HeadlessLoan.Api.Platform.Errors;
using HeadlessLoan.Api.Platform.RateLimiting;
using HeadlessLoan.Domain.Applications;
using Microsoft.AspNetCore.Http.HttpResults;

namespace HeadlessLoan.Api.Features.Intake;

public sealed record IntakeRetryResponse(Guid ApplicationId, string Status, Guid RetriedBy, DateTimeOffset RetriedAt);

/// <summary>What staff do about the credit check: hand an application it gave up on (<c>intake_failed</c>) back to it.</summary>
public static class IntakeApi
{
    public static IEndpointRouteBuilder MapIntakeApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/v1/applications/{applicationId:guid}/intake-retry", RetryIntake).WithName("RetryApplicationIntake").WithTags("Applications")
            .WithSummary("Hand an application the credit check gave up on back to it, its attempts counted afresh")
            .RequireAuthorization(Policies.Supervisor).RequireRateLimiting(RateLimitPolicies.PerCaller)
            .ProducesAuthProblems(forbidden: true).ProducesProblems(400, 404, 409, 422, 429);
        return app;
    }

    public static async Task<Results<Ok<IntakeRetryResponse>, ProblemHttpResult>> RetryIntake(
        Guid applicationId, CurrentCaller caller, DecisionStore store, TimeProvider clock, CancellationToken ct)
    {
        var now = DbTime.Now(clock);
        return await store.RetryAsync(applicationId, caller.Actor, now, ct) switch
        {
            IntakeRetryOutcome.Retried => TypedResults.Ok(new IntakeRetryResponse(applicationId, ApplicationStatusNames.Submitted, caller.Id, DbTime.ToOffset(now))),
            IntakeRetryOutcome.NotFound => Problems.NotFound("The application"),
            _ => Problems.Conflict(ApplicationRefusals.NotIntakeFailed, "Only an application the credit check gave up on (intake_failed) can be retried."),
        };
    }
}
