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
/// never refused, and is applied on what the batch wrote), then a handful of statements whatever the batch's size:
/// what the day earned on every period (penalty on overdue principal within the loan's cap, interest and fees on the
/// accrual basis) added where it is earned, the loans' days past due, class and status, a snapshot row per loan, and
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

    public async Task<DayEndBatch> CloseBatchAsync(DbChange change, DateOnly cobDate, Guid? after, int size, ClassificationTable table, DateTime now, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(change);
        ArgumentNullException.ThrowIfNull(table);
        var day = cobDate.ToDateTime(TimeOnly.MinValue);
        var ids = (await change.QueryAsync<Guid>($"""
            SELECT l.id FROM loans l WHERE (@after IS NULL OR l.id > @after) AND {Unclosed} ORDER BY l.id LIMIT @size FOR UPDATE
            """, new { after, open = Open, day, size }, ct)).ToList();
        if (ids.Count == 0)
        {
            return new DayEndBatch(0, 0, null);
        }

        // The batch is the loans the lock took: those unclosed in (after, last], which nobody else changes meanwhile.
        var batch = new { after, last = ids[^1], open = Open, day, now, overdue = Overdue, active = Active };
        var before = await RecognisedAsync(change, batch, ct);
        await change.ExecuteAsync(EarnSql, batch, ct);
        var since = await RecognisedAsync(change, batch, ct);
        var earned = new LoanComponents(0, since.Interest - before.Interest, since.Penalty - before.Penalty, since.Fee - before.Fee);
        var moved = (await change.QueryAsync<MovedLoan>(MovedSql(table), batch, ct)).ToList();
        await change.ExecuteAsync(CloseLoansSql(table), batch, ct);
        await change.ExecuteAsync(SnapshotSql, batch, ct);
        if (earned.Total > 0)
        {
            await ledger.PostOnceAsync(change, Postings.PooledAccrual(
                EntryIds.For(EntryKinds.Accrual, $"cob:{cobDate:yyyy-MM-dd}:{ids[0]}"), cobDate, earned.Interest, earned.Penalty, earned.Fee), ct);
        }

        foreach (var loan in moved)
        {
            RecordMove(change, loan, cobDate, table.Version, now);
        }

        var wentOverdue = moved.Where(m => m.WentOverdue && m.BorrowerId is not null).Select(m => new OverdueLoan(m.Id, m.BorrowerId!.Value, cobDate)).ToList();
        if (wentOverdue.Count > 0)
        {
            foreach (var observer in observers)
            {
                await observer.OnWentOverdueAsync(change, wentOverdue, now, ct);
            }
        }

        return new DayEndBatch(ids.Count, moved.Count, ids[^1]);
    }

    /// <summary>What the batch's periods have recognised so far (penalty charged, interest accrued, fees charged): read before and after the day's earnings, the difference is the night's accrual.</summary>
    private static async Task<LoanComponents> RecognisedAsync(DbChange change, object batch, CancellationToken ct)
    {
        var (penalty, interest, fee) = await change.QuerySingleOrDefaultAsync<(long, long, long)>($"""
            SELECT CAST(COALESCE(SUM(p.penalty_due), 0) AS SIGNED), CAST(COALESCE(SUM(p.interest_accrued), 0) AS SIGNED), CAST(COALESCE(SUM(p.fee_charged), 0) AS SIGNED)
              FROM loans l JOIN loan_periods p ON p.loan_id = l.id
             WHERE l.id > COALESCE(@after, '') AND l.id <= @last AND {Unclosed}
            """, batch, ct);
        return new LoanComponents(0, interest, penalty, fee);
    }

    private static void RecordMove(DbChange change, MovedLoan loan, DateOnly cobDate, int tableVersion, DateTime now)
    {
        // What is audited is what the rules know: a row holding a status or class they do not fails the batch.
        var status = LoanStatusNames.Parse(loan.Status);
        RiskClassNames.Parse(loan.RiskClass);
        if (loan.StatusAfter != loan.Status && !LoanLifecycle.Next(status, loan.WentOverdue ? LoanEvent.MarkOverdue : LoanEvent.CatchUp).Allowed)
        {
            throw new InvalidOperationException($"Loan {loan.Id}: {loan.Status} cannot become {loan.StatusAfter}.");
        }

        var after = new { status = loan.StatusAfter, daysPastDue = loan.Dpd, riskClass = loan.ClassAfter, cobDate, classificationVersion = tableVersion };
        change.Record(new AuditEntry(Cob, "loan.day_end", "loan", loan.Id.ToString(),
            new { status = loan.Status, daysPastDue = loan.DaysPastDue, riskClass = loan.RiskClass }, after), now);
        if (loan.StatusAfter != loan.Status)
        {
            change.Outbox("loan." + loan.StatusAfter, loan.Id, new { loanId = loan.Id, after.daysPastDue, after.riskClass, cobDate }, now);
        }

        if (loan.ClassAfter != loan.RiskClass)
        {
            change.Outbox("loan.risk_class_changed", loan.Id, new { loanId = loan.Id, from = loan.RiskClass, to = after.riskClass, after.daysPastDue, cobDate }, now);
        }
    }

    private static readonly string[] Open = LoanLifecycle.From(LoanEvent.MarkOverdue).Select(s => s.ToWire()).ToArray();
    private static readonly string Overdue = LoanLifecycle.Next(LoanStatus.Active, LoanEvent.MarkOverdue).Next.ToWire();
    private static readonly string Active = LoanLifecycle.Next(LoanStatus.Overdue, LoanEvent.CatchUp).Next.ToWire();

    /// <summary>An open loan paid out by the COB date (<c>@day</c>) and not closed for it yet: what a batch takes.</summary>
    private const string Unclosed = "l.status IN @open AND l.disbursed_on <= @day AND (l.cob_date IS NULL OR l.cob_date < @day)";

    /// <summary>
    /// Every period of the batch with what the rules ask of its loan's others (<see cref="DailyAccrual"/>,
    /// <see cref="PenaltyAccrual"/>): whether it is unsettled, where it runs from (the previous due date, or the payout
    /// day), the principal not yet due from it on, whether it is the period running on the COB date (the first due
    /// after it), and the penalty the loan's cap leaves (the cap less the penalty charged on every period so far).
    /// </summary>
    private const string PeriodsSql = $"""
        SELECT p.loan_id, p.period, p.due_date, p.interest_due, p.interest_accrued, p.fee_due, p.fee_charged,
               p.principal_due - p.principal_paid AS principal_unpaid,
               p.principal_paid < p.principal_due OR p.interest_paid < p.interest_due OR p.fee_paid < p.fee_due OR p.penalty_paid < p.penalty_due AS unsettled,
               l.annual_rate, l.penalty_daily_rate, l.ceiling,
               COALESCE(l.cob_date, l.disbursed_on - INTERVAL 1 DAY) AS closed_through,
               GREATEST(0, l.penalty_cap - SUM(p.penalty_due) OVER (PARTITION BY p.loan_id)) AS cap_left,
               COALESCE(LAG(p.due_date) OVER (PARTITION BY p.loan_id ORDER BY p.due_date, p.period), l.disbursed_on) AS start,
               SUM(p.principal_due - p.principal_paid) OVER (PARTITION BY p.loan_id ORDER BY p.due_date DESC, p.period DESC ROWS UNBOUNDED PRECEDING) AS from_here,
               ROW_NUMBER() OVER (PARTITION BY p.loan_id, p.due_date > @day ORDER BY p.due_date, p.period) AS nth
          FROM loans l JOIN loan_periods p ON p.loan_id = l.id
         WHERE l.id > COALESCE(@after, '') AND l.id <= @last AND {Unclosed}
        """;

    /// <summary>
    /// Penalty earned by the end of a day (<paramref name="through"/>) on a period's unpaid principal, as
    /// <see cref="PenaltyAccrual.EarnedThrough"/>: its overdue days at the daily rate, within what the annual ceiling
    /// yields over them (annual / 360 a day), each rounded half up to the fen once.
    /// </summary>
    private static string EarnedThroughSql(string through) => $"""
        LEAST(ROUND(w.principal_unpaid * w.penalty_daily_rate * GREATEST(0, DATEDIFF({through}, w.due_date))),
              ROUND(w.principal_unpaid * w.ceiling * GREATEST(0, DATEDIFF({through}, w.due_date)) / 360))
        """;

    /// <summary>
    /// What the day earns on each period: the penalty of its overdue days since the loan's last close
    /// (<see cref="PenaltyAccrual.ForDays"/>), the whole scheduled interest and fees of a period due by the COB date
    /// and the interest the running period's days so far have earned on the principal not yet due (capped at its
    /// scheduled interest), less what is recognised already, never less than nothing.
    /// </summary>
    private static readonly string EarnedSql = $"""
        SELECT w.loan_id, w.period, w.due_date, w.cap_left,
               IF(w.unsettled AND w.due_date < @day AND w.principal_unpaid > 0,
                  {EarnedThroughSql("@day")} - {EarnedThroughSql("w.closed_through")}, 0) AS penalty,
               CASE WHEN w.due_date <= @day THEN GREATEST(0, w.interest_due - w.interest_accrued)
                    WHEN w.nth = 1 AND w.start <= @day
                    THEN GREATEST(0, LEAST(ROUND(w.from_here * w.annual_rate * (DATEDIFF(@day, w.start) + 1) / 360), w.interest_due) - w.interest_accrued)
                    ELSE 0 END AS interest,
               IF(w.due_date <= @day, GREATEST(0, w.fee_due - w.fee_charged), 0) AS fee
          FROM ({PeriodsSql}) w
        """;

    /// <summary>
    /// The day's earnings added to their periods: each overdue period's penalty oldest first within what the cap
    /// leaves (<see cref="PenaltyAccrual.WithinCap"/>: the running sum of what the periods earned, held within the
    /// cap's room, less the same before the period).
    /// </summary>
    private static readonly string EarnSql = $"""
        UPDATE loan_periods p JOIN (
            SELECT e.loan_id, e.period, e.interest, e.fee,
                   LEAST(e.running_penalty, e.cap_left) - LEAST(e.running_penalty - e.penalty, e.cap_left) AS penalty
              FROM (SELECT x.*, SUM(x.penalty) OVER (PARTITION BY x.loan_id ORDER BY x.due_date, x.period ROWS UNBOUNDED PRECEDING) AS running_penalty
                      FROM ({EarnedSql}) x) e
             WHERE e.penalty > 0 OR e.interest > 0 OR e.fee > 0) r ON r.loan_id = p.loan_id AND r.period = p.period
           SET p.penalty_due = p.penalty_due + r.penalty, p.interest_accrued = p.interest_accrued + r.interest, p.fee_charged = p.fee_charged + r.fee
        """;

    /// <summary>
    /// Each loan of the batch with what the day leaves it: days past due from its oldest unsettled period due before
    /// the COB date (<see cref="DaysPastDue"/>), the class the table gives for them unless an approved override stands
    /// (<see cref="ClassificationTable.Effective"/>), and its status (an active loan with something past due is
    /// overdue; an overdue one with nothing past due catches up).
    /// </summary>
    private static string ClosedSql(ClassificationTable table)
    {
        var byTable = string.Join(" ", table.Floors.Reverse().Select(f => $"WHEN a.dpd >= {f.MinDaysPastDue} THEN '{f.Class.ToWire()}'"));
        return $"""
            SELECT a.*, COALESCE(a.override_class, CASE {byTable} END) AS class_after,
                   CASE WHEN a.status = @active AND a.oldest IS NOT NULL THEN @overdue WHEN a.status = @overdue AND a.oldest IS NULL THEN @active
                        ELSE a.status END AS status_after
              FROM (SELECT l.id, l.borrower_id, l.status, l.days_past_due, l.risk_class, o.risk_class AS override_class,
                           MIN(IF((p.principal_paid < p.principal_due OR p.interest_paid < p.interest_due OR p.fee_paid < p.fee_due OR p.penalty_paid < p.penalty_due)
                                  AND p.due_date < @day, p.due_date, NULL)) AS oldest,
                           COALESCE(DATEDIFF(@day, MIN(IF((p.principal_paid < p.principal_due OR p.interest_paid < p.interest_due OR p.fee_paid < p.fee_due
                                  OR p.penalty_paid < p.penalty_due) AND p.due_date < @day, p.due_date, NULL))), 0) AS dpd
                      FROM loans l JOIN loan_periods p ON p.loan_id = l.id
                      LEFT JOIN risk_class_overrides o ON o.standing_loan = l.id AND o.requested_by IS NOT NULL AND o.decided_by IS NOT NULL
                     WHERE l.id > COALESCE(@after, '') AND l.id <= @last AND {Unclosed}
                     GROUP BY l.id) a
            """;
    }

    /// <summary>The loans of the batch whose status or class the day moves, with what they were and what they become.</summary>
    private static string MovedSql(ClassificationTable table) => $"""
        SELECT c.id, c.borrower_id, c.status, c.days_past_due, c.risk_class, c.status_after, CAST(c.dpd AS SIGNED) AS dpd, c.class_after
          FROM ({ClosedSql(table)}) c
         WHERE c.status_after <> c.status OR c.class_after <> c.risk_class
        """;

    /// <summary>Every loan of the batch closed through the COB date, with its days past due, class and status (stamped when either moved).</summary>
    private static string CloseLoansSql(ClassificationTable table) => $"""
        UPDATE loans l JOIN ({ClosedSql(table)}) c ON c.id = l.id
           SET l.status = c.status_after, l.days_past_due = c.dpd, l.risk_class = c.class_after, l.cob_date = @day,
               l.updated_at = IF(c.status_after <> c.status OR c.class_after <> c.risk_class, @now, l.updated_at)
        """;

    /// <summary>A snapshot row per loan of the batch, summed by the server from the rows as the batch left them (now closed through the COB date).</summary>
    private const string SnapshotSql = """
        INSERT IGNORE INTO loan_day_snapshots (loan_id, cob_date, status, days_past_due, risk_class, principal_outstanding, interest_outstanding,
                                               fee_outstanding, penalty_outstanding, region_code, officer_id, product_id)
        SELECT l.id, @day, l.status, l.days_past_due, l.risk_class, SUM(p.principal_due - p.principal_paid), SUM(p.interest_accrued - p.interest_paid),
               SUM(p.fee_charged - p.fee_paid), SUM(p.penalty_due - p.penalty_paid), a.declared_region_code, NULL, l.product_id
          FROM loans l JOIN applications a ON a.id = l.application_id JOIN loan_periods p ON p.loan_id = l.id
         WHERE l.id > COALESCE(@after, '') AND l.id <= @last AND l.status IN @open AND l.cob_date = @day
         GROUP BY l.id
        """;

    /// <summary>A loan whose status or class the day moves: before and after (set by name: a channel's loan has no borrower).</summary>
    private sealed class MovedLoan
    {
        public Guid Id { get; init; }

        public Guid? BorrowerId { get; init; }

        public string Status { get; init; } = "";

        public int DaysPastDue { get; init; }

        public string RiskClass { get; init; } = "";

        public string StatusAfter { get; init; } = "";

        public long Dpd { get; init; }

        public string ClassAfter { get; init; } = "";

        /// <summary>It was current and is overdue now: the moment its borrower's credit line falls.</summary>
        public bool WentOverdue => StatusAfter != Status && StatusAfter == Overdue;
    }
}
