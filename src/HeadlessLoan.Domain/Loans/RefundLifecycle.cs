namespace HeadlessLoan.Domain.Loans;

/// <summary>Where a refund of a borrower's credit stands.</summary>
public enum RefundStatus
{
    /// <summary>Asked for by one member of staff; a second approves it.</summary>
    AwaitingApproval,

    /// <summary>Approved: the credit is set aside (refunds payable) and the refund is to be sent to WeChat Pay.</summary>
    Approved,

    /// <summary>WeChat Pay accepted it (PROCESSING) and has not said how it ended.</summary>
    Processing,

    /// <summary>WeChat Pay paid it back (SUCCESS).</summary>
    Succeeded,

    /// <summary>WeChat Pay closed it unpaid (CLOSED): the credit is the borrower's again.</summary>
    Closed,

    /// <summary>WeChat Pay could not pay it into the payer's account (ABNORMAL): the money waits for a person at WeChat Pay's merchant platform.</summary>
    Abnormal,

    /// <summary>Not approved: nothing was set aside.</summary>
    Rejected,
}

/// <summary>What can happen to a refund; each is decided against its status by <see cref="RefundLifecycle.Next"/>.</summary>
public enum RefundEvent
{
    Approve,
    Reject,

    /// <summary>WeChat Pay accepted the refund (PROCESSING).</summary>
    Accept,

    /// <summary>WeChat Pay says SUCCESS.</summary>
    Succeed,

    /// <summary>WeChat Pay says CLOSED.</summary>
    Close,

    /// <summary>WeChat Pay says ABNORMAL.</summary>
    FindAbnormal,
}

public readonly record struct RefundTransition(RefundStatus Next, string? Refusal)
{
    public bool Allowed => Refusal is null;
}

public static class RefundRefusals
{
    /// <summary>Approving or rejecting a refund that no longer waits for it.</summary>
    public const string NotAwaitingApproval = "refund_not_pending";

    /// <summary>WeChat Pay's word about a refund that is not with WeChat Pay (not approved yet, or ended).</summary>
    public const string NotSent = "refund_not_sent";
}

/// <summary>
/// The refund lifecycle as one pure function. Money moves in the ledger on two of its edges only: into
/// <see cref="RefundStatus.Approved"/> (credit set aside as refunds payable) and out of it to
/// <see cref="RefundStatus.Succeeded"/> (paid out) or <see cref="RefundStatus.Closed"/> (given back as credit).
/// An ABNORMAL refund may still end either way once it is dealt with at WeChat Pay.
/// </summary>
public static class RefundLifecycle
{
    private static readonly RefundStatus[] WithWeChatPay = [RefundStatus.Approved, RefundStatus.Processing, RefundStatus.Abnormal];

    public static RefundTransition Next(RefundStatus status, RefundEvent happened)
    {
        var known = Enum.IsDefined(status) ? status : throw new ArgumentOutOfRangeException(nameof(status), status, "Unknown refund status.");
        return happened switch
        {
            RefundEvent.Approve => From(known, RefundRefusals.NotAwaitingApproval, RefundStatus.Approved, RefundStatus.AwaitingApproval),
            RefundEvent.Reject => From(known, RefundRefusals.NotAwaitingApproval, RefundStatus.Rejected, RefundStatus.AwaitingApproval),
            RefundEvent.Accept => From(known, RefundRefusals.NotSent, RefundStatus.Processing, RefundStatus.Approved, RefundStatus.Processing),
            RefundEvent.Succeed => From(known, RefundRefusals.NotSent, RefundStatus.Succeeded, WithWeChatPay),
            RefundEvent.Close => From(known, RefundRefusals.NotSent, RefundStatus.Closed, WithWeChatPay),
            RefundEvent.FindAbnormal => From(known, RefundRefusals.NotSent, RefundStatus.Abnormal, WithWeChatPay),
            _ => throw new ArgumentOutOfRangeException(nameof(happened), happened, "Unknown refund event."),
        };
    }

    /// <summary>With WeChat Pay: sent or to be sent, and not ended; what the reconciliation job asks about.</summary>
    public static bool IsWithWeChatPay(RefundStatus status) => WithWeChatPay.Contains(status);

    private static RefundTransition From(RefundStatus status, string refusal, RefundStatus next, params RefundStatus[] sources) =>
        sources.Contains(status) ? new(next, null) : new(status, refusal);
}

/// <summary>The stored and answered names of <see cref="RefundStatus"/>.</summary>
public static class RefundStatusNames
{
    private static readonly (RefundStatus Status, string Wire)[] Names =
    [
        (RefundStatus.AwaitingApproval, "awaiting_approval"), (RefundStatus.Approved, "approved"), (RefundStatus.Processing, "processing"),
        (RefundStatus.Succeeded, "succeeded"), (RefundStatus.Closed, "closed"), (RefundStatus.Abnormal, "abnormal"), (RefundStatus.Rejected, "rejected"),
    ];

    public static IReadOnlyList<string> All { get; } = Array.AsReadOnly(Names.Select(n => n.Wire).ToArray());

    public static string ToWire(this RefundStatus status) =>
        Names.FirstOrDefault(n => n.Status == status).Wire ?? throw new ArgumentOutOfRangeException(nameof(status), status, "Unknown refund status.");

    public static RefundStatus Parse(string wire)
    {
        foreach (var (s, w) in Names)
        {
            if (string.Equals(w, wire, StringComparison.Ordinal))
            {
                return s;
            }
        }

        throw new FormatException($"'{wire}' is not a refund status.");
    }
}
