namespace HeadlessLoan.Domain.Loans;

/// <summary>The outcome of an event: the status it leads to, or a refusal with a stable code (the API's problem code).</summary>
public readonly record struct PaymentOrderTransition(PaymentOrderStatus Next, string? Refusal)
{
    public bool Allowed => Refusal is null;
}

/// <summary>The stable codes of refused payment order transitions.</summary>
public static class PaymentOrderRefusals
{
    /// <summary>
    /// The order is no longer waiting for its payment: paying, failing, parking and closing need a created order (with
    /// two exceptions: a closed or failed order is parked when a SUCCESS arrives for it late, and a parked one may be closed).
    /// </summary>
    public const string NotOpen = "payment_order_not_open";

    /// <summary>Only a parked order is released by staff.</summary>
    public const string NotParked = "payment_order_not_parked";
}

/// <summary>
/// The payment order lifecycle as one pure function: every status × event pair has a decision here and nowhere else.
/// Stores lock the order's row, ask, and persist what it says. A refused Pay on a paid order is how a repeated
/// notification is recognised: the caller answers WeChat Pay with success and applies nothing.
/// </summary>
public static class PaymentOrderLifecycle
{
    public static PaymentOrderTransition Next(PaymentOrderStatus status, PaymentOrderEvent happened) => happened switch
    {
        PaymentOrderEvent.Pay => FromOnly(status, PaymentOrderRefusals.NotOpen, PaymentOrderStatus.Paid, PaymentOrderStatus.Created),
        PaymentOrderEvent.Close => FromOnly(status, PaymentOrderRefusals.NotOpen, PaymentOrderStatus.Closed, PaymentOrderStatus.Created, PaymentOrderStatus.Parked),
        PaymentOrderEvent.Fail => FromOnly(status, PaymentOrderRefusals.NotOpen, PaymentOrderStatus.Failed, PaymentOrderStatus.Created),
        PaymentOrderEvent.Park => FromOnly(status, PaymentOrderRefusals.NotOpen, PaymentOrderStatus.Parked, PaymentOrderStatus.Created, PaymentOrderStatus.Closed, PaymentOrderStatus.Failed),
        PaymentOrderEvent.Release => FromOnly(status, PaymentOrderRefusals.NotParked, PaymentOrderStatus.Paid, PaymentOrderStatus.Parked),
        _ => throw new ArgumentOutOfRangeException(nameof(happened), happened, "Unknown payment order event."),
    };

    public static bool Allows(PaymentOrderStatus status, PaymentOrderEvent happened) => Next(status, happened).Allowed;

    /// <summary>The statuses from which <paramref name="happened"/> is allowed: for statements that put the rule in their WHERE clause.</summary>
    public static IReadOnlyList<PaymentOrderStatus> From(PaymentOrderEvent happened) =>
        Enum.GetValues<PaymentOrderStatus>().Where(s => Allows(s, happened)).ToArray();

    /// <summary>Waiting for the borrower's payment: the expiry job and WeChat Pay's answers act on it.</summary>
    public static bool IsOpen(PaymentOrderStatus status) => Known(status) == PaymentOrderStatus.Created;

    /// <summary>Holding money nobody has applied yet: it is on a person's list until released or closed.</summary>
    public static bool AwaitsReview(PaymentOrderStatus status) => Known(status) == PaymentOrderStatus.Parked;

    private static PaymentOrderTransition FromOnly(PaymentOrderStatus status, string refusal, PaymentOrderStatus next, params PaymentOrderStatus[] sources) =>
        sources.Contains(Known(status)) ? new(next, null) : new(status, refusal);

    private static PaymentOrderStatus Known(PaymentOrderStatus status) =>
        Enum.IsDefined(status) ? status : throw new ArgumentOutOfRangeException(nameof(status), status, "Unknown payment order status.");
}
