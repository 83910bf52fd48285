using System.Collections.Immutable;
using HeadlessLoan.Api.Platform;
using HeadlessLoan.Api.Platform.Database;
using HeadlessLoan.Domain.Ledger;

namespace HeadlessLoan.Api.Features.Ledger;

/// <summary>What became of a posting.</summary>
[FeatureApi]
public enum PostingOutcome
{
    /// <summary>Written, with the loan's balances.</summary>
    Written,

    /// <summary>An entry with this id and the same content was written before: nothing is written again.</summary>
    AlreadyWritten,

    /// <summary>An entry with this id and other content exists: refused.</summary>
    ConflictingId,

    /// <summary>It would take a receivable or the borrower's credit below zero: refused.</summary>
    Overdrawn,
}

/// <summary>
/// The only way money is recorded: a journal entry written inside the caller's change, with the loan's balance
/// snapshot. The caller holds its loan's row lock, so one loan's postings are serial; the balances are read locked
/// again here, so nothing is written that the snapshot does not allow.
/// </summary>
[FeatureApi]
public sealed class LedgerStore(TimeProvider clock)
{
    /// <summary>Writes <paramref name="entry"/> in <paramref name="change"/> unless it was written before or is refused.</summary>
    public async Task<PostingOutcome> PostAsync(DbChange change, JournalEntry entry, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(change);
        ArgumentNullException.ThrowIfNull(entry);
        // A locking read: two changes posting one id at once both lock its gap, and one of them loses the deadlock
        // (a conflict its request reruns, finding the entry written) instead of meeting a duplicate key.
        if (await change.QuerySingleOrDefaultAsync<byte[]>("SELECT content_hash FROM journal_entries WHERE id = @id FOR UPDATE", new { id = entry.Id }, ct) is { } hash)
        {
            return hash.AsSpan().SequenceEqual(entry.ContentHash) ? PostingOutcome.AlreadyWritten : PostingOutcome.ConflictingId;
        }

        var before = entry.LoanId is { } loan ? await BalancesAsync(change, loan, locked: true, ct) : LoanBalances.Empty;
        if (before.Apply(entry).Overdrawn is not null)
        {
            return PostingOutcome.Overdrawn;
        }

        await change.ExecuteAsync(InsertEntrySql, new
        {
            id = entry.Id, kind = entry.Kind, loanId = entry.LoanId, valueDate = entry.ValueDate.ToDateTime(TimeOnly.MinValue),
            total = entry.Total, hash = entry.ContentHash, now = DbTime.Now(clock),
        }, ct);
        HoldLinesAndBalances(change, entry);
        return PostingOutcome.Written;
    }

    /// <summary>
    /// Writes an entry its caller posts exactly once, its own record of the movement locked and moved on in the same
    /// change: any outcome but <see cref="PostingOutcome.Written"/> means that record is wrong, so it throws and nothing
    /// of the change is kept.
    /// </summary>
    public async Task PostOnceAsync(DbChange change, JournalEntry entry, CancellationToken ct)
    {
        if (await PostAsync(change, entry, ct) is not PostingOutcome.Written and var outcome)
        {
            throw new InvalidOperationException($"The {entry.Kind} entry {entry.Id} of loan {entry.LoanId} could not be posted: {outcome}.");
        }
    }

    /// <summary>The loan's balances as its snapshot holds them (one query of at most one row per account).</summary>
    public static async Task<LoanBalances> BalancesAsync(DbChange change, Guid loanId, bool locked, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(change);
        var rows = await change.QueryAsync<(string Account, long Balance)>(
            "SELECT account, balance FROM loan_balances WHERE loan_id = @loanId" + (locked ? " FOR UPDATE" : ""), new { loanId }, ct);
        return new LoanBalances(rows.ToDictionary(r => ChartOfAccounts.Parse(r.Account), r => r.Balance).ToImmutableDictionary());
    }

    /// <summary>The entry's lines and the loan's balance changes, held by the change: sent with its next round trip (merged into one INSERT each at commit).</summary>
    private static void HoldLinesAndBalances(DbChange change, JournalEntry entry)
    {
        HoldLines(change, entry);
        HoldBalances(change, entry);
    }

    private static void HoldLines(DbChange change, JournalEntry entry)
    {
        for (var i = 0; i < entry.Lines.Count; i++)
        {
            var line = entry.Lines[i];
            change.Write(InsertLinesSql, new
            {
                entryId = entry.Id, lineNo = i + 1, account = line.Account.ToWire(), loanId = line.Pooled ? null : entry.LoanId,
                debit = line.Side == EntrySide.Debit ? line.Amount : 0, credit = line.Side == EntrySide.Credit ? line.Amount : 0,
            });
        }
    }

    private static void HoldBalances(DbChange change, JournalEntry entry)
    {
        if (entry.LoanId is { } loanId)
        {
            foreach (var account in entry.Lines.Where(l => !l.Pooled).GroupBy(l => l.Account))
            {
                change.Write(UpsertBalanceSql, new { loanId, account = account.Key.ToWire(), delta = account.Sum(l => l.SignedForBalance) });
            }
        }
    }

    private const string InsertEntrySql = """
        INSERT INTO journal_entries (id, kind, loan_id, value_date, total, content_hash, created_at)
        VALUES (@id, @kind, @loanId, @valueDate, @total, @hash, @now)
        """;

    private const string InsertLinesSql = """
        INSERT INTO journal_lines (entry_id, line_no, account, loan_id, debit, credit)
        VALUES (@entryId, @lineNo, @account, @loanId, @debit, @credit)
        """;

    private const string UpsertBalanceSql = """
        INSERT INTO loan_balances (loan_id, account, balance) VALUES (@loanId, @account, @delta)
        ON DUPLICATE KEY UPDATE balance = balance + VALUES(balance)
        """;
}
