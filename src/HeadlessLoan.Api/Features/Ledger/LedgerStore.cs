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

    /// <summary>
    /// Writes many entries in <paramref name="change"/> in a handful of statements whatever their number (the close of
    /// business posts a batch's accruals so): the ids already written and the loans' balances are read in one locking
    /// statement each, and the new entries, their lines and the balance changes are written by one statement each, their
    /// rows sent as one JSON document (<see cref="JsonRows"/>). Each entry has the outcome <see cref="PostAsync"/> would give it, in the order given.
    /// </summary>
    public async Task<IReadOnlyList<PostingOutcome>> PostManyAsync(DbChange change, IReadOnlyList<JournalEntry> entries, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(change);
        ArgumentNullException.ThrowIfNull(entries);
        if (entries.Count == 0)
        {
            return [];
        }

        var written = (await change.QueryAsync<(Guid Id, byte[] Hash)>(
            "SELECT id, content_hash FROM journal_entries WHERE id IN @ids FOR UPDATE", new { ids = entries.Select(e => e.Id).ToArray() }, ct))
            .ToDictionary(r => r.Id, r => r.Hash);
        var loans = entries.Where(e => e.LoanId is not null).Select(e => e.LoanId!.Value).Distinct().ToArray();
        var balances = (await change.QueryAsync<(Guid LoanId, string Account, long Balance)>(
                "SELECT loan_id, account, balance FROM loan_balances WHERE loan_id IN @loans FOR UPDATE", new { loans }, ct))
            .GroupBy(r => r.LoanId)
            .ToDictionary(g => g.Key, g => new LoanBalances(g.ToDictionary(r => ChartOfAccounts.Parse(r.Account), r => r.Balance).ToImmutableDictionary()));

        var outcomes = new PostingOutcome[entries.Count];
        var accepted = new List<JournalEntry>(entries.Count);
        for (var i = 0; i < entries.Count; i++)
        {
            var entry = entries[i];
            if (written.TryGetValue(entry.Id, out var hash))
            {
                outcomes[i] = hash.AsSpan().SequenceEqual(entry.ContentHash) ? PostingOutcome.AlreadyWritten : PostingOutcome.ConflictingId;
                continue;
            }

            var before = entry.LoanId is { } loan ? balances.GetValueOrDefault(loan, LoanBalances.Empty) : LoanBalances.Empty;
            var after = before.Apply(entry);
            if (after.Overdrawn is not null)
            {
                outcomes[i] = PostingOutcome.Overdrawn;
                continue;
            }

            if (entry.LoanId is { } id)
            {
                balances[id] = after.After!;
            }

            written[entry.Id] = entry.ContentHash; // the same id twice in one call: the second finds the first
            accepted.Add(entry);
            outcomes[i] = PostingOutcome.Written;
        }

        if (accepted.Count > 0)
        {
            HoldMany(change, accepted, DbTime.Now(clock));
        }

        return outcomes;
    }

    /// <summary>The entries, their lines and the balance changes (one per loan and account), held by the change as three statements over JSON rows.</summary>
    private static void HoldMany(DbChange change, List<JournalEntry> accepted, DateTime now)
    {
        var entries = accepted.Select(e => new ManyEntry(e.Id, e.Kind, e.LoanId, e.ValueDate, e.Total, Convert.ToHexString(e.ContentHash)));
        var lines = accepted.SelectMany(e => e.Lines.Select((l, i) => new ManyLine(
            e.Id, i + 1, l.Account.ToWire(), l.Pooled ? null : e.LoanId, l.Side == EntrySide.Debit ? l.Amount : 0, l.Side == EntrySide.Credit ? l.Amount : 0)));
        var balances = accepted.Where(e => e.LoanId is not null)
            .SelectMany(e => e.Lines.Where(l => !l.Pooled).Select(l => (Loan: e.LoanId!.Value, l.Account, l.SignedForBalance)))
            .GroupBy(b => (b.Loan, b.Account))
            .Select(g => new ManyBalance(g.Key.Loan, g.Key.Account.ToWire(), g.Sum(b => b.SignedForBalance)));
        change.Write(InsertManyEntriesSql, new { rows = JsonRows.Of(entries), now });
        change.Write(InsertManyLinesSql, new { rows = JsonRows.Of(lines) });
        change.Write(UpsertManyBalancesSql, new { rows = JsonRows.Of(balances) });
    }

    private sealed record ManyEntry(Guid Id, string Kind, Guid? LoanId, DateOnly ValueDate, long Total, string Hash);

    private sealed record ManyLine(Guid EntryId, int LineNo, string Account, Guid? LoanId, long Debit, long Credit);

    private sealed record ManyBalance(Guid LoanId, string Account, long Delta);

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

    // The ids and accounts out of the JSON are ascii, as the columns they go to and the keys they meet.
    private const string InsertManyEntriesSql = """
        INSERT INTO journal_entries (id, kind, loan_id, value_date, total, content_hash, created_at)
        SELECT r.id, r.kind, r.loan_id, r.value_date, r.total, UNHEX(r.hash), @now
          FROM JSON_TABLE(@rows, '$[*]' COLUMNS (
                 id CHAR(36) CHARACTER SET ascii PATH '$.id', kind VARCHAR(24) CHARACTER SET ascii PATH '$.kind',
                 loan_id CHAR(36) CHARACTER SET ascii PATH '$.loanId', value_date DATE PATH '$.valueDate', total BIGINT PATH '$.total',
                 hash CHAR(64) CHARACTER SET ascii PATH '$.hash')) r
        """;

    private const string InsertManyLinesSql = """
        INSERT INTO journal_lines (entry_id, line_no, account, loan_id, debit, credit)
        SELECT r.entry_id, r.line_no, r.account, r.loan_id, r.debit, r.credit
          FROM JSON_TABLE(@rows, '$[*]' COLUMNS (
                 entry_id CHAR(36) CHARACTER SET ascii PATH '$.entryId', line_no SMALLINT PATH '$.lineNo', account VARCHAR(32) CHARACTER SET ascii PATH '$.account',
                 loan_id CHAR(36) CHARACTER SET ascii PATH '$.loanId', debit BIGINT PATH '$.debit', credit BIGINT PATH '$.credit')) r
        """;

    private const string UpsertManyBalancesSql = """
        INSERT INTO loan_balances (loan_id, account, balance)
        SELECT r.loan_id, r.account, r.delta
          FROM JSON_TABLE(@rows, '$[*]' COLUMNS (
                 loan_id CHAR(36) CHARACTER SET ascii PATH '$.loanId', account VARCHAR(32) CHARACTER SET ascii PATH '$.account', delta BIGINT PATH '$.delta')) r
        ON DUPLICATE KEY UPDATE balance = balance + VALUES(balance)
        """;

    private const string UpsertBalanceSql = """
        INSERT INTO loan_balances (loan_id, account, balance) VALUES (@loanId, @account, @delta)
        ON DUPLICATE KEY UPDATE balance = balance + VALUES(balance)
        """;
}
