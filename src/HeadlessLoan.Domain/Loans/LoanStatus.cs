namespace HeadlessLoan.Domain.Loans;

/// <summary>Where a loan stands; <see cref="LoanLifecycle.Next"/> says how it moves.</summary>
public enum LoanStatus
{
    /// <summary>Accepted; the payout to the borrower's card has been asked for and is not confirmed yet.</summary>
    PendingDisbursement,

    /// <summary>The payout failed; staff retry it (four-eyes) or cancel the loan.</summary>
    DisbursementFailed,

    /// <summary>Disbursed; every due period so far is paid.</summary>
    Active,

    /// <summary>At least one due period is unpaid past its due date (set by the close of business).</summary>
    Overdue,

    /// <summary>Everything owed is paid: closed.</summary>
    PaidOff,

    /// <summary>Given up as a loss (a 损失 loan, with a second approver): closed.</summary>
    WrittenOff,

    /// <summary>Never disbursed: closed before any money moved.</summary>
    Cancelled,
}

/// <summary>The stored and answered names of <see cref="LoanStatus"/>; they never change, whatever the members are called.</summary>
public static class LoanStatusNames
{
    public const string PendingDisbursement = "pending_disbursement";
    public const string DisbursementFailed = "disbursement_failed";
    public const string Active = "active";
    public const string Overdue = "overdue";
    public const string PaidOff = "paid_off";
    public const string WrittenOff = "written_off";
    public const string Cancelled = "cancelled";

    private static readonly (LoanStatus Status, string Wire)[] Names =
    [
        (LoanStatus.PendingDisbursement, PendingDisbursement), (LoanStatus.DisbursementFailed, DisbursementFailed),
        (LoanStatus.Active, Active), (LoanStatus.Overdue, Overdue), (LoanStatus.PaidOff, PaidOff),
        (LoanStatus.WrittenOff, WrittenOff), (LoanStatus.Cancelled, Cancelled),
    ];

    /// <summary>Every status name, in lifecycle order (the values a status filter accepts).</summary>
    public static IReadOnlyList<string> All { get; } = Array.AsReadOnly(Names.Select(n => n.Wire).ToArray());

    public static string ToWire(this LoanStatus status) =>
        Names.FirstOrDefault(n => n.Status == status).Wire ?? throw new ArgumentOutOfRangeException(nameof(status), status, "Unknown loan status.");

    public static bool TryParse(string? wire, out LoanStatus status)
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
    public static LoanStatus Parse(string wire) =>
        TryParse(wire, out var status) ? status : throw new FormatException($"'{wire}' is not a loan status.");
}
