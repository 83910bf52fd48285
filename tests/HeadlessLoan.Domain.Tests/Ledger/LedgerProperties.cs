using FsCheck.Xunit;
using HeadlessLoan.Domain.Ledger;

namespace HeadlessLoan.Domain.Tests.Ledger;

/// <summary>
/// Random sequences of disbursement, accruals, fees, repayments (with overpayment), credit applied, refunds, refunds paid
/// and reversals of earlier entries; after every step the ledger's invariants hold.
/// </summary>
public sealed class LedgerProperties
{
    private static readonly Guid Loan = Guid.Parse("0190a000-0000-7000-8000-000000000002");
    private static readonly DateOnly Day = new(2026, 12, 2);

    [Property(MaxTest = 300)]
    public bool Every_step_keeps_the_books_balanced_the_snapshot_equal_to_the_lines_and_nothing_overdrawn(int principalSeed, int[] steps)
    {
        var principal = 1 + (long)(uint)principalSeed % 100_000_000;
        var written = new List<JournalEntry>();
        var balances = Post(LoanBalances.Empty, Postings.Disbursement(Guid.NewGuid(), Loan, Day, principal), written)!;
        foreach (var seed in steps ?? [])
        {
            var entry = Next(seed, balances, written);
            if (entry is null)
            {
                continue;
            }

            if (Post(balances, entry, written) is { } after)
            {
                balances = after;
            }

            if (!Invariants(balances, written))
            {
                return false;
            }
        }

        return Invariants(balances, written);
    }

    /// <summary>The balances after <paramref name="entry"/> (recorded in <paramref name="written"/>), or null when it was refused.</summary>
    private static LoanBalances? Post(LoanBalances balances, JournalEntry entry, List<JournalEntry> written)
    {
        var (after, overdrawn) = balances.Apply(entry);
        if (overdrawn is null)
        {
            written.Add(entry);
        }

        return after;
    }

    /// <summary>An operation picked by <paramref name="seed"/>, with amounts drawn within what the state allows (and sometimes beyond, to be refused).</summary>
    private static JournalEntry? Next(int seed, LoanBalances b, List<JournalEntry> written)
    {
        var pick = (uint)seed;
        long Part(long of) => of <= 0 ? 0 : (long)(pick / 16 % (ulong)(of + 2)); // up to one more than there is
        var owed = b.Outstanding;
        var id = Guid.NewGuid();
        try
        {
            return (pick % 8) switch
            {
                0 => Postings.Accrual(id, Loan, Day, 1 + pick / 8 % 50_000, pick / 64 % 3_000),
                1 => Postings.Fee(id, Loan, Day, 1 + pick / 8 % 5_000),
                2 => Postings.Repayment(id, Loan, Day, PaymentRail.WeChatPay,
                    new LoanComponents(Part(owed.Principal), Part(owed.Interest), Part(owed.Penalty), Part(owed.Fee)), pick / 256 % 2_000),
                3 => Postings.CreditApplied(id, Loan, Day, new LoanComponents(Math.Min(Part(owed.Principal), b.Credit), 0, 0, 0)),
                4 => Postings.Refund(id, Loan, Day, Part(b.Credit)),
                5 => Postings.RefundPaid(id, Loan, Day, PaymentRail.WeChatPay, Part(b[LedgerAccount.RefundsPayable])),
                6 when written.Count > 0 => written[(int)(pick / 8 % (uint)written.Count)].Reversal(id, Day),
                _ => Postings.Repayment(id, Loan, Day, PaymentRail.Offline, new LoanComponents(0, Part(owed.Interest), 0, 0), 0),
            };
        }
        catch (ArgumentException)
        {
            return null; // an operation that came to nothing (every amount zero) is no entry
        }
    }

    private static bool Invariants(LoanBalances balances, IReadOnlyList<JournalEntry> written)
    {
        var eachBalanced = written.All(e =>
            e.Lines.Where(l => l.Side == EntrySide.Debit).Sum(l => l.Amount) == e.Lines.Where(l => l.Side == EntrySide.Credit).Sum(l => l.Amount));
        var replayed = written.SelectMany(e => e.Lines).GroupBy(l => l.Account).ToDictionary(g => g.Key, g => g.Sum(l => l.SignedForBalance));
        var snapshotIsTheLines = Enum.GetValues<LedgerAccount>().All(a => balances[a] == replayed.GetValueOrDefault(a));
        var nothingOverdrawn = LoanBalances.NeverNegative.All(a => balances[a] >= 0);
        return eachBalanced && snapshotIsTheLines && nothingOverdrawn;
    }
}
