using System.Text.Json.Serialization;
using HeadlessLoan.Api.Platform.Http;

namespace HeadlessLoan.Api.Integrations.WeChatPay;

// Request and response names follow SKIT.FlurlHttpClient.Wechat.TenpayV3, so that client could replace ours.

/// <summary>An answer of WeChat Pay: the value on 2xx, else WeChat Pay's <c>{code, message}</c> with the HTTP status.</summary>
public sealed record WeChatPayResult<T>(int StatusCode, T? Value, WeChatPayError? Error)
    where T : class
{
    public bool IsSuccessful => Error is null;
}

public sealed record WeChatPayError(
    [property: JsonPropertyName("code")] string Code,
    [property: JsonPropertyName("message")] string? Message);

/// <summary>WeChat Pay's error codes our callers act on (the list is longer; unknown codes pass through as they are).</summary>
public static class WeChatPayErrorCodes
{
    public const string SignError = "SIGN_ERROR";
    public const string ParamError = "PARAM_ERROR";
    public const string InvalidRequest = "INVALID_REQUEST";
    public const string OrderNotExist = "ORDER_NOT_EXIST";
    public const string ResourceNotExists = "RESOURCE_NOT_EXISTS";
    public const string OrderClosed = "ORDER_CLOSED";

    /// <summary>Closing an order that was paid. The code is as the v2 API named it; unverified for v3.</summary>
    public const string OrderPaid = "ORDERPAID";
    public const string NotEnough = "NOT_ENOUGH";
    public const string FrequencyLimited = "FREQUENCY_LIMITED";
    public const string SystemError = "SYSTEM_ERROR";
}

/// <summary>
/// WeChat Pay could not be reached, did not answer in time, answered 429 or 5xx after the retries, or sent an answer
/// whose signature does not hold; <see cref="ErrorCode"/> is WeChat Pay's code when it answered one. Calls are safe to
/// repeat: orders and refunds are keyed by our own out_trade_no and out_refund_no.
/// </summary>
public sealed class WeChatPayUnavailableException(string message, Exception? inner = null, string? errorCode = null)
    : UpstreamUnavailableException(message, inner)
{
    public string? ErrorCode { get; } = errorCode;
}

/// <summary><c>POST /v3/pay/transactions/jsapi</c>; appid, mchid and notify_url come from the options.</summary>
public sealed record CreatePayTransactionJsapiRequest
{
    /// <summary>What the payer sees, at most 127 characters.</summary>
    public required string Description { get; init; }

    /// <summary>Our order number: 6 to 32 letters, digits, <c>_</c>, <c>-</c>, <c>|</c>, <c>*</c>; unique per merchant.</summary>
    public required string OutTradeNumber { get; init; }

    public required long AmountFen { get; init; }

    public required string PayerOpenId { get; init; }

    /// <summary>When the order can no longer be paid; sent as RFC 3339 at +08:00.</summary>
    public DateTimeOffset? ExpireTime { get; init; }

    /// <summary>Returned as it is in queries and notifications, at most 128 characters.</summary>
    public string? Attachment { get; init; }
}

public sealed record CreatePayTransactionJsapiResponse([property: JsonPropertyName("prepay_id")] string PrepayId);

public sealed record CreateRefundDomesticRefundRequest
{
    public required string OutTradeNumber { get; init; }

    public required string OutRefundNumber { get; init; }

    public required long RefundFen { get; init; }

    /// <summary>The order's total, which WeChat Pay checks against the order.</summary>
    public required long TotalFen { get; init; }

    public string? Reason { get; init; }

    /// <summary>Where the refund's notification goes; none when null.</summary>
    public string? NotifyUrl { get; init; }
}

/// <summary>The transaction object: of a query, and decrypted from a <c>TRANSACTION.*</c> notification.</summary>
public sealed record TransactionResource
{
    public const string OriginalType = "transaction";

    [JsonPropertyName("appid")] public string? AppId { get; init; }
    [JsonPropertyName("mchid")] public string? MchId { get; init; }
    [JsonPropertyName("out_trade_no")] public string? OutTradeNumber { get; init; }
    [JsonPropertyName("transaction_id")] public string? TransactionId { get; init; }
    [JsonPropertyName("trade_type")] public string? TradeType { get; init; }

    /// <summary><see cref="TradeStates"/>.</summary>
    [JsonPropertyName("trade_state")] public string? TradeState { get; init; }
    [JsonPropertyName("trade_state_desc")] public string? TradeStateDescription { get; init; }
    [JsonPropertyName("bank_type")] public string? BankType { get; init; }
    [JsonPropertyName("attach")] public string? Attachment { get; init; }
    [JsonPropertyName("success_time")] public DateTimeOffset? SuccessTime { get; init; }
    [JsonPropertyName("payer")] public TransactionPayer? Payer { get; init; }
    [JsonPropertyName("amount")] public TransactionAmount? Amount { get; init; }
}

public static class TradeStates
{
    public const string Success = "SUCCESS";
    public const string Refund = "REFUND";
    public const string NotPay = "NOTPAY";
    public const string Closed = "CLOSED";
    public const string Revoked = "REVOKED";
    public const string UserPaying = "USERPAYING";
    public const string PayError = "PAYERROR";
}

public sealed record TransactionPayer([property: JsonPropertyName("openid")] string? OpenId);

public sealed record TransactionAmount
{
    [JsonPropertyName("total")] public long Total { get; init; }
    [JsonPropertyName("payer_total")] public long? PayerTotal { get; init; }
    [JsonPropertyName("currency")] public string? Currency { get; init; }
    [JsonPropertyName("payer_currency")] public string? PayerCurrency { get; init; }
}

/// <summary>The refund object of <c>POST /v3/refund/domestic/refunds</c> and of its query.</summary>
public sealed record RefundDomestic
{
    [JsonPropertyName("refund_id")] public string? RefundId { get; init; }
    [JsonPropertyName("out_refund_no")] public string? OutRefundNumber { get; init; }
    [JsonPropertyName("transaction_id")] public string? TransactionId { get; init; }
    [JsonPropertyName("out_trade_no")] public string? OutTradeNumber { get; init; }

    /// <summary><see cref="RefundStatuses"/>: accepted is not done until SUCCESS.</summary>
    [JsonPropertyName("status")] public string? Status { get; init; }
    [JsonPropertyName("success_time")] public DateTimeOffset? SuccessTime { get; init; }
    [JsonPropertyName("create_time")] public DateTimeOffset? CreateTime { get; init; }
    [JsonPropertyName("user_received_account")] public string? UserReceivedAccount { get; init; }
    [JsonPropertyName("amount")] public RefundAmount? Amount { get; init; }
}

public static class RefundStatuses
{
    public const string Success = "SUCCESS";
    public const string Closed = "CLOSED";
    public const string Processing = "PROCESSING";
    public const string Abnormal = "ABNORMAL";
}

public sealed record RefundAmount
{
    [JsonPropertyName("total")] public long Total { get; init; }
    [JsonPropertyName("refund")] public long Refund { get; init; }
    [JsonPropertyName("payer_total")] public long? PayerTotal { get; init; }
    [JsonPropertyName("payer_refund")] public long? PayerRefund { get; init; }
    [JsonPropertyName("currency")] public string? Currency { get; init; }
}

/// <summary>The refund decrypted from a <c>REFUND.*</c> notification (its status is <c>refund_status</c>).</summary>
public sealed record RefundResource
{
    public const string OriginalType = "refund";

    [JsonPropertyName("mchid")] public string? MchId { get; init; }
    [JsonPropertyName("out_trade_no")] public string? OutTradeNumber { get; init; }
    [JsonPropertyName("transaction_id")] public string? TransactionId { get; init; }
    [JsonPropertyName("out_refund_no")] public string? OutRefundNumber { get; init; }
    [JsonPropertyName("refund_id")] public string? RefundId { get; init; }
    [JsonPropertyName("refund_status")] public string? RefundStatus { get; init; }
    [JsonPropertyName("success_time")] public DateTimeOffset? SuccessTime { get; init; }
    [JsonPropertyName("user_received_account")] public string? UserReceivedAccount { get; init; }
    [JsonPropertyName("amount")] public RefundAmount? Amount { get; init; }
}

/// <summary>A notification's envelope: <c>event_type</c> such as <c>TRANSACTION.SUCCESS</c> or <c>REFUND.SUCCESS</c>.</summary>
public sealed record WeChatPayEvent
{
    [JsonPropertyName("id")] public string? Id { get; init; }
    [JsonPropertyName("create_time")] public DateTimeOffset? CreateTime { get; init; }
    [JsonPropertyName("event_type")] public string? EventType { get; init; }
    [JsonPropertyName("resource_type")] public string? ResourceType { get; init; }
    [JsonPropertyName("summary")] public string? Summary { get; init; }
    [JsonPropertyName("resource")] public WeChatPayEventResource? Resource { get; init; }
}

public sealed record WeChatPayEventResource
{
    [JsonPropertyName("algorithm")] public string? Algorithm { get; init; }
    [JsonPropertyName("ciphertext")] public string? Ciphertext { get; init; }
    [JsonPropertyName("associated_data")] public string? AssociatedData { get; init; }
    [JsonPropertyName("nonce")] public string? Nonce { get; init; }
    [JsonPropertyName("original_type")] public string? OriginalType { get; init; }
}

/// <summary>What the mini-program passes to <c>wx.requestPayment</c>, named as it expects them.</summary>
public sealed record WxRequestPaymentParameters(
    [property: JsonPropertyName("timeStamp")] string TimeStamp,
    [property: JsonPropertyName("nonceStr")] string NonceStr,
    [property: JsonPropertyName("package")] string Package,
    [property: JsonPropertyName("signType")] string SignType,
    [property: JsonPropertyName("paySign")] string PaySign);
