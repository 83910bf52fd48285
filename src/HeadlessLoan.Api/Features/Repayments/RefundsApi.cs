using HeadlessLoan.Api.Features.Loans;
using HeadlessLoan.Api.Platform.Auth;
using HeadlessLoan.Api.Platform.Database;
using HeadlessLoan.Api.Platform.Errors;
using HeadlessLoan.Api.Platform.RateLimiting;
using Microsoft.AspNetCore.Http.HttpResults;

namespace HeadlessLoan.Api.Features.Repayments;

public sealed record AskRefundRequest(long? Amount, string? Reason, Guid? PaymentOrderId);

public sealed record RefundResponse(
    Guid Id, Guid LoanId, Guid PaymentOrderId, long Amount, string Reason, string Status, string? RefundId, Guid RequestedBy, Guid? ApprovedBy,
    DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, DateTimeOffset? CompletedAt);

public sealed record RefundListResponse(IReadOnlyList<RefundResponse> Items);

/// <summary>Refunds of a borrower's credit through WeChat Pay: asked for by one supervisor, approved by a second.</summary>
public static class RefundsApi
{
    /// <summary>WeChat Pay shows the reason to the payer, up to 80 characters.</summary>
    public const int MaxReasonLength = 80;

    public static IEndpointRouteBuilder MapRefundsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/loans/{loanId:guid}/refunds").WithTags("Repayments").RequireRateLimiting(RateLimitPolicies.PerCaller);
        group.MapPost("/", Ask).WithName("RequestRefund").RequireAuthorization(Policies.Supervisor)
            .WithSummary("Ask for part of the borrower's credit to be refunded through WeChat Pay; a second person approves it")
            .ProducesAuthProblems(forbidden: true).ProducesProblems(400, 404, 409, 422, 429).Validates<AskRefundRequest>(Validate);
        group.MapGet("/", List).WithName("ListRefunds").RequireAuthorization(Policies.AnyCaller).WithSummary("A loan's refunds, oldest first")
            .ProducesAuthProblems().ProducesProblems(404, 429);
        group.MapPost("/{refundId:guid}/approve", Approve).WithName("ApproveRefund").RequireAuthorization(Policies.Supervisor)
            .WithSummary("Approve another person's refund: the credit is set aside and WeChat Pay is asked to pay it back")
            .ProducesAuthProblems(forbidden: true).ProducesProblems(400, 404, 409, 422, 429);
        group.MapPost("/{refundId:guid}/reject", Reject).WithName("RejectRefund").RequireAuthorization(Policies.Supervisor)
            .WithSummary("Reject a refund waiting for approval")
            .ProducesAuthProblems(forbidden: true).ProducesProblems(400, 404, 409, 422, 429);
        return app;
    }

    private static void Validate(AskRefundRequest request, RequestValidator v, HttpContext http)
    {
        if (v.Required(request.Amount, "amount"))
        {
            v.Range(request.Amount, 1L, 100_000_000_000L, "amount");
        }

        if (v.Required(request.Reason, "reason"))
        {
            v.Length(request.Reason, 1, MaxReasonLength, "reason");
        }
    }

    public static async Task<Results<Created<RefundResponse>, ProblemHttpResult>> Ask(
        Guid loanId, AskRefundRequest request, CurrentCaller caller, Refunds refunds, CancellationToken ct) =>
        await refunds.AskAsync(loanId, request.Amount!.Value, request.Reason!.Trim(), request.PaymentOrderId, caller.Id, ct) switch
        {
            (RefundOutcome.Done, var row) => TypedResults.Created($"/v1/loans/{loanId}/refunds", ToResponse(row!)),
            (var outcome, _) => Refusal(outcome),
        };

    public static async Task<Results<Ok<RefundListResponse>, ProblemHttpResult>> List(
        Guid loanId, CurrentCaller caller, Refunds refunds, LoanPayments loans, CancellationToken ct) =>
        !await loans.MaySeeAsync(loanId, caller, ct)
            ? Problems.NotFound("The loan")
            : TypedResults.Ok(new RefundListResponse((await refunds.ListAsync(loanId, ct)).Select(ToResponse).ToList()));

    /// <summary>
    /// Approves the refund; the reconciliation job sends it to WeChat Pay at its next turn (not this request: its change
    /// commits with its answer, and until then it holds the loan's row that settling the answer needs).
    /// </summary>
    public static Task<Results<Ok<RefundResponse>, ProblemHttpResult>> Approve(
        Guid loanId, Guid refundId, CurrentCaller caller, Refunds refunds, CancellationToken ct) =>
        DecideAsync(loanId, refundId, approve: true, caller, refunds, ct);

    public static Task<Results<Ok<RefundResponse>, ProblemHttpResult>> Reject(
        Guid loanId, Guid refundId, CurrentCaller caller, Refunds refunds, CancellationToken ct) =>
        DecideAsync(loanId, refundId, approve: false, caller, refunds, ct);

    private static async Task<Results<Ok<RefundResponse>, ProblemHttpResult>> DecideAsync(
        Guid loanId, Guid refundId, bool approve, CurrentCaller caller, Refunds refunds, CancellationToken ct) =>
        await refunds.DecideAsync(loanId, refundId, approve, caller.Id, ct) switch
        {
            (RefundOutcome.Done, var row) => TypedResults.Ok(ToResponse(row!)),
            (var outcome, _) => Refusal(outcome),
        };

    private static ProblemHttpResult Refusal(RefundOutcome outcome) => outcome switch
    {
        RefundOutcome.LoanNotFound => Problems.NotFound("The loan"),
        RefundOutcome.NotFound => Problems.NotFound("The refund"),
        RefundOutcome.NoPaymentOrder => Problems.Conflict("refund_no_payment", "The loan has no paid WeChat Pay order (of this id) to refund through."),
        RefundOutcome.OrderTooOld => Problems.Conflict("refund_window_passed", "WeChat Pay refunds a payment up to 365 days after it was made."),
        RefundOutcome.TooManyRefunds => Problems.Conflict("refund_limit_reached", $"WeChat Pay takes at most {Refunds.MaxRefundsPerOrder} refunds of one payment."),
        RefundOutcome.AboveRefundable => Problems.Conflict("refund_above_payment", "No payment of the loan has that much left to refund."),
        RefundOutcome.AboveCredit => Problems.Conflict("refund_above_credit", "The borrower's credit is less than the refund."),
        RefundOutcome.NotPending => Problems.Conflict(Domain.Loans.RefundRefusals.NotAwaitingApproval, "The refund was approved or rejected already."),
        RefundOutcome.SamePerson => Problems.SamePerson("A second person approves a refund, not the one who asked for it."),
        _ => throw new ArgumentOutOfRangeException(nameof(outcome), outcome, null),
    };

    private static RefundResponse ToResponse(RefundRow r) => new(
        r.Id, r.LoanId, Guid.ParseExact(r.OutTradeNo, "N"), r.Amount, r.Reason, r.Status, r.RefundId, r.RequestedBy, r.ApprovedBy,
        DbTime.ToOffset(r.CreatedAt), DbTime.ToOffset(r.UpdatedAt), DbTime.ToOffset(r.CompletedAt));
}
