using HeadlessLoan.Api.Features.Loans;
using HeadlessLoan.Api.Integrations.WeChatPay;
using HeadlessLoan.Api.Platform;
using HeadlessLoan.Api.Platform.Audit;
using HeadlessLoan.Api.Platform.Database;
using HeadlessLoan.Domain.Ledger;
using HeadlessLoan.Domain.Loans;
using Microsoft.Extensions.Options;
using MySqlConnector;

namespace HeadlessLoan.Api.Features.Repayments;

/// <summary>What WeChat Pay's word about an order came to.</summary>
public enum Settlement
{
    /// <summary>Paid, and the money applied to the loan.</summary>
    Applied,

    /// <summary>Paid before (a repeated notification, a query after the notification): nothing applied again.</summary>
    AlreadyApplied,

    /// <summary>Money moved that we cannot apply on our own (it does not match the order, or the order had ended): kept for a person.</summary>
    Parked,

    /// <summary>The order was closed (expired, or closed at WeChat Pay): nothing applied.</summary>
    Closed,

    /// <summary>The payment failed (PAYERROR): nothing applied.</summary>
    Failed,

    /// <summary>Not paid yet (NOTPAY, USERPAYING), or a word that changes nothing now.</summary>
    Unchanged,

    /// <summary>We placed no order with this out_trade_no: recorded in the audit trail, nothing applied.</summary>
    UnknownOrder,
}

/// <summary>
/// The one place WeChat Pay's word about a payment order changes it — a notification's, or the reconciliation job's
/// query's, whichever comes first. The loan's row is locked, then the order's, and the order's lifecycle decides: only
/// the way into <c>paid</c> applies money, so the same word ten times, or at two instances at once, applies it once.
/// A payment that does not match the order in every checked field is parked, never applied.
/// </summary>
public sealed partial class PaymentSettlement(
    MySqlDataSource db, AuditTrail audit, PaymentOrderStore orders, LoanPayments payments, IOptionsMonitor<WeChatPayOptions> wechatPay,
    TimeProvider clock, ILogger<PaymentSettlement> logger)
{
    private static readonly AuditActor WeChatPay = new(AuditActor.SystemKind, "wechatpay");

    /// <summary>Applies what WeChat Pay says of the transaction (<c>trade_state</c>); a conflict lost to another writer runs again.</summary>
    public Task<Settlement> SettleAsync(TransactionResource transaction, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(transaction);
        return DatabaseFaults.RetryConflictsAsync(() => SettleOnceAsync(transaction, ct), logger, "A payment order's settlement");
    }

    /// <summary>Closes the order on our side (WeChat Pay closed it, or we did once it expired); a paid or ended one is left as it is.</summary>
    public Task<Settlement> CloseAsync(string outTradeNo, string reason, CancellationToken ct) =>
        DatabaseFaults.RetryConflictsAsync(() => EndOnceAsync(outTradeNo, PaymentOrderEvent.Close, reason, ct), logger, "A payment order's close");

    private async Task<Settlement> SettleOnceAsync(TransactionResource transaction, CancellationToken ct)
    {
        var outTradeNo = transaction.OutTradeNumber ?? "";
        switch (transaction.TradeState)
        {
            case TradeStates.Success:
                return await PaidOnceAsync(transaction, outTradeNo, ct);
            case TradeStates.PayError:
                return await EndOnceAsync(outTradeNo, PaymentOrderEvent.Fail, transaction.TradeStateDescription ?? TradeStates.PayError, ct);
            case TradeStates.Closed or TradeStates.Revoked:
                return await EndOnceAsync(outTradeNo, PaymentOrderEvent.Close, "WeChat Pay: " + transaction.TradeState, ct);
            default:
                return Settlement.Unchanged;
        }
    }

    /// <summary>SUCCESS: applied when it matches an open order, parked when it does not or the order had ended.</summary>
    private async Task<Settlement> PaidOnceAsync(TransactionResource transaction, string outTradeNo, CancellationToken ct)
    {
        var now = DbTime.Now(clock);
        if (await orders.LoanOfAsync(outTradeNo, ct) is not { } loanId)
        {
            return await UnknownAsync(transaction, now, ct);
        }

        await using var change = await DbChange.BeginAsync(db, audit, ct);
        await LoanPayments.LockAsync(change, loanId, ct);
        var order = await PaymentOrderStore.LockAsync(change, outTradeNo, ct) ?? throw new InvalidOperationException($"Order {outTradeNo} vanished.");
        if (order.State == PaymentOrderStatus.Paid || order.State == PaymentOrderStatus.Parked)
        {
            // Said before: a notification again, or the query after it. A second transaction for one order cannot be.
            if (order.TransactionId != transaction.TransactionId)
            {
                LogOtherTransaction(logger, outTradeNo, order.TransactionId, transaction.TransactionId);
            }

            return order.State == PaymentOrderStatus.Paid ? Settlement.AlreadyApplied : Settlement.Parked;
        }

        var reason = Mismatch(order, transaction) ?? (PaymentOrderLifecycle.IsOpen(order.State) ? null : $"paid after the order was {order.Status}");
        var transition = PaymentOrderLifecycle.Next(order.State, reason is null ? PaymentOrderEvent.Pay : PaymentOrderEvent.Park);
        if (!transition.Allowed)
        {
            return Settlement.Unchanged;
        }

        var settled = reason is null ? await ApplyAsync(change, loanId, order, transaction, now, ct) : Settlement.Parked;
        PaymentOrderStore.HoldEnd(change, outTradeNo, transition.Next, transaction.TransactionId, transaction.Amount?.Total,
            transaction.SuccessTime?.UtcDateTime ?? now, reason, now);
        change.Record(new AuditEntry(WeChatPay, "payment_order." + transition.Next.ToWire(), "payment_order", outTradeNo, new { status = order.Status },
            new { status = transition.Next.ToWire(), reason, transactionId = transaction.TransactionId, amount = transaction.Amount?.Total }), now);
        await change.CommitAsync(ct);
        if (reason is not null)
        {
            LogParked(logger, outTradeNo, reason);
        }

        return settled;
    }

    /// <summary>The order's amount applied to its loan, on the China date WeChat Pay says it was paid.</summary>
    private async Task<Settlement> ApplyAsync(DbChange change, Guid loanId, PaymentOrderRow order, TransactionResource transaction, DateTime now, CancellationToken ct)
    {
        var on = DateOnly.FromDateTime((transaction.SuccessTime ?? DbTime.ToOffset(now)).ToOffset(ChinaTime.Offset).DateTime);
        await payments.ApplyAsync(change, loanId, new LoanPayment(PaymentRail.WeChatPay, transaction.TransactionId!, order.Amount, on, WeChatPay), now, ct);
        return Settlement.Applied;
    }

    /// <summary>What of the payment differs from our order, or null: the merchant, the app, the amount, the currency and the payer.</summary>
    private string? Mismatch(PaymentOrderRow order, TransactionResource t)
    {
        var o = wechatPay.CurrentValue;
        return t.MchId != o.MchId ? $"mchid {t.MchId} is not ours"
            : t.AppId != o.AppId ? $"appid {t.AppId} is not ours"
            : string.IsNullOrEmpty(t.TransactionId) ? "no transaction_id"
            : t.Amount?.Total != order.Amount ? $"amount {t.Amount?.Total} differs from the order's {order.Amount}"
            : (t.Amount.Currency ?? "CNY") != "CNY" ? $"currency {t.Amount.Currency} is not CNY"
            : t.Payer?.OpenId != order.PayerOpenid ? "the payer is not the order's"
            : null;
    }

    private async Task<Settlement> EndOnceAsync(string outTradeNo, PaymentOrderEvent happened, string reason, CancellationToken ct)
    {
        if (await orders.LoanOfAsync(outTradeNo, ct) is not { } loanId)
        {
            return Settlement.UnknownOrder;
        }

        var now = DbTime.Now(clock);
        await using var change = await DbChange.BeginAsync(db, audit, ct);
        await LoanPayments.LockAsync(change, loanId, ct);
        var order = await PaymentOrderStore.LockAsync(change, outTradeNo, ct) ?? throw new InvalidOperationException($"Order {outTradeNo} vanished.");
        // Only an open order ends this way: a parked one waits for a person, whatever WeChat Pay says of it later.
        var transition = PaymentOrderLifecycle.Next(order.State, happened);
        if (!transition.Allowed || !PaymentOrderLifecycle.IsOpen(order.State))
        {
            return Settlement.Unchanged;
        }

        PaymentOrderStore.HoldEnd(change, outTradeNo, transition.Next, null, null, null, null, now);
        change.Record(new AuditEntry(WeChatPay, "payment_order." + transition.Next.ToWire(), "payment_order", outTradeNo,
            new { status = order.Status }, new { status = transition.Next.ToWire(), reason }), now);
        await change.CommitAsync(ct);
        return transition.Next == PaymentOrderStatus.Failed ? Settlement.Failed : Settlement.Closed;
    }

    private async Task<Settlement> UnknownAsync(TransactionResource transaction, DateTime now, CancellationToken ct)
    {
        // Money may have reached the merchant for an order this service did not place: a visible record for a person.
        await using var change = await DbChange.BeginAsync(db, audit, ct);
        change.Record(new AuditEntry(WeChatPay, "payment_order.unknown", "payment_order", transaction.OutTradeNumber ?? "-", null,
            new { transactionId = transaction.TransactionId, amount = transaction.Amount?.Total, mchid = transaction.MchId }), now);
        await change.CommitAsync(ct);
        LogUnknown(logger, transaction.OutTradeNumber, transaction.TransactionId);
        return Settlement.UnknownOrder;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Payment order {OutTradeNo} is parked for review: {Reason}")]
    private static partial void LogParked(ILogger logger, string outTradeNo, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "WeChat Pay paid an order we did not place: {OutTradeNo} (transaction {TransactionId})")]
    private static partial void LogUnknown(ILogger logger, string? outTradeNo, string? transactionId);

    [LoggerMessage(Level = LogLevel.Error, Message = "Payment order {OutTradeNo} ended with transaction {Kept}, and WeChat Pay now names {Other}")]
    private static partial void LogOtherTransaction(ILogger logger, string outTradeNo, string? kept, string? other);
}
