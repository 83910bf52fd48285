namespace HeadlessLoan.Domain.Loans;

/// <summary>The outcome of an event: the status it leads to, or a refusal with a stable code (the API's problem code).</summary>
public readonly record struct LoanTransition(LoanStatus Next, string? Refusal)
{
    public bool Allowed => Refusal is null;
}

/// <summary>The stable codes of refused loan transitions.</summary>
public static class LoanRefusals
{
    /// <summary>Only a loan waiting for its payout is confirmed, failed or cancelled as such.</summary>
    public const string NotPendingDisbursement = "loan_not_pending_disbursement";

    /// <summary>Only a loan whose payout failed is retried.</summary>
    public const string NotDisbursementFailed = "loan_not_disbursement_failed";

    /// <summary>Repayments and the close of business need a disbursed loan that is not closed.</summary>
    public const string NotOpen = "loan_not_open";

    /// <summary>Only an overdue loan catches up or is written off.</summary>
    public const string NotOverdue = "loan_not_overdue";

    /// <summary>Only a written-off loan's money is a recovery.</summary>
    public const string NotWrittenOff = "loan_not_written_off";

    /// <summary>A refund needs a disbursed loan (open, paid off or written off) holding the borrower's money.</summary>
    public const string NotRefundable = "loan_not_refundable";
}

/// <summary>
/// The loan lifecycle as one pure function: every status × event pair has a decision here and nowhere else. Stores
/// lock the loan's row, ask, and persist what it says.
/// </summary>
public static class LoanLifecycle
{
    public static LoanTransition Next(LoanStatus status, LoanEvent happened) => happened switch
    {
        LoanEvent.ConfirmDisbursement => FromOnly(status, LoanRefusals.NotPendingDisbursement, LoanStatus.Active, LoanStatus.PendingDisbursement),
        LoanEvent.FailDisbursement => FromOnly(status, LoanRefusals.NotPendingDisbursement, LoanStatus.DisbursementFailed, LoanStatus.PendingDisbursement),
        LoanEvent.RetryDisbursement => FromOnly(status, LoanRefusals.NotDisbursementFailed, LoanStatus.PendingDisbursement, LoanStatus.DisbursementFailed),
        LoanEvent.Cancel => FromOnly(status, LoanRefusals.NotPendingDisbursement, LoanStatus.Cancelled, LoanStatus.PendingDisbursement, LoanStatus.DisbursementFailed),
        LoanEvent.Repay => IsOpen(status) ? To(status) : Refuse(status, LoanRefusals.NotOpen),
        LoanEvent.CatchUp => FromOnly(status, LoanRefusals.NotOverdue, LoanStatus.Active, LoanStatus.Overdue),
        LoanEvent.PayOff => IsOpen(status) ? To(LoanStatus.PaidOff) : Refuse(status, LoanRefusals.NotOpen),
        LoanEvent.MarkOverdue => IsOpen(status) ? To(LoanStatus.Overdue) : Refuse(status, LoanRefusals.NotOpen),
        LoanEvent.WriteOff => FromOnly(status, LoanRefusals.NotOverdue, LoanStatus.WrittenOff, LoanStatus.Overdue),
        LoanEvent.Recover => FromOnly(status, LoanRefusals.NotWrittenOff, LoanStatus.WrittenOff, LoanStatus.WrittenOff),
        LoanEvent.Refund => IsOpen(status) || status is LoanStatus.PaidOff or LoanStatus.WrittenOff ? To(status) : Refuse(status, LoanRefusals.NotRefundable),
        _ => throw new ArgumentOutOfRangeException(nameof(happened), happened, "Unknown loan event."),
    };

    public static bool Allows(LoanStatus status, LoanEvent happened) => Next(status, happened).Allowed;

    /// <summary>The statuses from which <paramref name="happened"/> is allowed: for statements that put the rule in their WHERE clause.</summary>
    public static IReadOnlyList<LoanStatus> From(LoanEvent happened) =>
        Enum.GetValues<LoanStatus>().Where(s => Allows(s, happened)).ToArray();

    /// <summary>Disbursed and not closed: money is owed and can be paid.</summary>
    public static bool IsOpen(LoanStatus status) => Known(status) is LoanStatus.Active or LoanStatus.Overdue;

    /// <summary>The open statuses (<see cref="IsOpen"/>): for statements that ask for open loans in their WHERE clause.</summary>
    public static IReadOnlyList<LoanStatus> OpenStatuses { get; } = Enum.GetValues<LoanStatus>().Where(IsOpen).ToArray();

    /// <summary>Nothing more falls due on it (recoveries on a written-off loan and refunds of credit aside).</summary>
    public static bool IsClosed(LoanStatus status) => Known(status) is LoanStatus.PaidOff or LoanStatus.WrittenOff or LoanStatus.Cancelled;

    private static LoanTransition FromOnly(LoanStatus status, string refusal, LoanStatus next, params LoanStatus[] sources) =>
        sources.Contains(Known(status)) ? To(next) : Refuse(status, refusal);

    private static LoanTransition To(LoanStatus next) => new(next, null);

    private static LoanTransition Refuse(LoanStatus status, string code) => new(status, code);

    private static LoanStatus Known(LoanStatus status) =>
        Enum.IsDefined(status) ? status : throw new ArgumentOutOfRangeException(nameof(status), status, "Unknown loan status.");
}
