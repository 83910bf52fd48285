using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace HeadlessLoan.Sandbox.WeChatPay;

/// <summary>What happens after a JSAPI order, chosen by its amount in fen (docs/sandbox.md, WeChat Pay magic amounts).</summary>
internal enum PaymentBehaviour
{
    /// <summary>Paid at once, one notification right after.</summary>
    PaidNotifiedOnce,

    /// <summary>901: paid at once, the notification comes 5 s later.</summary>
    PaidNotifiedLate,

    /// <summary>902: paid at once, the same notification three times in the same second.</summary>
    PaidNotifiedThrice,

    /// <summary>903: paid at once, no notification ever: a query finds it SUCCESS.</summary>
    PaidNeverNotified,

    /// <summary>904: the payment fails (PAYERROR), no notification.</summary>
    PaymentFailed,

    /// <summary>905: never paid (NOTPAY) until closed, no notification.</summary>
    NeverPaid,
}

internal sealed class SandboxOrder
{
    public required string OutTradeNo { get; init; }
    public required string AppId { get; init; }
    public required string MchId { get; init; }
    public required string NotifyUrl { get; init; }
    public required string OpenId { get; init; }
    public required long Total { get; init; }
    public string? Attach { get; init; }
    public required string Fingerprint { get; init; }
    public required string PrepayId { get; init; }
    public required string TransactionId { get; init; }
    public required PaymentBehaviour Behaviour { get; init; }
    public string TradeState { get; set; } = "NOTPAY";
    public DateTimeOffset? SuccessTime { get; set; }
    public long Refunded { get; set; }

    /// <summary>The transaction object, as queries answer it and notifications carry it.</summary>
    public string TransactionJson()
    {
        var transaction = new JsonObject
        {
            ["appid"] = AppId,
            ["mchid"] = MchId,
            ["out_trade_no"] = OutTradeNo,
            ["trade_type"] = "JSAPI",
            ["trade_state"] = TradeState,
            ["trade_state_desc"] = TradeState switch
            {
                "SUCCESS" => "支付成功", "REFUND" => "转入退款", "CLOSED" => "已关闭", "PAYERROR" => "支付失败(沙箱)", _ => "未支付",
            },
            ["payer"] = new JsonObject { ["openid"] = OpenId },
        };
        if (TradeState is "SUCCESS" or "REFUND" or "PAYERROR")
        {
            transaction["transaction_id"] = TransactionId;
            transaction["bank_type"] = "OTHERS";
        }

        if (SuccessTime is { } at)
        {
            transaction["success_time"] = WeChatPaySandboxOrders.Rfc3339(at);
        }

        if (Attach is not null)
        {
            transaction["attach"] = Attach;
        }

        transaction["amount"] = TradeState is "SUCCESS" or "REFUND"
            ? new JsonObject { ["total"] = Total, ["payer_total"] = Total, ["currency"] = "CNY", ["payer_currency"] = "CNY" }
            : new JsonObject { ["total"] = Total, ["currency"] = "CNY" };
        return transaction.ToJsonString();
    }
}

internal sealed class SandboxRefund
{
    public required string RefundId { get; init; }
    public required string OutRefundNo { get; init; }
    public required SandboxOrder Order { get; init; }
    public required long Refund { get; init; }
    public required DateTimeOffset CreateTime { get; init; }
    public string? NotifyUrl { get; init; }
    public string Status { get; set; } = "PROCESSING";
    public DateTimeOffset? SuccessTime { get; set; }

    /// <summary>The refund object, as the refund API and its query answer it.</summary>
    public string AnswerJson() => Fields().ToJsonString();

    /// <summary>The refund notification's resource: mchid besides, and the status named refund_status.</summary>
    public string ResourceJson()
    {
        var refund = Fields();
        refund["mchid"] = Order.MchId;
        refund["refund_status"] = Status;
        refund.Remove("status");
        return refund.ToJsonString();
    }

    private JsonObject Fields()
    {
        var refund = new JsonObject
        {
            ["refund_id"] = RefundId,
            ["out_refund_no"] = OutRefundNo,
            ["transaction_id"] = Order.TransactionId,
            ["out_trade_no"] = Order.OutTradeNo,
            ["channel"] = "ORIGINAL",
            ["user_received_account"] = "支付用户零钱",
            ["create_time"] = WeChatPaySandboxOrders.Rfc3339(CreateTime),
            ["status"] = Status,
            ["amount"] = new JsonObject
            {
                ["total"] = Order.Total, ["refund"] = Refund, ["payer_total"] = Order.Total, ["payer_refund"] = Refund, ["currency"] = "CNY",
            },
        };
        if (SuccessTime is { } at)
        {
            refund["success_time"] = WeChatPaySandboxOrders.Rfc3339(at);
        }

        return refund;
    }
}

/// <summary>The sandbox's orders and refunds, in memory, bounded so a sandbox left running cannot grow without limit.</summary>
internal sealed class WeChatPaySandboxOrders
{
    private const int MaxOrders = 10_000;
    private static readonly TimeSpan ChinaOffset = TimeSpan.FromHours(8);

    private readonly ConcurrentDictionary<string, SandboxOrder> _orders = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, SandboxRefund> _refunds = new(StringComparer.Ordinal);

    public static PaymentBehaviour BehaviourFor(long totalFen) => totalFen switch
    {
        901 => PaymentBehaviour.PaidNotifiedLate,
        902 => PaymentBehaviour.PaidNotifiedThrice,
        903 => PaymentBehaviour.PaidNeverNotified,
        904 => PaymentBehaviour.PaymentFailed,
        905 => PaymentBehaviour.NeverPaid,
        _ => PaymentBehaviour.PaidNotifiedOnce,
    };

    /// <summary>A refund of this many fen ends ABNORMAL (the payer's account cannot take it) instead of SUCCESS.</summary>
    public const long AbnormalRefundFen = 909;

    /// <summary>A refund of this many fen ends CLOSED (WeChat Pay gave it up): nothing left the merchant, the order can take it again.</summary>
    public const long ClosedRefundFen = 908;

    /// <summary>How a refund of <paramref name="refundFen"/> ends.</summary>
    public static string RefundEndFor(long refundFen) => refundFen switch
    {
        AbnormalRefundFen => "ABNORMAL",
        ClosedRefundFen => "CLOSED",
        _ => "SUCCESS",
    };

    public SandboxOrder? Find(string outTradeNo) => _orders.GetValueOrDefault(outTradeNo);

    public SandboxRefund? FindRefund(string outRefundNo) => _refunds.GetValueOrDefault(outRefundNo);

    /// <summary>The order under its number: the one already there (a retry), or this new one.</summary>
    public SandboxOrder Add(SandboxOrder order)
    {
        if (_orders.Count >= MaxOrders)
        {
            _orders.Clear();
            _refunds.Clear();
        }

        return _orders.GetOrAdd(order.OutTradeNo, order);
    }

    public SandboxRefund AddRefund(SandboxRefund refund) => _refunds.GetOrAdd(refund.OutRefundNo, refund);

    public static string Rfc3339(DateTimeOffset at) =>
        at.ToOffset(ChinaOffset).ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture);

    public static string NewId(string prefix, int digits) =>
        prefix + string.Concat(Enumerable.Range(0, digits).Select(_ => (char)('0' + RandomNumberGenerator.GetInt32(10))));

    public static string Fingerprint(JsonElement body) => body.GetRawText();
}
