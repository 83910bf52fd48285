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

public sealed record LedgerReconciliationResponse(
    bool Ok, DateTimeOffset CheckedAt, long Entries, long TotalDebits, long TotalCredits,
    IReadOnlyList<Guid> UnbalancedEntries, long LoansChecked, IReadOnlyList<LoanBalanceMismatch> SnapshotMismatches,
    long SchedulesChecked, IReadOnlyList<LoanScheduleMismatch> ScheduleMismatches, IReadOnlyList<AccrualPoolCheck> AccrualPool);

/// <summary>
/// Proves the books from the rows themselves: debits equal credits over the whole ledger and in every entry (and
/// each entry's total is its debits); every loan's balance snapshot equals the sum of its journal lines; and every
/// loan's receivable per component equals what its schedule leaves unpaid — for interest, penalty and fees on an open
/// loan, at most that, the rest being its part of the accrual pool, and the pool of each equal to the loans' parts
/// summed. It reads every line, on a snapshot of its own (one consistent read), so it is for auditors and tests, not
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
        await tx.CommitAsync(ct);
        return new LedgerReconciliationResponse(
            debits == credits && unbalanced.Count == 0 && mismatches.Count == 0 && scheduleMismatches.Count == 0 && pool.All(p => p.Pool == p.Pending),
            DbTime.ToOffset(DbTime.Now(clock)), entries, debits, credits, unbalanced, loans, mismatches, schedules, scheduleMismatches, pool);
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

}
