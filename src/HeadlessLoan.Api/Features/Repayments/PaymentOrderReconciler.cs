using HeadlessLoan.Api.Integrations.WeChatPay;
using HeadlessLoan.Api.Platform.Database;
using HeadlessLoan.Api.Platform.Jobs;
using Microsoft.Extensions.Options;

namespace HeadlessLoan.Api.Features.Repayments;

/// <summary>
/// Finds out what became of orders WeChat Pay has not notified us about in time: asks WeChat Pay, and settles a paid
/// one as its notification would, ends a failed or closed one, and closes one that has expired unpaid (at WeChat Pay
/// first, so it can no longer be paid). Refunds likewise: an approved one not yet accepted is sent, a sent one asked about. One instance at a time runs it (a job lease); a crashed one's lease runs out.
/// </summary>
public sealed partial class PaymentOrderReconciler(
    PaymentOrderStore orders, PaymentSettlement settlement, Refunds refunds, WeChatPayClient wechatPay, JobLeases leases, IOptions<RepaymentsOptions> options,
    TimeProvider clock, ILogger<PaymentOrderReconciler> logger) : LeasedWorker(leases, Job, TimeSpan.FromSeconds(60), logger)
{
    public const string Job = "payment-order-reconciliation";

    /// <summary>Real time, not the injected clock: polling is not business time.</summary>
    protected override Task PauseAsync(CancellationToken ct) => Task.Delay(TimeSpan.FromMilliseconds(options.Value.ReconcilePollMilliseconds), ct);

    protected override async Task<int> RunLeasedAsync(CancellationToken ct)
    {
        var now = DbTime.Now(clock);
        var until = now.AddSeconds(options.Value.QueryAfterSeconds);
        var leased = await orders.LeaseAsync(Owner, options.Value.ReconcileBatchSize, now, until, ct);
        var leasedRefunds = await refunds.LeaseAsync(Owner, options.Value.ReconcileBatchSize, now, until, ct);
        await Task.WhenAll(leased.Select(o => WorkAsync(o, ct)).Concat(leasedRefunds.Select(r => WorkAsync(r, ct))));
        return leased.Count + leasedRefunds.Count;
    }

    private async Task WorkAsync(PaymentOrderRow order, CancellationToken ct)
    {
        try
        {
            var answer = await wechatPay.QueryByOutTradeNoAsync(order.OutTradeNo, ct);
            var expired = DbTime.Now(clock) >= order.ExpiresAt;
            Settlement settled;
            if (answer.Value is { } transaction)
            {
                settled = await settlement.SettleAsync(transaction, ct);
                if (settled == Settlement.Unchanged && expired)
                {
                    settled = await CloseExpiredAsync(order, ct);
                }
            }
            else if (answer.Error?.Code == WeChatPayErrorCodes.OrderNotExist && expired)
            {
                settled = await settlement.CloseAsync(order.OutTradeNo, "expired; WeChat Pay does not know the order", ct);
            }
            else
            {
                settled = Settlement.Unchanged;
                if (answer.Error is { } error)
                {
                    LogRefused(logger, order.OutTradeNo, error.Code, error.Message);
                }
            }

            LogSettled(logger, order.OutTradeNo, settled);
        }
        catch (WeChatPayUnavailableException e) when (!ct.IsCancellationRequested)
        {
            // The lease (the next query time) runs out and the order is asked about again.
            LogUnavailable(logger, order.OutTradeNo, e.Message);
        }
    }

    /// <summary>An approved refund not yet accepted is sent (again: the same out_refund_no refunds once); a sent one is asked about.</summary>
    private async Task WorkAsync(RefundRow refund, CancellationToken ct)
    {
        try
        {
            if (refund.State == Domain.Loans.RefundStatus.Approved)
            {
                await refunds.SendAsync(refund, ct);
            }
            else
            {
                await refunds.QueryAsync(refund, ct);
            }
        }
        catch (WeChatPayUnavailableException e) when (!ct.IsCancellationRequested)
        {
            LogUnavailable(logger, refund.OutRefundNo, e.Message);
        }
    }

    /// <summary>Closes an unpaid expired order at WeChat Pay, then here; one paid meanwhile (ORDERPAID) is settled at the next query.</summary>
    private async Task<Settlement> CloseExpiredAsync(PaymentOrderRow order, CancellationToken ct)
    {
        var closed = await wechatPay.CloseAsync(order.OutTradeNo, ct);
        if (closed.IsSuccessful || closed.Error?.Code is WeChatPayErrorCodes.OrderClosed or WeChatPayErrorCodes.OrderNotExist)
        {
            return await settlement.CloseAsync(order.OutTradeNo, "expired unpaid", ct);
        }

        await orders.RequeryAtAsync(order.OutTradeNo, DbTime.Now(clock), ct);
        LogRefused(logger, order.OutTradeNo, closed.Error!.Code, closed.Error.Message);
        return Settlement.Unchanged;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Payment order {OutTradeNo}: {Settled}")]
    private static partial void LogSettled(ILogger logger, string outTradeNo, Settlement settled);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Payment order {OutTradeNo}: WeChat Pay refused ({Code}: {Message})")]
    private static partial void LogRefused(ILogger logger, string outTradeNo, string code, string? message);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Payment order {OutTradeNo} is asked about later: {Message}")]
    private static partial void LogUnavailable(ILogger logger, string outTradeNo, string message);
}
