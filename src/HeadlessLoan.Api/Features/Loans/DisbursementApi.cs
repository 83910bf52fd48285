using HeadlessLoan.Api.Integrations.Bank;
using HeadlessLoan.Api.Platform.Auth;
using HeadlessLoan.Api.Platform.Database;
using HeadlessLoan.Api.Platform.Errors;
using HeadlessLoan.Api.Platform.RateLimiting;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace HeadlessLoan.Api.Features.Loans;

public sealed record PayoutResponse(
    string PayoutNo, int Attempt, long Amount, string State, string? BankReference, string? FailureCode, string? FailureMessage,
    Guid? RequestedBy, Guid? ApprovedBy, DateTimeOffset CreatedAt, DateTimeOffset? SubmittedAt, DateTimeOffset? CompletedAt);

public sealed record PayoutListResponse(IReadOnlyList<PayoutResponse> Items);

/// <summary>The bank's callback as the contract describes it; the endpoint reads the raw bytes and the bank integration parses them.</summary>
public sealed record BankPayoutCallback(
    [property: System.Text.Json.Serialization.JsonPropertyName("payout_no")] string PayoutNo,
    [property: System.Text.Json.Serialization.JsonPropertyName("state")] string State,
    [property: System.Text.Json.Serialization.JsonPropertyName("bank_reference")] string? BankReference,
    [property: System.Text.Json.Serialization.JsonPropertyName("failure_code")] string? FailureCode,
    [property: System.Text.Json.Serialization.JsonPropertyName("failure_message")] string? FailureMessage,
    [property: System.Text.Json.Serialization.JsonPropertyName("completed_at")] DateTimeOffset? CompletedAt);

/// <summary>Disbursement: the bank's payout callbacks, a loan's payouts, and retries after a failure (four eyes).</summary>
public static class DisbursementApi
{
    /// <summary>A payout callback is a small JSON object; anything larger is not the bank's.</summary>
    public const int MaxCallbackBytes = 16 * 1024;

    public static IEndpointRouteBuilder MapDisbursementApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/v1/webhooks/bank", ReceiveCallback).WithName("ReceiveBankCallback").WithTags("Webhooks")
            .WithSummary("The bank's signed payout callback").AllowAnonymous()
            // Read as raw bytes (the signature is over them); declared for the contract.
            .Accepts<BankPayoutCallback>("application/json")
            .WithMetadata(new BodySizeLimit(MaxCallbackBytes)).Produces(StatusCodes.Status204NoContent).ProducesProblems(400, 401, 404, 413);
        var loans = app.MapGroup("/v1/loans/{loanId:guid}").WithTags("Loans").RequireRateLimiting(RateLimitPolicies.PerCaller);
        loans.MapGet("/payouts", ListPayouts).WithName("ListLoanPayouts").WithSummary("A loan's payouts, each attempt with the bank's answer")
            .RequireAuthorization(Policies.AnyCaller).ProducesAuthProblems().ProducesProblems(404, 429);
        loans.MapPost("/payout-retries", AskRetry).WithName("RequestPayoutRetry")
            .WithSummary("Ask for the failed payout to be tried again; a second person approves it")
            .RequireAuthorization(Policies.Supervisor).ProducesAuthProblems(forbidden: true).ProducesProblems(400, 404, 409, 422, 429);
        loans.MapPost("/payout-retries/approve", ApproveRetry).WithName("ApprovePayoutRetry")
            .WithSummary("Approve another person's payout retry: the bank is asked again")
            .RequireAuthorization(Policies.Supervisor).ProducesAuthProblems(forbidden: true).ProducesProblems(400, 404, 409, 422, 429);
        return app;
    }

    public static async Task<IResult> ReceiveCallback(
        HttpRequest request, [FromServices] BankCallbackVerifier? verifier, PayoutStore store, IOptions<LoansOptions> options, TimeProvider clock,
        CancellationToken ct)
    {
        if (verifier is null)
        {
            // Without the Bank section there is no bank that could have called.
            return Problems.NotFound("The bank callback endpoint");
        }

        using var buffer = new MemoryStream();
        await request.Body.CopyToAsync(buffer, ct);
        var verdict = verifier.Verify(buffer.GetBuffer().AsSpan(0, (int)buffer.Length), BankSignatureHeaders.From(request.Headers));
        if (verdict.Payout is not { } payout)
        {
            return verdict.StatusCode == StatusCodes.Status400BadRequest
                ? Problems.Create(StatusCodes.Status400BadRequest, "callback_malformed", "The callback is not a payout.")
                : Problems.Create(StatusCodes.Status401Unauthorized, "callback_signature_invalid", $"The callback's signature does not hold ({verdict.Refusal}).");
        }

        // An unknown payout number is answered like a known one: the bank need not resend it, and nothing is applied.
        await store.ApplyAsync(payout, DbTime.Now(clock).AddSeconds(options.Value.PayoutQueryAfterSeconds), ct);
        return TypedResults.NoContent();
    }

    public static async Task<Results<Ok<PayoutListResponse>, ProblemHttpResult>> ListPayouts(
        Guid loanId, CurrentCaller caller, LoanStore loans, PayoutRetries payouts, CancellationToken ct)
    {
        if (await loans.GetAsync(loanId, LoanScope.Of(caller), ct) is null)
        {
            return Problems.NotFound("The loan");
        }

        return TypedResults.Ok(new PayoutListResponse((await payouts.ListAsync(loanId, ct)).Select(ToResponse).ToList()));
    }

    public static async Task<Results<Created<PayoutResponse>, ProblemHttpResult>> AskRetry(
        Guid loanId, CurrentCaller caller, PayoutRetries retries, CancellationToken ct) =>
        await retries.AskAsync(loanId, caller.Id, ct) switch
        {
            (RetryOutcome.Done, var payout) => TypedResults.Created($"/v1/loans/{loanId}/payouts", ToResponse(payout!)),
            (var outcome, _) => Refusal(outcome),
        };

    public static async Task<Results<Ok<PayoutResponse>, ProblemHttpResult>> ApproveRetry(
        Guid loanId, CurrentCaller caller, PayoutRetries retries, CancellationToken ct) =>
        await retries.ApproveAsync(loanId, caller.Id, ct) switch
        {
            (RetryOutcome.Done, var payout) => TypedResults.Ok(ToResponse(payout!)),
            (var outcome, _) => Refusal(outcome),
        };

    private static ProblemHttpResult Refusal(RetryOutcome outcome) => outcome switch
    {
        RetryOutcome.LoanNotFound => Problems.NotFound("The loan"),
        RetryOutcome.NotFailed => Problems.Conflict(Domain.Loans.LoanRefusals.NotDisbursementFailed, "Only a loan whose payout failed is paid out again."),
        RetryOutcome.AlreadyAsked => Problems.Conflict("payout_retry_pending", "A retry of this payout waits for approval already."),
        RetryOutcome.NothingToApprove => Problems.Conflict("payout_retry_not_pending", "No retry of this loan's payout waits for approval."),
        RetryOutcome.SamePerson => Problems.SamePerson("A second person approves a retry, not the one who asked for it."),
        _ => throw new ArgumentOutOfRangeException(nameof(outcome), outcome, null),
    };

    private static PayoutResponse ToResponse(PayoutRow p) => new(
        p.PayoutNo, p.Attempt, p.Amount, p.State, p.BankReference, p.FailureCode, p.FailureMessage, p.RequestedBy, p.ApprovedBy,
        DbTime.ToOffset(p.CreatedAt), DbTime.ToOffset(p.SubmittedAt), DbTime.ToOffset(p.CompletedAt));
}
