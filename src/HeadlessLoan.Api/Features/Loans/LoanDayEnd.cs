using HeadlessLoan.Api.Features.Ledger;
using HeadlessLoan.Api.Platform;
using HeadlessLoan.Api.Platform.Audit;
using HeadlessLoan.Api.Platform.Database;
using HeadlessLoan.Domain.Ledger;
using HeadlessLoan.Domain.Loans;
using HeadlessLoan.Domain.Overdue;

namespace HeadlessLoan.Api.Features.Loans;

/// <summary>What one batch of the close of business did: the loans it reached, and the last of them (where the next batch starts).</summary>
[FeatureApi]
public sealed record DayEndBatch(int Processed, int Moved, Guid? Last);

/// <summary>A loan that fell overdue on a COB date: what features following a borrower (their credit line) are told.</summary>
[FeatureApi]
public sealed record OverdueLoan(Guid LoanId, Guid BorrowerId, DateOnly CobDate);

/// <summary>Told of the loans a batch of the close of business finds newly overdue, all at once, inside the batch's change.</summary>
[FeatureApi]
public interface ILoanOverdueObserver
{
    Task OnWentOverdueAsync(DbChange change, IReadOnlyList<OverdueLoan> loans, DateTime now, CancellationToken ct);
}

/// <summary>
/// The loans' part of the close of business, a batch at a time in the caller's change, worked out by the server over
/// the batch's rows: the batch's loan rows are locked first (so a repayment arriving meanwhile waits for the batch,
/// never refused, and is applied on what the batch wrote), then the quiet loans are closed on their rows alone (current,
/// nothing falling due: the night adds interest to the running period kept in the row's summary, <see cref="LoanSummary"/>),
/// and the rest in a handful of statements whatever the batch's size: what the day earned on every period (penalty on
/// overdue principal within the loan's cap, interest and fees on the accrual basis) added where it is earned, the
/// loans' days past due, class and status with their summaries again; then a snapshot row per loan from its row, and
/// the night's accrual as one entry on the book's accrual pool (<see cref="Postings.PooledAccrual"/>; each loan's part
/// stays on its periods until <see cref="LoanAccrualPool"/> attributes it). The statements are the pure rules
/// (<see cref="CobStep"/>, <see cref="DailyAccrual"/>) written in SQL; a test holds them to each other on random books.
/// Only the loans whose status or class moves come back to be audited, announced and told to the observers. A loan
/// that a date already reached (<c>cob_date</c>) is not in that date's batches again, so a rerun or a resumed run
/// changes nothing twice.
/// </summary>
[FeatureApi]
public sealed class LoanDayEnd(LedgerStore ledger, IEnumerable<ILoanOverdueObserver> observers)
{
    private static readonly AuditActor Cob = new(AuditActor.SystemKind, "close-of-business");

    /// <summary>Closes the next batch of up to <paramref name="size"/> unclosed loans after <paramref name="after"/> (and up to <paramref name="until"/>, when given).</summary>
    public async Task<DayEndBatch> CloseBatchAsync(
        DbChange change, DateOnly cobDate, Guid? after, Guid? until, int size, ClassificationTable table, DateTime now, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(change);
        ArgumentNullException.ThrowIfNull(table);
        var day = cobDate.ToDateTime(TimeOnly.MinValue);
        var quietClass = table.Classify(0).ToWire();
        var locked = (await change.QueryAsync<LockedLoan>($"""
            SELECT l.id, IF({Quiet}, 1, 0) AS quiet_flag, CAST(IF({Quiet}, {QuietInterest}, 0) AS SIGNED) AS quiet_interest
              FROM loans l WHERE l.id > CONVERT(COALESCE(@after, '') USING ascii){(until is null ? "" : " AND l.id <= CONVERT(@until USING ascii)")} AND {Unclosed}
             ORDER BY l.id LIMIT @size FOR UPDATE
            """, new { after, until, open = Open, day, size, active = Active, quietClass }, ct)).ToList();
        if (locked.Count == 0)
        {
            return new DayEndBatch(0, 0, null);
        }

        // The batch is the loans the lock took: those unclosed in (after, last], which nobody else changes meanwhile.
        // The quiet ones are closed on their rows; the rest, still unclosed after that, the long way.
        var (first, last) = (locked[0].Id, locked[^1].Id);
        var batch = new { after, last, open = Open, day, now, overdue = Overdue, active = Active, normal = Normal, quietClass };
        await change.ExecuteAsync(CloseQuietSql, batch, ct);
        var (moved, longWay) = locked.Any(l => !l.Quiet) ? await CloseLongWayAsync(change, batch, table, ct) : ([], new LoanComponents(0, 0, 0, 0));
        await change.ExecuteAsync(SnapshotSql, batch, ct);
        var earned = longWay with { Interest = longWay.Interest + locked.Sum(l => l.QuietInterest) };
        if (earned.Total > 0)
        {
            await ledger.PostOnceAsync(change, Postings.PooledAccrual(
                EntryIds.For(EntryKinds.Accrual, $"cob:{cobDate:yyyy-MM-dd}:{first}"), cobDate, earned.Interest, earned.Penalty, earned.Fee), ct);
        }

        foreach (var loan in moved)
        {
            RecordMove(change, loan, cobDate, table.Version, now);
        }

        var wentOverdue = moved.Where(m => m.WentOverdue && m.After.BorrowerId is not null).Select(m => new OverdueLoan(m.After.Id, m.After.BorrowerId!.Value, cobDate)).ToList();
        if (wentOverdue.Count > 0)
        {
            foreach (var observer in observers)
            {
                await observer.OnWentOverdueAsync(change, wentOverdue, now, ct);
            }
        }

        return new DayEndBatch(locked.Count, moved.Count, last);
    }

    /// <summary>
    /// Closes the batch's loans that are not quiet (those its quiet close left unclosed) over their periods: the pending interest written onto
    /// them first, what the day earns, their standing and summaries. Returns the loans whose status or class
    /// moved and what the periods recognised tonight.
    /// </summary>
    private static async Task<(List<MovedLoan> Moved, LoanComponents Earned)> CloseLongWayAsync(DbChange change, object batch, ClassificationTable table, CancellationToken ct)
    {
        await change.ExecuteAsync(LoanSummary.WritePendingSql(LongWay), batch, ct);
        var before = await RecognisedAsync(change, batch, ct);
        await change.ExecuteAsync(EarnSql, batch, ct);
        var since = await RecognisedAsync(change, batch, ct);
        // Where the loans not plainly current stood (any other was active, 0 days past due, normal); after the close,
        // the loans it moved are those it stamped.
        var standing = (await change.QueryAsync<LoanStanding>($"""
            {SelectStanding} WHERE {LongWay} AND NOT (l.status = @active AND l.days_past_due = 0 AND l.risk_class = @normal) LOCK IN SHARE MODE
            """, batch, ct)).ToDictionary(l => l.Id);
        await change.ExecuteAsync(CloseLoansSql(table), batch, ct);
        var moved = (await change.QueryAsync<LoanStanding>($"{SelectStanding} WHERE {InRange} AND l.cob_date = @day AND l.updated_at = @now", batch, ct))
            .Select(after => new MovedLoan(standing.GetValueOrDefault(after.Id) ?? after with { Status = Active, DaysPastDue = 0, RiskClass = Normal }, after))
            .Where(m => m.Before.Status != m.After.Status || m.Before.RiskClass != m.After.RiskClass)
            .ToList();
        return (moved, new LoanComponents(0, since.Interest - before.Interest, since.Penalty - before.Penalty, since.Fee - before.Fee));
    }

    /// <summary>What the batch's periods have recognised so far (penalty charged, interest accrued, fees charged): read before and after the day's earnings, the difference is the night's accrual.</summary>
    private static async Task<LoanComponents> RecognisedAsync(DbChange change, object batch, CancellationToken ct)
    {
        var (penalty, interest, fee) = await change.QuerySingleOrDefaultAsync<(long, long, long)>($"""
            SELECT CAST(COALESCE(SUM(p.penalty_due), 0) AS SIGNED), CAST(COALESCE(SUM(p.interest_accrued), 0) AS SIGNED), CAST(COALESCE(SUM(p.fee_charged), 0) AS SIGNED)
              FROM loans l JOIN loan_periods p ON p.loan_id = l.id
             WHERE {LongWay} LOCK IN SHARE MODE
            """, batch, ct);
        return new LoanComponents(0, interest, penalty, fee);
    }

    private static void RecordMove(DbChange change, MovedLoan loan, DateOnly cobDate, int tableVersion, DateTime now)
    {
        var (before, moved) = (loan.Before, loan.After);
        // What is audited is what the rules know: a row holding a status or class they do not fails the batch.
        var status = LoanStatusNames.Parse(before.Status);
        RiskClassNames.Parse(before.RiskClass);
        RiskClassNames.Parse(moved.RiskClass);
        if (moved.Status != before.Status && !LoanLifecycle.Next(status, loan.WentOverdue ? LoanEvent.MarkOverdue : LoanEvent.CatchUp).Allowed)
        {
            throw new InvalidOperationException($"Loan {moved.Id}: {before.Status} cannot become {moved.Status}.");
        }

        var after = new { status = moved.Status, daysPastDue = moved.DaysPastDue, riskClass = moved.RiskClass, cobDate, classificationVersion = tableVersion };
        change.Record(new AuditEntry(Cob, "loan.day_end", "loan", moved.Id.ToString(),
            new { status = before.Status, daysPastDue = before.DaysPastDue, riskClass = before.RiskClass }, after), now);
        if (moved.Status != before.Status)
        {
            change.Outbox("loan." + moved.Status, moved.Id, new { loanId = moved.Id, after.daysPastDue, after.riskClass, cobDate }, now);
        }

        if (moved.RiskClass != before.RiskClass)
        {
            change.Outbox("loan.risk_class_changed", moved.Id, new { loanId = moved.Id, from = before.RiskClass, to = after.riskClass, after.daysPastDue, cobDate }, now);
        }
    }

    private static readonly string[] Open = LoanLifecycle.OpenStatuses.Select(s => s.ToWire()).ToArray();
    private static readonly string Overdue = LoanLifecycle.Next(LoanStatus.Active, LoanEvent.MarkOverdue).Next.ToWire();
    private static readonly string Active = LoanLifecycle.Next(LoanStatus.Overdue, LoanEvent.CatchUp).Next.ToWire();
    private static readonly string Normal = RiskClass.Normal.ToWire();

    /// <summary>An open loan paid out by the COB date (<c>@day</c>) and not closed for it yet: what a batch takes.</summary>
    private const string Unclosed = "l.status IN @open AND l.disbursed_on <= @day AND (l.cob_date IS NULL OR l.cob_date < @day)";

    /// <summary>
    /// The batch's id range, (<c>@after</c>, <c>@last</c>]: the bounds in ascii, as the key is (compared in another
    /// character set, the key cannot serve the range and each statement scans every loan).
    /// </summary>
    private const string InRange = "l.id > CONVERT(COALESCE(@after, '') USING ascii) AND l.id <= CONVERT(@last USING ascii)";

    /// <summary>The batch's loans, as its lock took them: unclosed, in its range.</summary>
    private const string InBatch = InRange + " AND " + Unclosed;

    /// <summary>
    /// The batch's loans to close the long way: once the quiet ones are closed, those still unclosed in its range (a
    /// range, not a list of ids: the server plans a long list of keys slower than it scans the batch's rows).
    /// </summary>
    private const string LongWay = InBatch;


    /// <summary>
    /// Per loan of the batch, what the rules ask of its periods together (<see cref="DailyAccrual"/>): the due date
    /// of the period running on the COB date (the first due after it), where it runs from (the due date before it, or
    /// the payout day), the principal not yet due (every later period's unpaid principal), and the penalty charged so
    /// far on every period, which the cap is measured against.
    /// </summary>
    private const string SchedulesSql = $"""
        SELECT p.loan_id, MIN(IF(p.due_date > @day, p.due_date, NULL)) AS running_due, MAX(IF(p.due_date <= @day, p.due_date, NULL)) AS previous_due,
               SUM(IF(p.due_date > @day, p.principal_due - p.principal_paid, 0)) AS not_yet_due, SUM(p.penalty_due) AS charged
          FROM loans l JOIN loan_periods p ON p.loan_id = l.id
         WHERE {LongWay}
         GROUP BY p.loan_id
        """;

    /// <summary>
    /// Penalty earned by the end of a day (<paramref name="through"/>) on a period's unpaid principal, as
    /// <see cref="PenaltyAccrual.EarnedThrough"/>: its overdue days at the daily rate, within what the annual ceiling
    /// yields over them (annual / 360 a day), each rounded half up to the fen once.
    /// </summary>
    private static string EarnedThroughSql(string through) => $"""
        LEAST(ROUND((p.principal_due - p.principal_paid) * l.penalty_daily_rate * GREATEST(0, DATEDIFF({through}, p.due_date))),
              ROUND((p.principal_due - p.principal_paid) * l.ceiling * GREATEST(0, DATEDIFF({through}, p.due_date)) / 360))
        """;

    /// <summary>
    /// The batch's overdue periods with principal unpaid (unsettled, due before the COB date), each with the penalty
    /// its days since the loan's last close earn (<see cref="PenaltyAccrual.ForDays"/>) and what the loan's older
    /// overdue periods earn before it, oldest first (the cap is spent in that order).
    /// </summary>
    private static readonly string OverdueSql = $"""
        SELECT o.loan_id, o.period, o.earned, SUM(o.earned) OVER (PARTITION BY o.loan_id ORDER BY o.due_date, o.period ROWS UNBOUNDED PRECEDING) - o.earned AS earned_before
          FROM (SELECT p.loan_id, p.period, p.due_date,
                       {EarnedThroughSql("@day")} - {EarnedThroughSql("COALESCE(l.cob_date, l.disbursed_on - INTERVAL 1 DAY)")} AS earned
                  FROM loans l JOIN loan_periods p ON p.loan_id = l.id
                 WHERE {LongWay} AND p.due_date < @day AND p.principal_paid < p.principal_due) o
        """;

    /// <summary>
    /// What the day earns, added to each period where it is earned: an overdue period's penalty within what the loan's
    /// cap leaves after its older ones (<see cref="PenaltyAccrual.WithinCap"/>); a period due by the COB date, the
    /// rest of its scheduled interest and fees; the running period, the interest its days so far have earned on the
    /// principal not yet due, capped at its scheduled interest; each less what is recognised already, never less than
    /// nothing. (Every period with principal unpaid is unsettled, so the overdue ones are those due before the COB date.)
    /// </summary>
    private static readonly string EarnSql = $"""
        UPDATE loans l JOIN ({SchedulesSql}) a ON a.loan_id = l.id
          JOIN loan_periods p ON p.loan_id = l.id
          LEFT JOIN ({OverdueSql}) o ON o.loan_id = p.loan_id AND o.period = p.period
           SET p.penalty_due = p.penalty_due + COALESCE(LEAST(o.earned, GREATEST(0, GREATEST(0, l.penalty_cap - a.charged) - o.earned_before)), 0),
               p.interest_accrued = p.interest_accrued + CASE
                   WHEN p.due_date <= @day THEN GREATEST(0, p.interest_due - p.interest_accrued)
                   WHEN p.due_date = a.running_due THEN GREATEST(0, LEAST(ROUND(a.not_yet_due * l.annual_rate
                        * (DATEDIFF(@day, COALESCE(a.previous_due, l.disbursed_on)) + 1) / 360), p.interest_due) - p.interest_accrued)
                   ELSE 0 END,
               p.fee_charged = p.fee_charged + IF(p.due_date <= @day, GREATEST(0, p.fee_due - p.fee_charged), 0)
         WHERE {LongWay}
           AND (o.earned > 0 OR p.due_date = a.running_due OR (p.due_date <= @day AND (p.interest_accrued < p.interest_due OR p.fee_charged < p.fee_due)))
        """;

    /// <summary>
    /// Each loan of the batch with what the day leaves it: days past due from its oldest unsettled period due before
    /// the COB date (<see cref="DaysPastDue"/>), the class the table gives for them unless an approved override stands
    /// (<see cref="ClassificationTable.Effective"/>), and its status (an active loan with something past due is
    /// overdue; an overdue one with nothing past due catches up).
    /// </summary>
    private static string ClosedSql(ClassificationTable table)
    {
        const string dpd = "COALESCE(DATEDIFF(@day, a.oldest), 0)";
        var byTable = string.Join(" ", table.Floors.Reverse().Select(f => $"WHEN {dpd} >= {f.MinDaysPastDue} THEN '{f.Class.ToWire()}'"));
        // A loan without periods is closed too (nothing past due); an override stands once approved by someone else, with a reason.
        return $"""
            SELECT a.*, {dpd} AS dpd, COALESCE(a.override_class, CASE {byTable} END) AS class_after,
                   CASE WHEN a.status = @active AND a.oldest IS NOT NULL THEN @overdue WHEN a.status = @overdue AND a.oldest IS NULL THEN @active
                        ELSE a.status END AS status_after
              FROM (SELECT l.id, l.status, l.risk_class, o.risk_class AS override_class,
                           MIN(IF({LoanSummary.Unsettled} AND p.due_date < @day, p.due_date, NULL)) AS oldest, {LoanSummary.AggregatesSql}
                      FROM loans l LEFT JOIN loan_periods p ON p.loan_id = l.id
                      LEFT JOIN risk_class_overrides o ON o.standing_loan = l.id AND o.requested_by IS NOT NULL AND o.decided_by IS NOT NULL
                                                      AND o.decided_by <> o.requested_by AND TRIM(o.reason) <> ''
                     WHERE {LongWay}
                     GROUP BY l.id) a
            """;
    }

    /// <summary>
    /// Every loan of the batch closed through the COB date, with its days past due, class and status (stamped when
    /// either moved), and its summary worked out again from the same sums (<see cref="LoanSummary"/>).
    /// </summary>
    private static string CloseLoansSql(ClassificationTable table) => $"""
        UPDATE loans l JOIN ({ClosedSql(table)}) c ON c.id = l.id
          JOIN applications a ON a.id = l.application_id
          LEFT JOIN loan_periods r ON r.loan_id = l.id AND r.due_date = c.running_due
           SET l.status = c.status_after, l.days_past_due = c.dpd, l.risk_class = c.class_after, l.cob_date = @day,
               l.updated_at = IF(c.status_after <> c.status OR c.class_after <> c.risk_class, @now, l.updated_at),
               {LoanSummary.AssignmentsSql("c", "r", "a")}
        """;

    /// <summary>
    /// A quiet loan tonight: closed the night before with its summary (<see cref="LoanSummary"/>) worked out for it, current,
    /// in the class the table gives a loan 0 days past due (<c>@quietClass</c>), nothing unsettled falling due by the COB
    /// date and its running period running on past it. Its close changes nothing but the running period's interest.
    /// </summary>
    private const string Quiet = """
        l.summary_of = l.cob_date AND l.status = @active AND l.days_past_due = 0 AND l.risk_class = @quietClass AND l.running_due > @day
        AND (l.oldest_unsettled_due IS NULL OR l.oldest_unsettled_due > @day)
        """;

    /// <summary>What a quiet loan's running period earns by the end of the COB date beyond what it has accrued: the same rule as <see cref="EarnSql"/>'s, on the summary.</summary>
    private const string QuietInterest =
        "GREATEST(0, LEAST(ROUND(l.running_base * l.annual_rate * (DATEDIFF(@day, l.running_from) + 1) / 360), l.running_interest_due) - l.running_accrued)";

    /// <summary>
    /// Closes the batch's quiet loans on their rows: the night's interest added to the running period's accrued and
    /// pending interest and to what is outstanding. A single-table update assigns left to right, each assignment
    /// seeing the ones before: <c>running_accrued</c>, which the night's interest is measured from, goes last.
    /// </summary>
    private static readonly string CloseQuietSql = $"""
        UPDATE loans l
           SET l.pending_interest = l.pending_interest + {QuietInterest}, l.interest_outstanding = l.interest_outstanding + {QuietInterest},
               l.cob_date = @day, l.summary_of = @day, l.running_accrued = l.running_accrued + {QuietInterest}
         WHERE {InBatch} AND {Quiet}
        """;

    /// <summary>A snapshot row per loan of the batch, from its row as the batch left it (closed through the COB date, summed up).</summary>
    private const string SnapshotSql = $"""
        INSERT IGNORE INTO loan_day_snapshots (loan_id, cob_date, status, days_past_due, risk_class, principal_outstanding, interest_outstanding,
                                               fee_outstanding, penalty_outstanding, region_code, officer_id, product_id)
        SELECT l.id, @day, l.status, l.days_past_due, l.risk_class, l.principal_outstanding, l.interest_outstanding, l.fee_outstanding,
               l.penalty_outstanding, l.region_code, NULL, l.product_id
          FROM loans l
         WHERE {InRange} AND l.status IN @open AND l.cob_date = @day
        """;

    /// <summary>A loan's standing as its row holds it (<see cref="LoanStanding"/>).</summary>
    private const string SelectStanding = "SELECT l.id, l.borrower_id, l.status, l.days_past_due, l.risk_class FROM loans l";

    /// <summary>A loan the batch locked: whether it is quiet tonight (1), and if so the interest its night earns.</summary>
    private sealed record LockedLoan(Guid Id, int QuietFlag, long QuietInterest)
    {
        public bool Quiet => QuietFlag == 1;
    }

    /// <summary>A loan's standing as its row holds it.</summary>
    private sealed record LoanStanding(Guid Id, Guid? BorrowerId, string Status, int DaysPastDue, string RiskClass);

    /// <summary>A loan whose status or class the day moves: before and after.</summary>
    private sealed record MovedLoan(LoanStanding Before, LoanStanding After)
    {
        /// <summary>It was current and is overdue now: the moment its borrower's credit line falls.</summary>
        public bool WentOverdue => After.Status != Before.Status && After.Status == Overdue;
    }
}
