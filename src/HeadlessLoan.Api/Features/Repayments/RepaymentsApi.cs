using System.Globalization;
using HeadlessLoan.Api.Features.Borrowers;
using HeadlessLoan.Api.Features.Loans;
using HeadlessLoan.Api.Integrations.WeChatPay;
using HeadlessLoan.Api.Platform;
using HeadlessLoan.Api.Platform.Audit;
using HeadlessLoan.Api.Platform.Auth;
using HeadlessLoan.Api.Platform.Database;
using HeadlessLoan.Api.Platform.Errors;
using HeadlessLoan.Api.Platform.Paging;
using HeadlessLoan.Api.Platform.RateLimiting;
using HeadlessLoan.Domain.Loans;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using MySqlConnector;

namespace HeadlessLoan.Api.Features.Repayments;

public sealed record CreateRepaymentRequest(RepaymentKind? Kind, long? Amount);

/// <summary>A payment order; its <paramref name="OutTradeNo"/> at WeChat Pay is its <paramref name="Id"/> without hyphens.</summary>
public sealed record PaymentOrderResponse(
    Guid Id, string OutTradeNo, Guid LoanId, string Kind, long Amount, string Status, string? TransactionId, DateTimeOffset? PaidAt, string? ParkReason,
    DateTimeOffset ExpiresAt, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

/// <summary>A new order, with what the mini-program passes to <c>wx.requestPayment</c> to pay it.</summary>
public sealed record CreatedRepaymentResponse(PaymentOrderResponse Order, WxRequestPaymentParameters Payment);

public sealed record PaymentOrderListResponse(IReadOnlyList<PaymentOrderResponse> Items, string? NextCursor);

/// <summary>
/// Repayments through WeChat Pay (JSAPI in the mini-program): the borrower asks to pay (the amount is ours, worked out
/// from the loan), WeChat Pay's notifications settle the order, and the reconciliation job finds out about the rest.
/// </summary>
public static class RepaymentsApi
{
    /// <summary>WeChat Pay's notification is a small JSON envelope; anything larger is not WeChat Pay's.</summary>
    public const int MaxNotificationBytes = 64 * 1024;

    public const int MaxListLimit = 100;
    public const int DefaultListLimit = 20;

    public static IEndpointRouteBuilder MapRepaymentsApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/v1/webhooks/wechatpay", ReceiveNotification).WithName("ReceiveWeChatPayNotification").WithTags("Webhooks")
            .WithSummary("WeChat Pay's signed payment notification").AllowAnonymous()
            .Accepts<WeChatPayEvent>("application/json")
            .WithMetadata(new BodySizeLimit(MaxNotificationBytes)).Produces(StatusCodes.Status204NoContent)
            .ProducesProblems(400, 401, 404, 413);

        var loans = app.MapGroup("/v1/loans/{loanId:guid}/repayments").WithTags("Repayments").RequireRateLimiting(RateLimitPolicies.PerCaller);
        loans.MapPost("/", CreateRepayment).WithName("CreateRepayment")
            .WithSummary("Pay the loan through WeChat Pay: an order for the amount the kind asks for, and the wx.requestPayment parameters")
            .RequireAuthorization(Policies.Borrower).ProducesAuthProblems(forbidden: true).ProducesProblems(400, 404, 409, 422, 429, 502, 503)
            .Validates<CreateRepaymentRequest>(ValidateCreate);
        loans.MapGet("/", ListRepayments).WithName("ListRepayments").WithSummary("A loan's WeChat Pay orders, newest first")
            .RequireAuthorization(Policies.AnyCaller).ProducesAuthProblems().ProducesProblems(400, 404, 422, 429);
        loans.MapGet("/{orderId:guid}", GetRepayment).WithName("GetRepayment").WithSummary("One WeChat Pay order of the loan: has it been paid?")
            .RequireAuthorization(Policies.AnyCaller).ProducesAuthProblems().ProducesProblems(404, 429);
        app.MapGet("/v1/payment-orders", ListPaymentOrders).WithName("ListPaymentOrders").WithTags("Repayments")
            .WithSummary("WeChat Pay orders of every loan by status, newest first: the parked ones are waiting for review")
            .RequireAuthorization(Policies.Staff).RequireRateLimiting(RateLimitPolicies.PerCaller)
            .ProducesAuthProblems(forbidden: true).ProducesProblems(400, 422, 429);
        return app;
    }

    private static void ValidateCreate(CreateRepaymentRequest request, RequestValidator v, HttpContext http)
    {
        v.Required(request.Kind, "kind");
    }

    public static async Task<Results<Created<CreatedRepaymentResponse>, ProblemHttpResult>> CreateRepayment(
        Guid loanId, CreateRepaymentRequest request, CurrentCaller caller, HttpContext http, LoanPayments payments, BorrowerOpenIds openIds,
        [FromServices] WeChatPayClient? wechatPay, [FromServices] WeChatPayJsapi? jsapi, MySqlDataSource db, AuditTrail audit,
        IOptions<RepaymentsOptions> options, TimeProvider clock, CancellationToken ct)
    {
        var kind = request.Kind ?? throw new InvalidOperationException("The kind was validated.");
        var quote = await payments.QuoteAsync(loanId, caller.Id, kind, request.Amount, ChinaTime.Today(clock), ct);
        if (quote is null)
        {
            return Problems.NotFound("The loan");
        }

        if (Refused(quote) is { } refused)
        {
            return refused;
        }

        if (wechatPay is null || jsapi is null)
        {
            http.Response.Headers.RetryAfter = "3600";
            return Problems.Create(503, "repayments_unavailable", "Repayments through WeChat Pay are not set up on this service.");
        }

        var openId = await openIds.OpenIdAsync(caller.Id, ct) ?? throw new InvalidOperationException($"Borrower {caller.Id} has no openid.");
        var now = DbTime.Now(clock);
        var expiresAt = now.AddMinutes(options.Value.OrderValidMinutes);
        var order = new PaymentOrderRow(Guid.CreateVersion7().ToString("N"), loanId, caller.Id, kind.ToWire(), quote.Amount, openId,
            PaymentOrderStatusNames.Created, "", null, null, null, null, expiresAt, now, now);
        var placed = await PlaceAsync(wechatPay, order, quote.ContractNo, http, ct);
        if (placed.Refused is { } refusal)
        {
            return refusal;
        }

        var prepayId = placed.PrepayId!;
        order = order with { PrepayId = prepayId };
        var response = new CreatedRepaymentResponse(ToResponse(order), jsapi.PaymentParameters(prepayId));
        await using var change = await DbChange.BeginAsync(db, audit, ct);
        PaymentOrderStore.HoldInsert(change, order, now.AddSeconds(options.Value.QueryAfterSeconds));
        change.Record(new AuditEntry(caller.Actor, "payment_order.created", "payment_order", order.OutTradeNo, null, response.Order), now);
        await change.CommitAsync(ct);
        return TypedResults.Created($"/v1/loans/{loanId}/repayments/{response.Order.Id}", response);
    }

    /// <summary>The JSAPI order at WeChat Pay: its prepay id, or the problem to answer (nothing is stored either way).</summary>
    private static async Task<(string? PrepayId, ProblemHttpResult? Refused)> PlaceAsync(
        WeChatPayClient wechatPay, PaymentOrderRow order, string contractNo, HttpContext http, CancellationToken ct)
    {
        try
        {
            var placed = await wechatPay.CreateJsapiOrderAsync(new CreatePayTransactionJsapiRequest
            {
                Description = $"借款合同{contractNo}还款",
                OutTradeNumber = order.OutTradeNo,
                AmountFen = order.Amount,
                PayerOpenId = order.PayerOpenid,
                ExpireTime = DbTime.ToOffset(order.ExpiresAt),
                Attachment = order.LoanId.ToString(),
            }, ct);
            return placed.Value is { PrepayId: { Length: > 0 } prepayId }
                ? (prepayId, null)
                : (null, Problems.Create(502, "upstream_error", "WeChat Pay refused the order.", $"WeChat Pay {placed.Error?.Code}: {placed.Error?.Message}"));
        }
        catch (WeChatPayUnavailableException)
        {
            // An order whose prepay id nobody was given cannot be paid, and it expires at WeChat Pay.
            http.Response.Headers.RetryAfter = "5";
            return (null, Problems.Create(503, "upstream_unavailable", "WeChat Pay cannot place the order right now; retry after Retry-After."));
        }
    }

    private static ProblemHttpResult? Refused(RepaymentQuote quote) => quote.Refusal switch
    {
        null => null,
        LoanRefusals.NotOpen => Problems.Conflict(LoanRefusals.NotOpen, $"The loan is {quote.Status}: there is nothing to repay."),
        RepaymentAmountRefusals.NothingOwed => Problems.Conflict(RepaymentAmountRefusals.NothingOwed, "The loan owes nothing today."),
        RepaymentAmountRefusals.NothingOverdue => Problems.Conflict(RepaymentAmountRefusals.NothingOverdue, "Nothing of the loan is past due."),
        RepaymentAmountRefusals.AmountRequired => Problems.Unprocessable(quote.Refusal, "The kind amount needs an amount.", "amount", "Required with kind amount."),
        RepaymentAmountRefusals.AmountNotExpected => Problems.Unprocessable(quote.Refusal, "This kind's amount follows from the loan.", "amount", "Only with kind amount."),
        RepaymentAmountRefusals.AmountNotPositive => Problems.Unprocessable(quote.Refusal, "The amount must be positive.", "amount", "Must be at least 1 fen."),
        RepaymentAmountRefusals.AmountAbovePayoff => Problems.Unprocessable(quote.Refusal, "The amount is more than paying off the loan costs today.",
            "amount", "At most the payoff amount."),
        _ => throw new InvalidOperationException($"Unknown repayment refusal {quote.Refusal}."),
    };

    public static async Task<IResult> ReceiveNotification(
        HttpRequest request, [FromServices] WeChatPayNotificationVerifier? verifier, [FromServices] PaymentSettlement? settlement,
        [FromServices] PaymentNotificationInbox? inbox, Refunds refunds, CancellationToken ct)
    {
        if (verifier is null || settlement is null || inbox is null)
        {
            // Without the WeChatPay section no order was placed that WeChat Pay could notify us about.
            return Problems.NotFound("The WeChat Pay notification endpoint");
        }

        using var buffer = new MemoryStream();
        await request.Body.CopyToAsync(buffer, ct);
        var verdict = verifier.Verify(buffer.GetBuffer().AsSpan(0, (int)buffer.Length), WeChatPaySignatureHeaders.From(request.Headers));
        if (verdict.FailBody is { } fail)
        {
            // WeChat Pay reads code FAIL and message; as a problem document it is what every other 4xx of ours is too.
            var problem = Problems.Create(verdict.StatusCode, fail.Code, "WeChat Pay notification refused.", fail.Message);
            problem.ProblemDetails.Extensions["message"] = fail.Message;
            return problem;
        }

        if (verdict.Transaction is { TransactionId: { Length: > 0 } } transaction)
        {
            // Stored, then settled by the notification worker: the 204 waits for one INSERT, not for the books.
            await inbox.StoreAsync(transaction, ct);
        }
        else if (verdict.Transaction is { } untraceable)
        {
            await settlement.SettleAsync(untraceable, ct); // Parked: a payment without a transaction id is not ours to apply.
        }
        else if (verdict.Refund is { } refund)
        {
            await refunds.SettleAsync(refund, ct);
        }

        return TypedResults.NoContent();
    }

    public static async Task<Results<Ok<PaymentOrderListResponse>, ProblemHttpResult>> ListRepayments(
        Guid loanId, int? limit, string? after, CurrentCaller caller, LoanPayments loans, PaymentOrderStore orders, CancellationToken ct)
    {
        if (!await loans.MaySeeAsync(loanId, caller, ct))
        {
            return Problems.NotFound("The loan");
        }

        return await PageAsync(loanId, null, limit, after, orders, ct);
    }

    public static async Task<Results<Ok<PaymentOrderResponse>, ProblemHttpResult>> GetRepayment(
        Guid loanId, Guid orderId, CurrentCaller caller, LoanPayments loans, PaymentOrderStore orders, CancellationToken ct)
    {
        if (!await loans.MaySeeAsync(loanId, caller, ct) || await orders.GetAsync(loanId, orderId.ToString("N"), ct) is not { } order)
        {
            return Problems.NotFound("The repayment");
        }

        return TypedResults.Ok(ToResponse(order));
    }

    public static async Task<Results<Ok<PaymentOrderListResponse>, ProblemHttpResult>> ListPaymentOrders(
        string? status, int? limit, string? after, PaymentOrderStore orders, CancellationToken ct)
    {
        if (status is not null && !PaymentOrderStatusNames.TryParse(status, out _))
        {
            var v = new RequestValidator();
            v.Add("status", $"Must be one of {string.Join(", ", PaymentOrderStatusNames.All)}.");
            return v.ToProblem();
        }

        return await PageAsync(null, status, limit, after, orders, ct);
    }

    private static async Task<Results<Ok<PaymentOrderListResponse>, ProblemHttpResult>> PageAsync(
        Guid? loanId, string? status, int? limit, string? after, PaymentOrderStore orders, CancellationToken ct)
    {
        var v = new RequestValidator();
        v.Range(limit, 1, MaxListLimit, "limit");
        var position = v.After(after);
        if (v.HasErrors)
        {
            return v.ToProblem();
        }

        var take = limit ?? DefaultListLimit;
        var rows = await orders.ListAsync(loanId, status, position, take + 1, ct);
        var (page, next) = Pages.Of(rows, take, r => Pages.Cursor(new ListPosition(r.CreatedAt, Guid.ParseExact(r.OutTradeNo, "N"))));
        return TypedResults.Ok(new PaymentOrderListResponse(page.Select(ToResponse).ToList(), next));
    }

    private static PaymentOrderResponse ToResponse(PaymentOrderRow o) => new(
        Guid.ParseExact(o.OutTradeNo, "N"), o.OutTradeNo, o.LoanId, o.Kind, o.Amount, o.Status, o.TransactionId, DbTime.ToOffset(o.SuccessTime), o.ParkReason,
        DbTime.ToOffset(o.ExpiresAt), DbTime.ToOffset(o.CreatedAt), DbTime.ToOffset(o.UpdatedAt));
}
