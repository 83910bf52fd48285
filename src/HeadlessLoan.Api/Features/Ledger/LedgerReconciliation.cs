using Dapper;
using HeadlessLoan.Api.Platform.Database;
using HeadlessLoan.Domain.Ledger;
using HeadlessLoan.Domain.Loans;
using MySqlConnector;

namespace HeadlessLoan.Api.Features.Ledger;

public sealed record LoanBalanceMismatch(Guid LoanId, string Account, long Snapshot, long Lines);

/// <summary>A loan whose receivable of one component is not what its schedule leaves unpaid.</summary>
public sealed record LoanScheduleMismatch(Guid LoanId, string Component, long Schedule, long Ledger);

/// <summary>One receivable's accrual pool against the parts of it the loans' schedules hold and their balances do not carry yet.</summary>
public sealed record AccrualPoolCheck(string Component, long Pool, long Pending);

/// <summary>A loan whose schedule summed up on its row (what the close of business closes a quiet loan by) is not what its periods say: the columns that differ.</summary>
public sealed record LoanSummaryMismatch(Guid LoanId, IReadOnlyList<string> Fields);

public sealed record LedgerReconciliationResponse(
    bool Ok, DateTimeOffset CheckedAt, long Entries, long TotalDebits, long TotalCredits,
    IReadOnlyList<Guid> UnbalancedEntries, long LoansChecked, IReadOnlyList<LoanBalanceMismatch> SnapshotMismatches,
    long SchedulesChecked, IReadOnlyList<LoanScheduleMismatch> ScheduleMismatches, IReadOnlyList<AccrualPoolCheck> AccrualPool,
    IReadOnlyList<LoanSummaryMismatch> SummaryMismatches);

/// <summary>
/// Proves the books from the rows themselves: debits equal credits over the whole ledger and in every entry (and
/// each entry's total is its debits); every loan's balance snapshot equals the sum of its journal lines; and every
/// loan's receivable per component equals what its schedule leaves unpaid — for interest, penalty and fees on an open
/// loan, at most that, the rest being its part of the accrual pool, and the pool of each equal to the loans' parts
/// summed; and every loan's schedule as summed up on its row for the close of business equals its periods. It reads every line, on a snapshot of its own (one consistent read), so it is for auditors and tests, not
/// for hot paths.
/// </summary>
public sealed class LedgerReconciliation(MySqlDataSource db, TimeProvider clock)
{
    /// <summary>At most this many faults of each kind are listed.</summary>
    public const int MaxListed = 100;

    /// <summary>The statuses of loans the close of business still accrues on: theirs may be on the pool.</summary>
    private static readonly string[] OpenStatuses = LoanLifecycle.OpenStatuses.Select(s => s.ToWire()).ToArray();

    public async Task<LedgerReconciliationResponse> RunAsync(CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, ct);
        var (entries, debits, credits) = await conn.QuerySingleAsync<(long, long, long)>(new CommandDefinition("""
            SELECT (SELECT COUNT(*) FROM journal_entries), CAST(COALESCE(SUM(debit), 0) AS SIGNED), CAST(COALESCE(SUM(credit), 0) AS SIGNED) FROM journal_lines
            """, transaction: tx, cancellationToken: ct));
        var unbalanced = (await conn.QueryAsync<Guid>(new CommandDefinition(UnbalancedSql, new { max = MaxListed }, tx, cancellationToken: ct))).AsList();
        var loans = await conn.ExecuteScalarAsync<long>(new CommandDefinition(
            "SELECT COUNT(DISTINCT loan_id) FROM loan_balances", transaction: tx, cancellationToken: ct));
        var debitNormal = ChartOfAccounts.All.Where(a => ChartOfAccounts.Parse(a).IsDebitNormal()).ToList();
        var mismatches = (await conn.QueryAsync<LoanBalanceMismatch>(new CommandDefinition(
            MismatchSql, new { debitNormal, max = MaxListed }, tx, cancellationToken: ct))).AsList();
        var schedules = await conn.ExecuteScalarAsync<long>(new CommandDefinition(
            "SELECT COUNT(DISTINCT loan_id) FROM loan_periods", transaction: tx, cancellationToken: ct));
        var scheduleMismatches = (await conn.QueryAsync<LoanScheduleMismatch>(new CommandDefinition(
            ScheduleMismatchSql, new { max = MaxListed, open = OpenStatuses }, tx, cancellationToken: ct))).AsList();
        var pool = (await conn.QueryAsync<AccrualPoolCheck>(new CommandDefinition(AccrualPoolSql, new { open = OpenStatuses }, tx, cancellationToken: ct))).AsList();
        var summaries = (await conn.QueryAsync<(Guid LoanId, string Fields)>(new CommandDefinition(SummaryMismatchSql, new { max = MaxListed }, tx, cancellationToken: ct)))
            .Select(m => new LoanSummaryMismatch(m.LoanId, m.Fields.Split(','))).ToList();
        await tx.CommitAsync(ct);
        return new LedgerReconciliationResponse(
            debits == credits && unbalanced.Count == 0 && mismatches.Count == 0 && scheduleMismatches.Count == 0 && pool.All(p => p.Pool == p.Pending)
            && summaries.Count == 0,
            DbTime.ToOffset(DbTime.Now(clock)), entries, debits, credits, unbalanced, loans, mismatches, schedules, scheduleMismatches, pool, summaries);
    }

    // An entry is unbalanced when its lines' debits and credits differ, when its total is not its debits, or when
    // it has no lines at all.
    private const string UnbalancedSql = """
        SELECT e.id FROM journal_entries e
          LEFT JOIN (SELECT entry_id, SUM(debit) AS debits, SUM(credit) AS credits FROM journal_lines GROUP BY entry_id) l ON l.entry_id = e.id
         WHERE l.entry_id IS NULL OR l.debits <> l.credits OR l.debits <> e.total
        UNION
        SELECT entry_id FROM journal_lines WHERE entry_id NOT IN (SELECT id FROM journal_entries)
        LIMIT @max
        """;

    // SUM of BIGINT is DECIMAL in MariaDB: cast back, the amounts are fen.
    // Each loan's snapshot against its lines summed in each account's own sense (an asset or expense rises with a debit).
    private const string MismatchSql = """
        SELECT loan_id AS LoanId, account AS Account, CAST(SUM(snapshot) AS SIGNED) AS Snapshot, CAST(SUM(from_lines) AS SIGNED) AS `Lines` FROM (
            SELECT loan_id, account, balance AS snapshot, 0 AS from_lines FROM loan_balances
            UNION ALL
            SELECT loan_id, account, 0, SUM(IF(account IN @debitNormal, debit - credit, credit - debit))
              FROM journal_lines WHERE loan_id IS NOT NULL GROUP BY loan_id, account
        ) t
        GROUP BY loan_id, account HAVING SUM(snapshot) <> SUM(from_lines)
        LIMIT @max
        """;

    // Each loan's receivables (its snapshot, proven equal to its lines above) against its schedule's unpaid parts, on
    // the accrual basis the ledger keeps: principal is owed once paid out (due − paid; nothing before the payout),
    // interest and fees as far as they have been recognised (accrued or charged − paid, interest with what the close
    // keeps on the loan's row for its running period), penalty as charged (due −
    // paid), each less what a write-off took off the books. An open loan's interest, penalty and fee receivables may
    // be less: the rest of what its periods accrued is on the accrual pool until the loan's next repayment or write-off
    // attributes it (never more: nothing is attributed twice). And a written-off loan's write-off expense and recovery
    // income against what the loan keeps of them. One statement over every loan with a schedule, one row per
    // component that differs.
    private static readonly string ScheduleMismatchSql = $"""
        SELECT loan_id AS LoanId, component AS Component, schedule_unpaid AS Schedule, receivable AS Ledger FROM (
            SELECT l.id AS loan_id, l.status, c.component, c.component IN ('interest', 'penalty', 'fee') AS pooled,
                   CAST(CASE c.component WHEN 'principal' THEN IF(l.disbursed_on IS NULL, 0, s.principal) - l.principal_written_off
                        WHEN 'interest' THEN s.interest + l.pending_interest - l.interest_written_off WHEN 'penalty' THEN s.penalty - l.penalty_written_off
                        WHEN 'fee' THEN s.fee - l.fee_written_off
                        WHEN 'written_off' THEN l.principal_written_off + l.interest_written_off + l.penalty_written_off + l.fee_written_off
                        ELSE l.recovered END AS SIGNED) AS schedule_unpaid,
                   CAST(CASE c.component WHEN 'principal' THEN COALESCE(b.principal, 0) WHEN 'interest' THEN COALESCE(b.interest, 0)
                        WHEN 'penalty' THEN COALESCE(b.penalty, 0) WHEN 'fee' THEN COALESCE(b.fee, 0)
                        WHEN 'written_off' THEN COALESCE(b.written_off, 0) ELSE COALESCE(b.recovered, 0) END AS SIGNED) AS receivable
              FROM loans l
              JOIN (SELECT loan_id, SUM(principal_due - principal_paid) AS principal, SUM(interest_accrued - interest_paid) AS interest,
                           SUM(penalty_due - penalty_paid) AS penalty, SUM(fee_charged - fee_paid) AS fee
                      FROM loan_periods GROUP BY loan_id) s ON s.loan_id = l.id
              LEFT JOIN (SELECT loan_id,
                           SUM(IF(account = '{LedgerAccount.PrincipalReceivable.ToWire()}', balance, 0)) AS principal,
                           SUM(IF(account = '{LedgerAccount.InterestReceivable.ToWire()}', balance, 0)) AS interest,
                           SUM(IF(account = '{LedgerAccount.PenaltyReceivable.ToWire()}', balance, 0)) AS penalty,
                           SUM(IF(account = '{LedgerAccount.FeeReceivable.ToWire()}', balance, 0)) AS fee,
                           SUM(IF(account = '{LedgerAccount.WriteOffExpense.ToWire()}', balance, 0)) AS written_off,
                           SUM(IF(account = '{LedgerAccount.RecoveryIncome.ToWire()}', balance, 0)) AS recovered
                      FROM loan_balances GROUP BY loan_id) b ON b.loan_id = l.id
             CROSS JOIN (SELECT 'principal' AS component UNION ALL SELECT 'interest' UNION ALL SELECT 'penalty' UNION ALL SELECT 'fee'
                         UNION ALL SELECT 'written_off' UNION ALL SELECT 'recovered') c
        ) t
        WHERE receivable > schedule_unpaid OR (receivable <> schedule_unpaid AND NOT (pooled AND status IN @open))
        ORDER BY loan_id, component
        LIMIT @max
        """;

    // Each open loan's recognised and unpaid interest, penalty and fees by its periods (and the interest the close keeps
    // on its row, not yet on its running period), beside its own balances (declared
    // before the statement that uses it: static fields initialise in order).
    private static readonly string Unpaid = $"""
        (SELECT p.loan_id, SUM(p.interest_accrued - p.interest_paid) + MAX(l.pending_interest) AS interest, SUM(p.penalty_due - p.penalty_paid) AS penalty,
                SUM(p.fee_charged - p.fee_paid) AS fee
           FROM loans l JOIN loan_periods p ON p.loan_id = l.id WHERE l.status IN @open GROUP BY p.loan_id) u
        LEFT JOIN (SELECT loan_id, SUM(IF(account = '{LedgerAccount.InterestReceivable.ToWire()}', balance, 0)) AS interest,
                          SUM(IF(account = '{LedgerAccount.PenaltyReceivable.ToWire()}', balance, 0)) AS penalty,
                          SUM(IF(account = '{LedgerAccount.FeeReceivable.ToWire()}', balance, 0)) AS fee
                     FROM loan_balances GROUP BY loan_id) b ON b.loan_id = u.loan_id
        """;

    // Each pooled receivable's balance (the lines no loan carries) against what the open loans' schedules hold of it
    // beyond their own balances.
    private static readonly string AccrualPoolSql = $"""
        SELECT c.component AS Component, CAST(COALESCE(p.pool, 0) AS SIGNED) AS Pool,
               CAST(CASE c.component WHEN 'interest' THEN s.interest WHEN 'penalty' THEN s.penalty ELSE s.fee END AS SIGNED) AS Pending
          FROM (SELECT 'interest' AS component, '{LedgerAccount.InterestReceivable.ToWire()}' AS account
                UNION ALL SELECT 'penalty', '{LedgerAccount.PenaltyReceivable.ToWire()}' UNION ALL SELECT 'fee', '{LedgerAccount.FeeReceivable.ToWire()}') c
          LEFT JOIN (SELECT account, SUM(debit - credit) AS pool FROM journal_lines WHERE loan_id IS NULL GROUP BY account) p ON p.account = c.account
         CROSS JOIN (SELECT COALESCE(SUM(u.interest - COALESCE(b.interest, 0)), 0) AS interest, COALESCE(SUM(u.penalty - COALESCE(b.penalty, 0)), 0) AS penalty,
                            COALESCE(SUM(u.fee - COALESCE(b.fee, 0)), 0) AS fee
                       FROM {Unpaid}) s
        """;

    // Each loan's schedule as summed up on its row (migration 0034; set while summary_of is) against its periods,
    // worked out here again on its own, as of the date the summary is for: the period running after that date (the
    // first due after it: its number and due date, where it runs from, the unpaid principal of it and every later
    // period, its scheduled interest and what it has accrued with the interest pending on the row), the oldest
    // unsettled due date, and what is outstanding per component (interest with what is pending). One row per loan
    // that differs, naming the columns.
    private const string SummaryMismatchSql = """
        SELECT LoanId, Fields FROM (
            SELECT l.id AS LoanId, CONCAT_WS(',',
                   IF(l.running_period <=> r.period, NULL, 'running_period'), IF(l.running_due <=> s.running_due, NULL, 'running_due'),
                   IF(l.running_from <=> COALESCE(s.previous_due, l.disbursed_on), NULL, 'running_from'),
                   IF(l.running_base = COALESCE(s.not_yet_due, 0), NULL, 'running_base'),
                   IF(l.running_interest_due = COALESCE(r.interest_due, 0), NULL, 'running_interest_due'),
                   IF(l.running_accrued = COALESCE(r.interest_accrued, 0) + l.pending_interest, NULL, 'running_accrued'),
                   IF(l.oldest_unsettled_due <=> s.oldest_unsettled_due, NULL, 'oldest_unsettled_due'),
                   IF(l.principal_outstanding = COALESCE(s.principal, 0), NULL, 'principal_outstanding'),
                   IF(l.interest_outstanding = COALESCE(s.interest, 0) + l.pending_interest, NULL, 'interest_outstanding'),
                   IF(l.fee_outstanding = COALESCE(s.fee, 0), NULL, 'fee_outstanding'),
                   IF(l.penalty_outstanding = COALESCE(s.penalty, 0), NULL, 'penalty_outstanding')) AS Fields
              FROM loans l
              LEFT JOIN (SELECT p.loan_id, MIN(IF(p.due_date > l.summary_of, p.due_date, NULL)) AS running_due,
                                MAX(IF(p.due_date <= l.summary_of, p.due_date, NULL)) AS previous_due,
                                SUM(IF(p.due_date > l.summary_of, p.principal_due - p.principal_paid, 0)) AS not_yet_due,
                                MIN(IF(p.principal_paid < p.principal_due OR p.interest_paid < p.interest_due OR p.fee_paid < p.fee_due
                                       OR p.penalty_paid < p.penalty_due, p.due_date, NULL)) AS oldest_unsettled_due,
                                SUM(p.principal_due - p.principal_paid) AS principal, SUM(p.interest_accrued - p.interest_paid) AS interest,
                                SUM(p.fee_charged - p.fee_paid) AS fee, SUM(p.penalty_due - p.penalty_paid) AS penalty
                           FROM loans l JOIN loan_periods p ON p.loan_id = l.id
                          WHERE l.summary_of IS NOT NULL
                          GROUP BY p.loan_id) s ON s.loan_id = l.id
              LEFT JOIN loan_periods r ON r.loan_id = l.id AND r.due_date = s.running_due
             WHERE l.summary_of IS NOT NULL
        ) m
        WHERE Fields <> ''
        ORDER BY LoanId
        LIMIT @max
        """;
}
