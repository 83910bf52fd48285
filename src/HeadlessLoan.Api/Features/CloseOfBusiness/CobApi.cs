using HeadlessLoan.Api.Platform.Audit;
using HeadlessLoan.Api.Platform.Auth;
using HeadlessLoan.Api.Platform.Database;
using HeadlessLoan.Api.Platform.Errors;
using HeadlessLoan.Api.Platform.RateLimiting;
using Microsoft.AspNetCore.Http.HttpResults;

namespace HeadlessLoan.Api.Features.CloseOfBusiness;

public sealed record CobRunResponse(
    DateOnly CobDate, string Status, int LoansProcessed, int Failures, string? LastError, DateTimeOffset StartedAt, DateTimeOffset? FinishedAt);

public sealed record CobRunsResponse(DateOnly? BusinessDate, IReadOnlyList<CobRunResponse> Runs);

/// <summary>What staff see of the close of business, and the rerun of a date that failed.</summary>
public static class CobApi
{
    public static IEndpointRouteBuilder MapCobApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/cob/runs").WithTags("Close of business").RequireRateLimiting(RateLimitPolicies.PerCaller);
        group.MapGet("/", ListCobRuns).WithName("ListCobRuns").WithSummary("The business date and the latest COB runs, newest first")
            .RequireAuthorization(Policies.Staff).ProducesAuthProblems(forbidden: true).ProducesProblems(400, 422, 429);
        group.MapPost("/{cobDate}/rerun", RerunCobDate).WithName("RerunCobDate").WithSummary("Hand a failed COB date back to the job, from where it stopped")
            .RequireAuthorization(Policies.Admin).ProducesAuthProblems(forbidden: true).ProducesProblems(400, 404, 409, 429);
        return app;
    }

    public static async Task<Results<Ok<CobRunsResponse>, ProblemHttpResult>> ListCobRuns(int? limit, CobRuns runs, CancellationToken ct)
    {
        var v = new RequestValidator();
        v.Range(limit, 1, 366, "limit");
        if (v.HasErrors)
        {
            return v.ToProblem();
        }

        var (businessDate, rows) = await runs.ListAsync(limit ?? 30, ct);
        return TypedResults.Ok(new CobRunsResponse(businessDate, rows.Select(ToResponse).ToList()));
    }

    public static async Task<Results<Ok<CobRunResponse>, ProblemHttpResult>> RerunCobDate(
        DateOnly cobDate, CurrentCaller caller, CobRuns runs, AuditTrail audit, TimeProvider clock, CancellationToken ct) =>
        await runs.RerunAsync(cobDate, caller.Actor, audit, DbTime.Now(clock), ct) switch
        {
            (CobRerunOutcome.Rerun, { } run) => TypedResults.Ok(ToResponse(run)),
            (CobRerunOutcome.NotFound, _) => Problems.NotFound("The COB run"),
            _ => Problems.Conflict("cob_run_not_failed", "Only a COB date that failed can be rerun."),
        };

    private static CobRunResponse ToResponse(CobRunRow r) => new(
        DateOnly.FromDateTime(r.CobDate), r.Status, checked((int)r.LoansProcessed), r.Failures, r.LastError, DbTime.ToOffset(r.StartedAt), DbTime.ToOffset(r.FinishedAt));
}
