using HeadlessLoan.Api.Features.Ledger;
using HeadlessLoan.Api.Platform.Database;
using HeadlessLoan.Domain.Ledger;

namespace HeadlessLoan.Api.Features.Loans;

/// <summary>
/// The close of business accrues a night's interest, penalty and fees for a whole batch of loans as one entry on the
/// book's accrual pool; each loan's part stays on its periods (<c>interest_accrued</c>, <c>penalty_due</c>,
/// <c>fee_charged</c>). Before anything settles or reads a loan's receivables (a repayment, a write-off), its part is
/// moved onto them here: whatever its periods have recognised and not been paid beyond what its own balances carry
/// (the interest the close keeps on the loan's row written onto its periods first, <see cref="LoanSummary"/>).
/// The caller holds the loan's row lock.
/// </summary>
public sealed class LoanAccrualPool(LedgerStore ledger)
{
    /// <summary>Attributes the loan's pending accrual under an id derived from <paramref name="source"/>.</summary>
    public async Task AttributeAsync(DbChange change, Guid loanId, DateOnly on, string source, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(change);
        await LoanSummary.WritePendingAsync(change, loanId, ct);
        // A locking read: the newest periods, not the caller's snapshot, which may be older than the loan's lock.
        var (interest, penalty, fee) = await change.QuerySingleOrDefaultAsync<(long, long, long)>("""
            SELECT CAST(COALESCE(SUM(interest_accrued - interest_paid), 0) AS SIGNED), CAST(COALESCE(SUM(penalty_due - penalty_paid), 0) AS SIGNED),
                   CAST(COALESCE(SUM(fee_charged - fee_paid), 0) AS SIGNED)
              FROM loan_periods WHERE loan_id = @loanId LOCK IN SHARE MODE
            """, new { loanId }, ct);
        var recognised = new LoanComponents(0, interest, penalty, fee);
        var own = await LedgerStore.BalancesAsync(change, loanId, locked: true, ct);
        var pending = new LoanComponents(
            0, Math.Max(0, recognised.Interest - own[LedgerAccount.InterestReceivable]), Math.Max(0, recognised.Penalty - own[LedgerAccount.PenaltyReceivable]),
            Math.Max(0, recognised.Fee - own[LedgerAccount.FeeReceivable]));
        if (pending.Total > 0)
        {
            await ledger.PostOnceAsync(change, Postings.Attribution(EntryIds.For(EntryKinds.AccrualAttributed, source), loanId, on, pending), ct);
        }
    }
}
