namespace HeadlessLoan.Domain.Loans;

/// <summary>
/// Where a repayment's WeChat Pay order stands; <see cref="PaymentOrderLifecycle.Next"/> says how it moves. Money is
/// applied to the loan only on the way into <see cref="Paid"/>, so an order's status is what keeps a payment from being
/// applied twice.
/// </summary>
public enum PaymentOrderStatus
{
    /// <summary>Placed with WeChat Pay; the borrower may pay it.</summary>
    Created,

    /// <summary>WeChat Pay said SUCCESS and everything matched (or staff released a parked one): the money is applied.</summary>
    Paid,

    /// <summary>Expired or closed by us before it was paid; nothing was applied.</summary>
    Closed,

    /// <summary>WeChat Pay said PAYERROR: the payment did not go through.</summary>
    Failed,

    /// <summary>
    /// A notification we could not apply on our own (it did not match the order, or SUCCESS came on an order we had
    /// closed or saw fail): the money is held for a person to review.
    /// </summary>
    Parked,
}

/// <summary>The stored and answered names of <see cref="PaymentOrderStatus"/>; they never change, whatever the members are called.</summary>
public static class PaymentOrderStatusNames
{
    public const string Created = "created";
    public const string Paid = "paid";
    public const string Closed = "closed";
    public const string Failed = "failed";
    public const string Parked = "parked";

    private static readonly (PaymentOrderStatus Status, string Wire)[] Names =
    [
        (PaymentOrderStatus.Created, Created), (PaymentOrderStatus.Paid, Paid), (PaymentOrderStatus.Closed, Closed),
        (PaymentOrderStatus.Failed, Failed), (PaymentOrderStatus.Parked, Parked),
    ];

    /// <summary>Every status name, in lifecycle order (the values a status filter accepts).</summary>
    public static IReadOnlyList<string> All { get; } = Array.AsReadOnly(Names.Select(n => n.Wire).ToArray());

    public static string ToWire(this PaymentOrderStatus status) =>
        Names.FirstOrDefault(n => n.Status == status).Wire ?? throw new ArgumentOutOfRangeException(nameof(status), status, "Unknown payment order status.");

    public static bool TryParse(string? wire, out PaymentOrderStatus status)
    {
        foreach (var (s, w) in Names)
        {
            if (string.Equals(w, wire, StringComparison.Ordinal))
            {
                status = s;
                return true;
            }
        }

        status = default;
        return false;
    }

    /// <summary>A stored status; anything else in the column is a fault, not input.</summary>
    public static PaymentOrderStatus Parse(string wire) =>
        TryParse(wire, out var status) ? status : throw new FormatException($"'{wire}' is not a payment order status.");
}
