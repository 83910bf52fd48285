using HeadlessLoan.Api.Features.Loans;
using HeadlessLoan.Api.Platform.Audit;
using HeadlessLoan.Api.Platform.Auth;
using HeadlessLoan.Api.Platform.Database;
using HeadlessLoan.Api.Platform.Errors;
using HeadlessLoan.Api.Platform.RateLimiting;
using HeadlessLoan.Domain.CreditLines;
using Microsoft.AspNetCore.Http.HttpResults;

namespace HeadlessLoan.Api.Features.CreditLines;

public sealed record CreditLineChangeResponse(long? FromLimit, long ToLimit, string Reason, int RulesVersion, Guid? LoanId, DateTimeOffset ChangedAt);

public sealed record CreditLineResponse(
    Guid BorrowerId, long Limit, long Used, long Available, int OnTimeStreak, int RulesVersion, DateTimeOffset UpdatedAt, IReadOnlyList<CreditLineChangeResponse> Changes);

public sealed record CreditLineRulesRequest(decimal? InitialFactor, int? RaiseAfterOnTime, decimal? RaiseShare, decimal? CutShare, long? MaxLimit, long? RoundTo, string? Note);

public sealed record CreditLineRulesResponse(
    int Version, decimal InitialFactor, int RaiseAfterOnTime, decimal RaiseShare, decimal CutShare, long MaxLimit, long RoundTo, string Note, Guid? CreatedBy,
    DateTimeOffset CreatedAt);

/// <summary>Credit lines: the borrower's own, any borrower's for staff, and the versioned rules that move them.</summary>
public static class CreditLinesApi
{
    public static IEndpointRouteBuilder MapCreditLinesApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/v1/borrowers/me/credit-line", GetMine).WithName("GetMyCreditLine").WithTags("Borrowers")
            .WithSummary("The signed-in borrower's credit line: limit, used, available, and how it moved")
            .RequireAuthorization(Policies.Borrower).RequireRateLimiting(RateLimitPolicies.PerCaller).ProducesAuthProblems(forbidden: true).ProducesProblems(404, 429);
        app.MapGet("/v1/borrowers/{borrowerId:guid}/credit-line", GetBorrowers).WithName("GetCreditLine").WithTags("Borrowers")
            .WithSummary("A borrower's credit line, for staff")
            .RequireAuthorization(Policies.Staff).RequireRateLimiting(RateLimitPolicies.PerCaller).ProducesAuthProblems(forbidden: true).ProducesProblems(404, 429);
        var rules = app.MapGroup("/v1/credit-line-rules").WithTags("Borrowers").RequireRateLimiting(RateLimitPolicies.PerCaller);
        rules.MapGet("/", GetRules).WithName("GetCreditLineRules").WithSummary("The credit line rules in force, or a given version")
            .RequireAuthorization(Policies.Staff).ProducesAuthProblems(forbidden: true).ProducesProblems(400, 404, 429);
        rules.MapPut("/", ChangeRules).WithName("ChangeCreditLineRules").WithSummary("Replace the credit line rules: writes a new version")
            .RequireAuthorization(Policies.Admin).ProducesAuthProblems(forbidden: true).ProducesProblems(400, 422, 429);
        return app;
    }

    public static Task<Results<Ok<CreditLineResponse>, ProblemHttpResult>> GetMine(CurrentCaller caller, CreditLines lines, BorrowerExposure exposure, CancellationToken ct) =>
        GetAsync(caller.Id, lines, exposure, ct);

    public static Task<Results<Ok<CreditLineResponse>, ProblemHttpResult>> GetBorrowers(Guid borrowerId, CreditLines lines, BorrowerExposure exposure, CancellationToken ct) =>
        GetAsync(borrowerId, lines, exposure, ct);

    private static async Task<Results<Ok<CreditLineResponse>, ProblemHttpResult>> GetAsync(Guid borrowerId, CreditLines lines, BorrowerExposure exposure, CancellationToken ct)
    {
        if (await lines.GetAsync(borrowerId, ct) is not var (line, changes))
        {
            return Problems.NotFound("The credit line");
        }

        var used = await exposure.PrincipalOwedAsync(borrowerId, ct);
        return TypedResults.Ok(new CreditLineResponse(borrowerId, line.CreditLimit, used, CreditLinePolicy.Available(line.ToDomain(), used), line.OnTimeStreak,
            line.RulesVersion, DbTime.ToOffset(line.UpdatedAt),
            changes.Select(c => new CreditLineChangeResponse(c.FromLimit, c.ToLimit, c.Reason, c.RulesVersion, c.LoanId, DbTime.ToOffset(c.ChangedAt))).ToList()));
    }

    public static async Task<Results<Ok<CreditLineRulesResponse>, ProblemHttpResult>> GetRules(int? version, CreditLines lines, CancellationToken ct) =>
        await lines.RulesAsync(version, ct) is { } rules ? TypedResults.Ok(ToResponse(rules)) : Problems.NotFound("The credit line rules version");

    public static async Task<Results<Ok<CreditLineRulesResponse>, ProblemHttpResult>> ChangeRules(
        CreditLineRulesRequest request, CurrentCaller caller, CreditLines lines, AuditTrail audit, TimeProvider clock, CancellationToken ct)
    {
        var v = new RequestValidator();
        v.Required(request.InitialFactor, "initialFactor");
        v.Required(request.RaiseAfterOnTime, "raiseAfterOnTime");
        v.Required(request.RaiseShare, "raiseShare");
        v.Required(request.CutShare, "cutShare");
        v.Required(request.MaxLimit, "maxLimit");
        if (v.Required(request.Note, "note"))
        {
            v.Length(request.Note!.Trim(), 1, 200, "note");
        }

        if (v.HasErrors)
        {
            return v.ToProblem();
        }

        var rules = new CreditLineRules(1, request.InitialFactor!.Value, request.RaiseAfterOnTime!.Value, request.RaiseShare!.Value, request.CutShare!.Value,
            request.MaxLimit!.Value, request.RoundTo ?? 10_000);
        if (rules.Problem() is { } problem)
        {
            var field = problem.Split(' ')[0];
            return Problems.Unprocessable("credit_line_rules_invalid", "The rules are not usable.", field, problem);
        }

        var written = await lines.ChangeRulesAsync(rules, request.Note!.Trim(), caller.Actor, caller.Id, DbTime.Now(clock), audit, ct);
        return TypedResults.Ok(ToResponse(written));
    }

    private static CreditLineRulesResponse ToResponse(CreditLineRulesRow r) => new(
        r.Version, r.InitialFactor, r.RaiseAfterOnTime, r.RaiseShare, r.CutShare, r.MaxLimit, r.RoundTo, r.Note, r.CreatedBy, DbTime.ToOffset(r.CreatedAt));
}
