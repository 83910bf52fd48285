using HeadlessLoan.Api.Platform;
using HeadlessLoan.Api.Platform.Auth;
using HeadlessLoan.Api.Platform.Database;
using HeadlessLoan.Api.Platform.Errors;
using HeadlessLoan.Api.Platform.RateLimiting;
using Microsoft.AspNetCore.Http.HttpResults;

namespace HeadlessLoan.Api.Features.Repayments;

public sealed record RecordOfflineRepaymentRequest(long? Amount, DateOnly? ReceivedOn, string? Reference, string? Note);

public sealed record OfflineRepaymentResponse(
    Guid Id, Guid LoanId, long Amount, DateOnly ReceivedOn, string Reference, string? Note, string Status, Guid RequestedBy, Guid? DecidedBy,
    DateTimeOffset CreatedAt, DateTimeOffset? DecidedAt);

public sealed record OfflineRepaymentListResponse(IReadOnlyList<OfflineRepaymentResponse> Items);

/// <summary>Offline repayments: recorded by one supervisor, applied when a second approves (four eyes).</summary>
public static class OfflineRepaymentsApi
{
    public const int MaxReferenceLength = 64;
    public const int MaxNoteLength = 200;

    public static IEndpointRouteBuilder MapOfflineRepaymentsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/loans/{loanId:guid}/offline-repayments").WithTags("Repayments").RequireRateLimiting(RateLimitPolicies.PerCaller);
        group.MapPost("/", Record).WithName("RecordOfflineRepayment").RequireAuthorization(Policies.Supervisor)
            .WithSummary("Record money the borrower paid outside WeChat Pay; a second person approves it before it is applied")
            .ProducesAuthProblems(forbidden: true).ProducesProblems(400, 404, 409, 422, 429)
            .Validates<RecordOfflineRepaymentRequest>(Validate);
        group.MapGet("/", List).WithName("ListOfflineRepayments").RequireAuthorization(Policies.AnyCaller).WithSummary("A loan's offline repayments, oldest first")
            .ProducesAuthProblems().ProducesProblems(404, 429);
        group.MapPost("/{repaymentId:guid}/approve", Approve).WithName("ApproveOfflineRepayment").RequireAuthorization(Policies.Supervisor)
            .WithSummary("Approve another person's offline repayment: it is applied to the loan")
            .ProducesAuthProblems(forbidden: true).ProducesProblems(400, 404, 409, 422, 429);
        group.MapPost("/{repaymentId:guid}/reject", Reject).WithName("RejectOfflineRepayment").RequireAuthorization(Policies.Supervisor)
            .WithSummary("Reject an offline repayment waiting for approval: nothing is applied")
            .ProducesAuthProblems(forbidden: true).ProducesProblems(400, 404, 409, 422, 429);
        return app;
    }

    private static void Validate(RecordOfflineRepaymentRequest request, RequestValidator v, HttpContext http)
    {
        var today = ChinaTime.Today(http.RequestServices.GetRequiredService<TimeProvider>());
        if (v.Required(request.Amount, "amount"))
        {
            v.Range(request.Amount, 1L, 100_000_000_000L, "amount");
        }

        if (v.Required(request.ReceivedOn, "receivedOn"))
        {
            v.Range(request.ReceivedOn, today.AddYears(-1), today, "receivedOn");
        }

        if (v.Required(request.Reference, "reference"))
        {
            v.Length(request.Reference, 1, MaxReferenceLength, "reference");
        }

        if (request.Note is not null)
        {
            v.Length(request.Note, 0, MaxNoteLength, "note");
        }
    }

    public static async Task<Results<Created<OfflineRepaymentResponse>, ProblemHttpResult>> Record(
        Guid loanId, RecordOfflineRepaymentRequest request, CurrentCaller caller, OfflineRepayments repayments, CancellationToken ct) =>
        await repayments.RecordAsync(new NewOfflineRepayment(loanId, request.Amount!.Value, request.ReceivedOn!.Value, request.Reference!.Trim(), request.Note),
            caller.Id, ct) switch
        {
            (OfflineOutcome.Done, var row) => TypedResults.Created($"/v1/loans/{loanId}/offline-repayments", ToResponse(row!)),
            (var outcome, _) => Refusal(outcome),
        };

    public static async Task<Results<Ok<OfflineRepaymentListResponse>, ProblemHttpResult>> List(
        Guid loanId, CurrentCaller caller, OfflineRepayments repayments, Features.Loans.LoanPayments loans, CancellationToken ct)
    {
        if (!await loans.MaySeeAsync(loanId, caller, ct))
        {
            return Problems.NotFound("The loan");
        }

        return TypedResults.Ok(new OfflineRepaymentListResponse((await repayments.ListAsync(loanId, ct)).Select(ToResponse).ToList()));
    }

    public static Task<Results<Ok<OfflineRepaymentResponse>, ProblemHttpResult>> Approve(
        Guid loanId, Guid repaymentId, CurrentCaller caller, OfflineRepayments repayments, CancellationToken ct) =>
        DecideAsync(loanId, repaymentId, approve: true, caller, repayments, ct);

    public static Task<Results<Ok<OfflineRepaymentResponse>, ProblemHttpResult>> Reject(
        Guid loanId, Guid repaymentId, CurrentCaller caller, OfflineRepayments repayments, CancellationToken ct) =>
        DecideAsync(loanId, repaymentId, approve: false, caller, repayments, ct);

    private static async Task<Results<Ok<OfflineRepaymentResponse>, ProblemHttpResult>> DecideAsync(
        Guid loanId, Guid repaymentId, bool approve, CurrentCaller caller, OfflineRepayments repayments, CancellationToken ct) =>
        await repayments.DecideAsync(loanId, repaymentId, approve, caller.Id, ct) switch
        {
            (OfflineOutcome.Done, var row) => TypedResults.Ok(ToResponse(row!)),
            (var outcome, _) => Refusal(outcome),
        };

    private static ProblemHttpResult Refusal(OfflineOutcome outcome) => outcome switch
    {
        OfflineOutcome.LoanNotFound => Problems.NotFound("The loan"),
        OfflineOutcome.NotFound => Problems.NotFound("The offline repayment"),
        OfflineOutcome.NotDisbursed => Problems.Conflict("loan_not_disbursed", "Only a loan paid out is repaid, and not before the day it was paid out."),
        OfflineOutcome.SameReference => Problems.Conflict("offline_repayment_duplicate", "A repayment with this reference is recorded for the loan already."),
        OfflineOutcome.NotAwaiting => Problems.Conflict("offline_repayment_not_pending", "The repayment was approved or rejected already."),
        OfflineOutcome.SamePerson => Problems.SamePerson("A second person approves a repayment, not the one who recorded it."),
        _ => throw new ArgumentOutOfRangeException(nameof(outcome), outcome, null),
    };

    private static OfflineRepaymentResponse ToResponse(OfflineRepaymentRow r) => new(
        r.Id, r.LoanId, r.Amount, DateOnly.FromDateTime(r.ReceivedOn), r.Reference, r.Note, r.Status, r.RequestedBy, r.DecidedBy,
        DbTime.ToOffset(r.CreatedAt), DbTime.ToOffset(r.DecidedAt));
}
