using System.Globalization;
using Dapper;
using HeadlessLoan.Api.Features.CloseOfBusiness;
using HeadlessLoan.Api.Features.Ledger;
using HeadlessLoan.Domain.CreditLines;
using HeadlessLoan.Domain.Loans;
using HeadlessLoan.Domain.Overdue;
using MySqlConnector;

namespace HeadlessLoan.Bench;

/// <summary>The penalty the close must charge, worked out before it runs.</summary>
/// <param name="Loans">Loans charged anything.</param>
/// <param name="Total">Fen charged over all of them.</param>
/// <param name="OverCap">Loans the lifetime cap would hold back (the book is made so that none are; this proves it).</param>
/// <param name="ChargedBefore">Penalty due over every period before the close.</param>
/// <param name="InterestAccruedBefore">Interest accrued over every period before the close, read with it (the book as generated is checked by it).</param>
internal sealed record PenaltyExpected(long Loans, long Total, long OverCap, long ChargedBefore, long InterestAccruedBefore);

/// <summary>
/// What the benchmark compares the close with. The penalty is computed from the generated rows by the rule as
/// docs/close-of-business.md states it (each overdue period: what its days through the COB date earn at the daily
/// rate, within the ceiling over 360 days, rounded half up once, less what it was charged), in SQL of its own, not by
/// the close's code; everything else, the interest accrued included, comes from <see cref="Portfolio.Expect"/>.
/// </summary>
internal static class Checks
{
    public static async Task<PenaltyExpected> PenaltyAsync(MySqlConnection conn, Portfolio book) =>
        await conn.QuerySingleAsync<PenaltyExpected>(new CommandDefinition("""
            SELECT CAST(COALESCE(SUM(charge > 0), 0) AS SIGNED) AS Loans, CAST(COALESCE(SUM(charge), 0) AS SIGNED) AS Total,
                   CAST(COALESCE(SUM(over_cap), 0) AS SIGNED) AS OverCap,
                   (SELECT CAST(COALESCE(SUM(penalty_due), 0) AS SIGNED) FROM loan_periods) AS ChargedBefore,
                   (SELECT CAST(COALESCE(SUM(interest_accrued), 0) AS SIGNED) FROM loan_periods) AS InterestAccruedBefore
              FROM (SELECT SUM(earned - penalty_due) AS charge, SUM(earned) > MAX(cap) AS over_cap FROM (
                      SELECT p.loan_id, p.penalty_due, l.penalty_cap AS cap,
                             LEAST(ROUND((p.principal_due - p.principal_paid) * l.penalty_daily_rate * DATEDIFF(@cob, p.due_date)),
                                   ROUND((p.principal_due - p.principal_paid) * l.ceiling * DATEDIFF(@cob, p.due_date) / 360)) AS earned
                        FROM loan_periods p JOIN loans l ON l.id = p.loan_id
                       WHERE p.due_date < @cob AND (p.principal_paid < p.principal_due OR p.interest_paid < p.interest_due
                                                    OR p.fee_paid < p.fee_due OR p.penalty_paid < p.penalty_due)) e
                     GROUP BY loan_id) t
            """, new { cob = book.CobDate.ToDateTime(TimeOnly.MinValue) }, commandTimeout: 0));

    /// <summary>Every figure the close must have left, compared; returns the mismatches (none: the run is valid).</summary>
    public static async Task<List<string>> AfterCloseAsync(
        MySqlConnection conn, Portfolio book, Expected expected, PenaltyExpected penalty, long batches, LedgerReconciliation reconciliation, CancellationToken ct)
    {
        var cob = book.CobDate.ToDateTime(TimeOnly.MinValue);
        var mismatches = new List<string>();
        void Check(string what, object expect, object found)
        {
            var ok = Equals(expect, found);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {(ok ? "ok      " : "MISMATCH")} {what}: {found}{(ok ? "" : $" (expected {expect})")}"));
            if (!ok)
            {
                mismatches.Add(what);
            }
        }

        async Task<T> One<T>(string sql) => await conn.QuerySingleAsync<T>(new CommandDefinition(sql, new { cob }, commandTimeout: 0, cancellationToken: ct));
        async Task<Dictionary<string, long>> Counts(string sql) =>
            (await conn.QueryAsync<(string Key, long Count)>(new CommandDefinition(sql, new { cob }, commandTimeout: 0, cancellationToken: ct)))
            .ToDictionary(r => r.Key, r => r.Count, StringComparer.Ordinal);
        string Classes(Dictionary<string, long> found) =>
            string.Join(" ", Enum.GetValues<RiskClass>().Select(c => $"{c.ToWire()}={found.GetValueOrDefault(c.ToWire())}"));
        var expectedClasses = string.Join(" ", Enum.GetValues<RiskClass>().Select(c => $"{c.ToWire()}={expected.ByClass[(int)c]}"));

        var run = await conn.QuerySingleOrDefaultAsync<(string Status, long Processed)>(new CommandDefinition(
            "SELECT status, loans_processed FROM cob_runs WHERE cob_date = @cob", new { cob }, cancellationToken: ct));
        Check("COB run", $"{CobRunStatus.Completed}, {expected.Loans} loans", $"{run.Status}, {run.Processed} loans");
        Check("loans closed through the COB date", expected.Loans, await One<long>("SELECT COUNT(*) FROM loans WHERE cob_date = @cob"));
        var statuses = await Counts("SELECT status, COUNT(*) FROM loans GROUP BY status");
        Check("loans overdue / active", $"{expected.Overdue} / {expected.Loans - expected.Overdue}",
            $"{statuses.GetValueOrDefault(LoanStatus.Overdue.ToWire())} / {statuses.GetValueOrDefault(LoanStatus.Active.ToWire())}");
        Check("days past due, summed", expected.DaysPastDueSum, await One<long>("SELECT CAST(SUM(days_past_due) AS SIGNED) FROM loans"));
        Check("loans by class", expectedClasses, Classes(await Counts("SELECT risk_class, COUNT(*) FROM loans GROUP BY risk_class")));
        Check("snapshots of the COB date", expected.Loans, await One<long>("SELECT COUNT(*) FROM loan_day_snapshots WHERE cob_date = @cob"));
        Check("snapshots by class", expectedClasses,
            Classes(await Counts("SELECT risk_class, COUNT(*) FROM loan_day_snapshots WHERE cob_date = @cob GROUP BY risk_class")));
        Check("principal / interest / penalty outstanding in the snapshots",
            $"{expected.PrincipalOutstanding} / {expected.Interest.Outstanding} / {penalty.ChargedBefore + penalty.Total}",
            await One<string>("""
                SELECT CONCAT_WS(' / ', SUM(principal_outstanding), SUM(interest_outstanding), SUM(penalty_outstanding)) FROM loan_day_snapshots WHERE cob_date = @cob
                """));

        // Each move audited and announced; each loan that went overdue cut its borrower's line.
        Check("moves audited (loan.day_end)", expected.Moves, await One<long>("SELECT COUNT(*) FROM audit_records WHERE action = 'loan.day_end'"));
        var events = await Counts("SELECT event_type, COUNT(*) FROM outbox_events GROUP BY event_type");
        Check("events loan.day_end / loan.overdue / loan.risk_class_changed", $"{expected.Moves} / {expected.WentOverdue} / {expected.ClassMoves}",
            $"{events.GetValueOrDefault("loan.day_end")} / {events.GetValueOrDefault("loan.overdue")} / {events.GetValueOrDefault("loan.risk_class_changed")}");
        Check("credit lines cut", expected.WentOverdue, await conn.ExecuteScalarAsync<long>(new CommandDefinition(
            "SELECT COUNT(*) FROM credit_line_changes WHERE reason = @reason", new { reason = CreditLineReasons.Overdue }, cancellationToken: ct)));

        // The penalty and the day's interest: on the periods, and in the ledger as one pooled accrual (no loan's) per batch dated the COB date.
        Check("penalty lifetime cap reached", 0L, penalty.OverCap);
        Check("loans charged penalty (every loan overdue)", expected.Overdue, penalty.Loans);
        Check("penalty charged on the periods (fen)", penalty.Total,
            await One<long>("SELECT CAST(SUM(penalty_due) AS SIGNED) FROM loan_periods") - penalty.ChargedBefore);
        Check("interest accrued on the periods (with what is pending on the loans' rows) before / after the close (fen)", $"{expected.Interest.AccruedBefore} / {expected.Interest.AccruedAfter}",
            $"{penalty.InterestAccruedBefore} / {await One<long>("SELECT CAST((SELECT SUM(interest_accrued) FROM loan_periods) + (SELECT SUM(pending_interest) FROM loans) AS SIGNED)")}");
        var accruals = await conn.QuerySingleAsync<(long Count, long PerLoan, long Total)>(new CommandDefinition("""
            SELECT COUNT(*), CAST(COALESCE(SUM(loan_id IS NOT NULL), 0) AS SIGNED), CAST(COALESCE(SUM(total), 0) AS SIGNED)
              FROM journal_entries WHERE kind = 'accrual' AND value_date = @cob
            """, new { cob }, cancellationToken: ct));
        Check("accruals posted (pooled entries, per-loan entries, fen)", $"{batches}, 0, {expected.Interest.Tonight + penalty.Total}",
            $"{accruals.Count}, {accruals.PerLoan}, {accruals.Total}");
        var income = await Counts("""
            SELECT jl.account, CAST(SUM(jl.credit) AS SIGNED) FROM journal_entries je JOIN journal_lines jl ON jl.entry_id = je.id
             WHERE je.kind = 'accrual' AND je.value_date = @cob AND jl.credit > 0 GROUP BY jl.account
            """);
        Check("accrual income (account: fen)", $"interest_income: {expected.Interest.Tonight}; penalty_income: {penalty.Total}",
            string.Join("; ", income.OrderBy(i => i.Key, StringComparer.Ordinal).Select(i => $"{i.Key}: {i.Value}")));
        Check("fee entries of the COB date (no product charges fees)", 0L,
            await One<long>("SELECT COUNT(*) FROM journal_entries WHERE kind = 'fee' AND value_date = @cob"));

        var books = await reconciliation.RunAsync(ct);
        Check("ledger reconciliation", "ok",
            books.Ok ? "ok" : $"{books.UnbalancedEntries.Count} unbalanced, {books.SnapshotMismatches.Count} snapshot and {books.ScheduleMismatches.Count} schedule mismatches, "
                + $"pools {string.Join(" ", books.AccrualPool.Select(p => $"{p.Component} {p.Pool} vs {p.Pending}"))}");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"           ({books.Entries:N0} entries, {books.LoansChecked:N0} loans' balances and {books.SchedulesChecked:N0} schedules checked)"));
        return mismatches;
    }
}
