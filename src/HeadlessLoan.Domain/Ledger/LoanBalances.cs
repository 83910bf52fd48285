using System.Collections.Immutable;

namespace HeadlessLoan.Domain.Ledger;

/// <summary>
/// One loan's balance in every account it touches, each in its account's own sense (what is owed on a receivable, what
/// is held on the borrower's credit): the snapshot kept with every entry, so reading a loan never replays its history.
/// </summary>
public sealed record LoanBalances(ImmutableDictionary<LedgerAccount, long> ByAccount)
{
    public static LoanBalances Empty { get; } = new(ImmutableDictionary<LedgerAccount, long>.Empty);

    /// <summary>The accounts whose balance may never go below zero: nobody owes less than nothing, no credit is overdrawn.</summary>
    public static IReadOnlySet<LedgerAccount> NeverNegative { get; } = new HashSet<LedgerAccount>
    {
        LedgerAccount.PrincipalReceivable, LedgerAccount.InterestReceivable, LedgerAccount.PenaltyReceivable, LedgerAccount.FeeReceivable,
        LedgerAccount.BorrowerSuspense, LedgerAccount.RefundsPayable,
    };

    public long this[LedgerAccount account] => ByAccount.GetValueOrDefault(account);

    /// <summary>What the borrower still owes, by component.</summary>
    public LoanComponents Outstanding => new(
        this[LedgerAccount.PrincipalReceivable], this[LedgerAccount.InterestReceivable], this[LedgerAccount.PenaltyReceivable], this[LedgerAccount.FeeReceivable]);

    /// <summary>The borrower's credit: paid beyond what was owed, not yet applied or refunded.</summary>
    public long Credit => this[LedgerAccount.BorrowerSuspense];

    /// <summary>
    /// The balances after <paramref name="entry"/> (its lines on the accrual pool are no loan's), or the account it would take below zero (a repayment settling more
    /// than is owed, a refund of more credit than there is): such an entry is refused before it is written.
    /// </summary>
    public (LoanBalances? After, LedgerAccount? Overdrawn) Apply(JournalEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        var builder = ByAccount.ToBuilder();
        foreach (var line in entry.Lines.Where(l => !l.Pooled))
        {
            builder[line.Account] = checked(builder.GetValueOrDefault(line.Account) + line.SignedForBalance);
        }

        foreach (var (account, balance) in builder)
        {
            if (balance < 0 && NeverNegative.Contains(account))
            {
                return (null, account);
            }
        }

        return (new LoanBalances(builder.ToImmutable()), null);
    }
}
