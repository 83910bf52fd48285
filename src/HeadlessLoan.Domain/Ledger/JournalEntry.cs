using System.Security.Cryptography;
using System.Text;

namespace HeadlessLoan.Domain.Ledger;

public enum EntrySide
{
    Debit,
    Credit,
}

/// <summary>
/// One line of a journal entry: an amount in fen (always positive) on one side of one account. A <see cref="Pooled"/>
/// line is on the book's accrual pool: the part of a receivable the close of business accrued for many loans at once,
/// which no loan's balance carries until it is attributed to its loan (<see cref="Postings.Attribution"/>).
/// </summary>
public readonly record struct JournalLine(LedgerAccount Account, EntrySide Side, long Amount, bool Pooled = false)
{
    public static JournalLine Debit(LedgerAccount account, long amount) => new(account, EntrySide.Debit, amount);

    public static JournalLine Credit(LedgerAccount account, long amount) => new(account, EntrySide.Credit, amount);

    public static JournalLine PoolDebit(LedgerAccount account, long amount) => new(account, EntrySide.Debit, amount, Pooled: true);

    public static JournalLine PoolCredit(LedgerAccount account, long amount) => new(account, EntrySide.Credit, amount, Pooled: true);

    /// <summary>What the line does to its account's balance, in the account's own sense (an asset rises with a debit, the others with a credit).</summary>
    public long SignedForBalance => (Side == EntrySide.Debit) == Account.IsDebitNormal() ? Amount : -Amount;
}

/// <summary>
/// One money movement: balanced lines (debits = credits) under an id the poster chooses, so the same posting can
/// never be written twice — a retry finds the first, and the same id with other content is refused
/// (<see cref="ContentHash"/> tells them apart). Built only through <see cref="Create"/>, which refuses anything else.
/// </summary>
public sealed class JournalEntry
{
    private JournalEntry(Guid id, string kind, Guid? loanId, DateOnly valueDate, IReadOnlyList<JournalLine> lines)
    {
        Id = id;
        Kind = kind;
        LoanId = loanId;
        ValueDate = valueDate;
        Lines = lines;
        Total = lines.Where(l => l.Side == EntrySide.Debit).Sum(l => l.Amount);
        ContentHash = HashOf(kind, loanId, valueDate, lines);
    }

    public Guid Id { get; }

    /// <summary>What the movement was (<see cref="EntryKinds"/>).</summary>
    public string Kind { get; }

    public Guid? LoanId { get; }

    /// <summary>The business date the movement belongs to (not when it was written).</summary>
    public DateOnly ValueDate { get; }

    public IReadOnlyList<JournalLine> Lines { get; }

    /// <summary>The sum of the debits, which is the sum of the credits.</summary>
    public long Total { get; }

    /// <summary>SHA-256 of everything but the id, in a fixed order: two postings under one id are the same posting only when this is equal.</summary>
    public byte[] ContentHash { get; }

    /// <summary>
    /// The entry, or an exception saying why it is not one: no lines, fewer than two, an amount that is not positive,
    /// or debits that differ from credits. Lines with zero amounts are left out first (an allocation that gave a
    /// component nothing).
    /// </summary>
    public static JournalEntry Create(Guid id, string kind, Guid? loanId, DateOnly valueDate, IEnumerable<JournalLine> lines)
    {
        ArgumentNullException.ThrowIfNull(lines);
        ArgumentException.ThrowIfNullOrWhiteSpace(kind);
        var kept = lines.Where(l => l.Amount != 0).ToList();
        if (kept.Any(l => l.Amount < 0))
        {
            throw new ArgumentException("A journal line's amount is positive; the side says which way it goes.", nameof(lines));
        }

        if (kept.Count < 2)
        {
            throw new ArgumentException("A journal entry has at least one debit and one credit.", nameof(lines));
        }

        var debits = kept.Where(l => l.Side == EntrySide.Debit).Sum(l => checked(l.Amount));
        var credits = kept.Where(l => l.Side == EntrySide.Credit).Sum(l => checked(l.Amount));
        if (debits != credits)
        {
            throw new ArgumentException($"Debits ({debits}) and credits ({credits}) differ: the entry does not balance.", nameof(lines));
        }

        return new JournalEntry(id, kind, loanId, valueDate, kept.AsReadOnly());
    }

    /// <summary>The entry that undoes this one: the same lines on the other side, under its own id.</summary>
    public JournalEntry Reversal(Guid id, DateOnly valueDate) =>
        Create(id, EntryKinds.Reversal, LoanId, valueDate,
            Lines.Select(l => l with { Side = l.Side == EntrySide.Debit ? EntrySide.Credit : EntrySide.Debit }));

    private static byte[] HashOf(string kind, Guid? loanId, DateOnly valueDate, IReadOnlyList<JournalLine> lines)
    {
        var text = new StringBuilder()
            .Append(kind).Append('|').Append(loanId?.ToString() ?? "-").Append('|').Append(valueDate.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture));
        foreach (var line in lines.OrderBy(l => l.Account).ThenBy(l => l.Side).ThenBy(l => l.Amount).ThenBy(l => l.Pooled))
        {
            text.Append('|').Append(line.Account.ToWire()).Append(line.Side == EntrySide.Debit ? ":D:" : ":C:")
                .Append(line.Amount.ToString(System.Globalization.CultureInfo.InvariantCulture)).Append(line.Pooled ? ":P" : "");
        }

        return SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString()));
    }
}

/// <summary>The kinds of journal entries (stored names).</summary>
public static class EntryKinds
{
    public const string Disbursement = "disbursement";
    public const string Accrual = "accrual";
    public const string Repayment = "repayment";
    public const string Fee = "fee";
    public const string Refund = "refund";
    public const string RefundPaid = "refund_paid";
    public const string Reversal = "reversal";
    public const string WriteOff = "write_off";
    public const string Recovery = "recovery";
    public const string AccrualAttributed = "accrual_attributed";
}
