namespace HeadlessLoan.Domain.Ledger;

/// <summary>Money split by what it is owed for (fen each, none negative).</summary>
public readonly record struct LoanComponents(long Principal, long Interest, long Penalty, long Fee)
{
    public long Total => checked(Principal + Interest + Penalty + Fee);
}

/// <summary>The rails money moves through, each with its clearing account.</summary>
public enum PaymentRail
{
    BankPayout,
    WeChatPay,
    Offline,
}

/// <summary>
/// Which accounts each kind of money movement touches, on an accrual basis: interest and penalty are income when they
/// accrue (the close of business, or up to the day of a repayment or payoff), not when they are paid; a repayment
/// only settles receivables. See docs/ledger.md.
/// </summary>
public static class Postings
{
    public static LedgerAccount ClearingOf(PaymentRail rail) => rail switch
    {
        PaymentRail.BankPayout => LedgerAccount.PayoutClearing,
        PaymentRail.WeChatPay => LedgerAccount.WeChatPayClearing,
        PaymentRail.Offline => LedgerAccount.OfflineClearing,
        _ => throw new ArgumentOutOfRangeException(nameof(rail), rail, "Unknown payment rail."),
    };

    /// <summary>The principal paid out to the borrower: owed to us from now on.</summary>
    public static JournalEntry Disbursement(Guid id, Guid loanId, DateOnly date, long principal) =>
        JournalEntry.Create(id, EntryKinds.Disbursement, loanId, date,
            [JournalLine.Debit(LedgerAccount.PrincipalReceivable, principal), JournalLine.Credit(LedgerAccount.PayoutClearing, principal)]);

    /// <summary>Interest and penalty earned over a span of days: owed and earned.</summary>
    public static JournalEntry Accrual(Guid id, Guid loanId, DateOnly date, long interest, long penalty) =>
        JournalEntry.Create(id, EntryKinds.Accrual, loanId, date,
        [
            JournalLine.Debit(LedgerAccount.InterestReceivable, interest), JournalLine.Credit(LedgerAccount.InterestIncome, interest),
            JournalLine.Debit(LedgerAccount.PenaltyReceivable, penalty), JournalLine.Credit(LedgerAccount.PenaltyIncome, penalty),
        ]);

    /// <summary>
    /// What the close of business accrued on a batch of loans in one night, owed and earned: the receivables on the
    /// accrual pool (no loan's balance), each loan's own part kept on its periods until it is attributed.
    /// </summary>
    public static JournalEntry PooledAccrual(Guid id, DateOnly date, long interest, long penalty, long fee) =>
        JournalEntry.Create(id, EntryKinds.Accrual, null, date,
        [
            JournalLine.PoolDebit(LedgerAccount.InterestReceivable, interest), JournalLine.Credit(LedgerAccount.InterestIncome, interest),
            JournalLine.PoolDebit(LedgerAccount.PenaltyReceivable, penalty), JournalLine.Credit(LedgerAccount.PenaltyIncome, penalty),
            JournalLine.PoolDebit(LedgerAccount.FeeReceivable, fee), JournalLine.Credit(LedgerAccount.FeeIncome, fee),
        ]);

    /// <summary>A loan's part of the accrual pool (<paramref name="pending"/>: interest, penalty and fees) carried on its own receivables from now on.</summary>
    public static JournalEntry Attribution(Guid id, Guid loanId, DateOnly date, LoanComponents pending) =>
        JournalEntry.Create(id, EntryKinds.AccrualAttributed, loanId, date,
        [
            JournalLine.Debit(LedgerAccount.InterestReceivable, pending.Interest), JournalLine.PoolCredit(LedgerAccount.InterestReceivable, pending.Interest),
            JournalLine.Debit(LedgerAccount.PenaltyReceivable, pending.Penalty), JournalLine.PoolCredit(LedgerAccount.PenaltyReceivable, pending.Penalty),
            JournalLine.Debit(LedgerAccount.FeeReceivable, pending.Fee), JournalLine.PoolCredit(LedgerAccount.FeeReceivable, pending.Fee),
        ]);

    /// <summary>A fee charged to the loan: owed and earned.</summary>
    public static JournalEntry Fee(Guid id, Guid loanId, DateOnly date, long fee) =>
        JournalEntry.Create(id, EntryKinds.Fee, loanId, date,
            [JournalLine.Debit(LedgerAccount.FeeReceivable, fee), JournalLine.Credit(LedgerAccount.FeeIncome, fee)]);

    /// <summary>
    /// Money received through <paramref name="rail"/>: it settles the receivables as <paramref name="allocated"/> says,
    /// and what is left over (<paramref name="overpayment"/>) is the borrower's credit.
    /// </summary>
    public static JournalEntry Repayment(Guid id, Guid loanId, DateOnly date, PaymentRail rail, LoanComponents allocated, long overpayment) =>
        JournalEntry.Create(id, EntryKinds.Repayment, loanId, date,
        [
            JournalLine.Debit(ClearingOf(rail), checked(allocated.Total + overpayment)),
            .. Settling(allocated),
            JournalLine.Credit(LedgerAccount.BorrowerSuspense, overpayment),
        ]);

    /// <summary>The borrower's credit used to settle what they owe (an overpayment applied to the next due, or a prepayment).</summary>
    public static JournalEntry CreditApplied(Guid id, Guid loanId, DateOnly date, LoanComponents allocated) =>
        JournalEntry.Create(id, EntryKinds.Repayment, loanId, date,
            [JournalLine.Debit(LedgerAccount.BorrowerSuspense, allocated.Total), .. Settling(allocated)]);

    /// <summary>Part of the borrower's credit is to go back to them: decided, not yet paid out.</summary>
    public static JournalEntry Refund(Guid id, Guid loanId, DateOnly date, long amount) =>
        JournalEntry.Create(id, EntryKinds.Refund, loanId, date,
            [JournalLine.Debit(LedgerAccount.BorrowerSuspense, amount), JournalLine.Credit(LedgerAccount.RefundsPayable, amount)]);

    /// <summary>A decided refund paid out through <paramref name="rail"/>.</summary>
    public static JournalEntry RefundPaid(Guid id, Guid loanId, DateOnly date, PaymentRail rail, long amount) =>
        JournalEntry.Create(id, EntryKinds.RefundPaid, loanId, date,
            [JournalLine.Debit(LedgerAccount.RefundsPayable, amount), JournalLine.Credit(ClearingOf(rail), amount)]);

    /// <summary>
    /// A loan given up as a loss: everything still owed on it (<paramref name="outstanding"/>, each receivable as the
    /// books hold it) leaves the receivables for the write-off expense. The borrower still owes it; what they pay from
    /// now on is a recovery.
    /// </summary>
    public static JournalEntry WriteOff(Guid id, Guid loanId, DateOnly date, LoanComponents outstanding) =>
        JournalEntry.Create(id, EntryKinds.WriteOff, loanId, date,
            [JournalLine.Debit(LedgerAccount.WriteOffExpense, outstanding.Total), .. Settling(outstanding)]);

    /// <summary>
    /// Money received through <paramref name="rail"/> on a written-off loan: <paramref name="recovered"/> of it is
    /// recovery income (at most what was written off and not yet recovered), the rest the borrower's credit.
    /// </summary>
    public static JournalEntry Recovery(Guid id, Guid loanId, DateOnly date, PaymentRail rail, long recovered, long overpayment) =>
        JournalEntry.Create(id, EntryKinds.Recovery, loanId, date,
        [
            JournalLine.Debit(ClearingOf(rail), checked(recovered + overpayment)),
            JournalLine.Credit(LedgerAccount.RecoveryIncome, recovered),
            JournalLine.Credit(LedgerAccount.BorrowerSuspense, overpayment),
        ]);

    /// <summary>Credit the borrower held when their loan was written off, taken as recovered: it offsets what they owe.</summary>
    public static JournalEntry CreditRecovered(Guid id, Guid loanId, DateOnly date, long amount) =>
        JournalEntry.Create(id, EntryKinds.Recovery, loanId, date,
            [JournalLine.Debit(LedgerAccount.BorrowerSuspense, amount), JournalLine.Credit(LedgerAccount.RecoveryIncome, amount)]);

    private static JournalLine[] Settling(LoanComponents allocated) =>
    [
        JournalLine.Credit(LedgerAccount.PrincipalReceivable, allocated.Principal),
        JournalLine.Credit(LedgerAccount.InterestReceivable, allocated.Interest),
        JournalLine.Credit(LedgerAccount.PenaltyReceivable, allocated.Penalty),
        JournalLine.Credit(LedgerAccount.FeeReceivable, allocated.Fee),
    ];
}
