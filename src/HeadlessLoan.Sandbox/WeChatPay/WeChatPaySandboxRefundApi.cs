using WireMock;
using static HeadlessLoan.Sandbox.WeChatPay.WeChatPaySandbox;

namespace HeadlessLoan.Sandbox.WeChatPay;

/// <summary>
/// Refunds of paid orders: accepted as PROCESSING and done at once (a query then finds SUCCESS, or ABNORMAL or CLOSED
/// for the magic amounts), the same out_refund_no refunding once, and a REFUND.* notification when the refund names a notify_url.
/// </summary>
internal sealed class WeChatPaySandboxRefundApi(
    WeChatPaySandboxSigning signing, WeChatPaySandboxNotifier notifier, WeChatPaySandboxOrders orders, TimeProvider clock)
{
    private static readonly TimeSpan NotifyAfter = TimeSpan.FromMilliseconds(200);

    public IResponseMessage Create(IRequestMessage request, string mchId)
    {
        if (BodyObject(request) is not { } body || String(body, "out_refund_no") is not { Length: >= 1 and <= 64 } outRefundNo
            || Fen(body, "amount", "refund") is not { } refundFen || refundFen <= 0 || Fen(body, "amount", "total") is not { } totalFen)
        {
            return signing.Answer(400, Error("PARAM_ERROR", "out_refund_no, amount.refund (> 0) and amount.total are required"));
        }

        var order = String(body, "out_trade_no") is { } outTradeNo ? orders.Find(outTradeNo) : null;
        if (order is null || order.MchId != mchId)
        {
            return signing.Answer(404, Error("RESOURCE_NOT_EXISTS", "订单不存在"));
        }

        if (orders.FindRefund(outRefundNo) is { } earlier)
        {
            // The same out_refund_no again: the same refund, whatever it asked.
            return earlier.Order == order && earlier.Refund == refundFen
                ? signing.Answer(200, Answered(earlier))
                : signing.Answer(400, Error("INVALID_REQUEST", "out_refund_no was used for another refund"));
        }

        if (Refused(order, refundFen, totalFen) is { } refused)
        {
            return refused;
        }

        var refund = orders.AddRefund(new SandboxRefund
        {
            RefundId = WeChatPaySandboxOrders.NewId("50300000000", 18),
            OutRefundNo = outRefundNo,
            Order = order,
            Refund = refundFen,
            CreateTime = clock.GetUtcNow(),
            NotifyUrl = String(body, "notify_url"),
        });
        var accepted = Answered(refund);
        Complete(refund);
        return signing.Answer(200, accepted);
    }

    public IResponseMessage Query(IRequestMessage request, string mchId) =>
        orders.FindRefund(Segment(request)) is { } refund && refund.Order.MchId == mchId
            ? signing.Answer(200, Answered(refund))
            : signing.Answer(404, Error("RESOURCE_NOT_EXISTS", "退款单不存在"));

    private IResponseMessage? Refused(SandboxOrder order, long refundFen, long totalFen)
    {
        lock (order)
        {
            if (order.TradeState is not ("SUCCESS" or "REFUND"))
            {
                return signing.Answer(400, Error("INVALID_REQUEST", "订单未支付: only a paid order can be refunded"));
            }

            if (totalFen != order.Total)
            {
                return signing.Answer(400, Error("PARAM_ERROR", "amount.total must be the order's total"));
            }

            if (order.Refunded + refundFen > order.Total)
            {
                return signing.Answer(400, Error("INVALID_REQUEST", "申请退款金额超过订单可退金额"));
            }

            order.Refunded += refundFen;
            order.TradeState = "REFUND";
            return null;
        }
    }

    private void Complete(SandboxRefund refund)
    {
        lock (refund)
        {
            refund.Status = WeChatPaySandboxOrders.RefundEndFor(refund.Refund);
            refund.SuccessTime = refund.Status == "SUCCESS" ? clock.GetUtcNow() : null;
        }

        if (refund.Status == "CLOSED")
        {
            // A closed refund paid nothing out: what it had taken of the order is refundable again.
            lock (refund.Order)
            {
                refund.Order.Refunded -= refund.Refund;
                refund.Order.TradeState = refund.Order.Refunded == 0 ? "SUCCESS" : "REFUND";
            }
        }

        if (refund.NotifyUrl is { } url)
        {
            var (eventType, summary) = refund.Status switch
            {
                "SUCCESS" => ("REFUND.SUCCESS", "退款成功"),
                "CLOSED" => ("REFUND.CLOSED", "退款关闭"),
                _ => ("REFUND.ABNORMAL", "退款异常"),
            };
            var body = WeChatPaySandboxNotifier.Body(signing.Keys.ApiV3Key, "EV-sandbox-" + refund.RefundId, eventType, summary, "refund", Resource(refund), clock.GetUtcNow());
            notifier.SendInBackground(url, body, NotifyAfter, copies: 1);
        }
    }

    private static string Answered(SandboxRefund refund)
    {
        lock (refund)
        {
            return refund.AnswerJson();
        }
    }

    private static string Resource(SandboxRefund refund)
    {
        lock (refund)
        {
            return refund.ResourceJson();
        }
    }
}
