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
/// The loans' part of the close of business, a batch at a time in the caller's change, in a handful of statements
/// whatever the batch's size, each locking the loan rows it reads (so a repayment arriving meanwhile waits for the
/// batch, never refused, and is applied on what the batch wrote): the quiet loans (current, nothing falling due: the
/// night adds interest to the running period kept in the row's summary, <see cref="LoanSummary"/>) are closed on
/// their rows by one statement of the server's; the rest, still unclosed after that, are read with their periods and
/// closed by the pure rules (<see cref="LoanNight"/>: penalty on overdue principal within the loan's cap, interest and
/// fees on the accrual basis, days past due, class and status, the summary again) and written back in two statements;
/// then a snapshot row per loan from its row, and the night's accrual as one entry on the book's accrual pool
/// (<see cref="Postings.PooledAccrual"/>; each loan's part stays on its periods until <see cref="LoanAccrualPool"/>
/// attributes it). A test holds the quiet statement and the rest to the rules on random books. Only the loans whose
/// status or class moves are audited, announced and told to the observers. A loan that a date already reached
/// (<c>cob_date</c>) is not in that date's batches again, so a rerun or a resumed run changes nothing twice.
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
        var last = await change.ScalarAsync<Guid?>($"""
            SELECT b.id FROM (SELECT l.id FROM loans l
                               WHERE l.id > CONVERT(COALESCE(@after, '') USING ascii){(until is null ? "" : " AND l.id <= CONVERT(@until USING ascii)")} AND {Unclosed}
                               ORDER BY l.id LIMIT @size) b
             ORDER BY b.id DESC LIMIT 1
            """, new { after, until, open = Open, day, size }, ct);
        if (last is null)
        {
            return new DayEndBatch(0, 0, null);
        }

        // The batch is the loans unclosed in (after, last]: the quiet ones closed on their rows (the statement locks
        // the range's rows as it reads them), the rest, still unclosed after that, the long way.
        var batch = new { after, last, open = Open, day, now, active = Active, quietClass };
        var quiet = await change.ExecuteAsync(CloseQuietSql, batch, ct);
        var quietInterest = quiet == 0 ? 0 : await change.ScalarAsync<long>(
            $"SELECT CAST(COALESCE(SUM(l.night_interest), 0) AS SIGNED) FROM loans l WHERE {InRange} AND l.cob_date = @day", batch, ct);
        var (longWay, moved, earned) = await CloseLongWayAsync(change, batch, cobDate, table, now, ct);
        await change.ExecuteAsync(SnapshotSql, batch, ct);
        earned = earned with { Interest = earned.Interest + quietInterest };
        if (earned.Total > 0)
        {
            await ledger.PostOnceAsync(change, Postings.PooledAccrual(
                EntryIds.For(EntryKinds.Accrual, $"cob:{cobDate:yyyy-MM-dd}:{last}"), cobDate, earned.Interest, earned.Penalty, earned.Fee), ct);
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

        return new DayEndBatch(quiet + longWay, moved.Count, last);
    }

    /// <summary>
    /// Closes the batch's loans that are not quiet (those its quiet close left unclosed) by the pure rules
    /// (<see cref="LoanNight"/>): their rows and periods read under their locks, each loan's night worked out, and the
    /// result written back in two statements whatever the batch's size, the periods the night changed and every loan
    /// (standing, summary, and the running period's interest pending on it). Returns the loans whose status or class
    /// moved, how many it closed, and what the night recognised.
    /// </summary>
    private static async Task<(int Closed, List<MovedLoan> Moved, LoanComponents Earned)> CloseLongWayAsync(
        DbChange change, object batch, DateOnly cobDate, ClassificationTable table, DateTime now, CancellationToken ct)
    {
        var loans = (await change.QueryAsync<LongWayLoan>(LongWayLoansSql, batch, ct)).ToList();
        if (loans.Count == 0)
        {
            return (0, [], default);
        }

        var periods = (await change.QueryAsync<StoredPeriod>(LongWayPeriodsSql, batch, ct)).ToLookup(p => p.LoanId);
        var (loanRows, periodRows, moved) = (new List<object>(loans.Count), new List<object>(), new List<MovedLoan>());
        var earned = new LoanComponents(0, 0, 0, 0);
        foreach (var loan in loans)
        {
            var stored = periods[loan.Id].ToDictionary(p => p.Period);
            var night = LoanNight.Close(loan.ToClosing(stored.Values), cobDate, table);
            earned = new LoanComponents(0, checked(earned.Interest + night.Earned.Interest), checked(earned.Penalty + night.Earned.Penalty),
                checked(earned.Fee + night.Earned.Fee));
            // The running period's interest stays on the loan's row, pending (it changes nothing else of it); the
            // other periods the night changed are written.
            var running = night.Summary.RunningPeriod;
            var pending = running is { } r ? night.Summary.RunningAccrued - stored[r].InterestAccrued : 0;
            periodRows.AddRange(night.Periods.Where(p => p.Period != running && stored[p.Period].Differs(p))
                .Select(p => new { loanId = loan.Id, period = p.Period, penalty = p.PenaltyDue, interest = p.InterestAccrued, fee = p.FeeCharged }));
            var after = new LoanStanding(loan.Id, loan.BorrowerId, night.StatusAfter.ToWire(), night.Assessment.DaysPastDue, night.Assessment.ClassAfter.ToWire());
            var before = new LoanStanding(loan.Id, loan.BorrowerId, loan.Status, loan.DaysPastDue, loan.RiskClass);
            var moves = after.Status != before.Status || after.RiskClass != before.RiskClass;
            if (moves)
            {
                moved.Add(new MovedLoan(before, after));
            }

            var (summary, outstanding) = (night.Summary, night.Summary.Outstanding);
            loanRows.Add(new
            {
                id = loan.Id, status = after.Status, dpd = after.DaysPastDue, riskClass = after.RiskClass, moved = moves ? 1 : 0,
                runningPeriod = summary.RunningPeriod, runningDue = summary.RunningDue, runningFrom = summary.RunningFrom, runningBase = summary.RunningBase,
                runningInterestDue = summary.RunningInterestDue, runningAccrued = summary.RunningAccrued, oldestUnsettledDue = summary.OldestUnsettledDue,
                principal = outstanding.Principal, interest = outstanding.Interest, fee = outstanding.Fee, penalty = outstanding.Penalty,
                nightInterest = night.Earned.Interest, pending,
            });
        }

        if (periodRows.Count > 0)
        {
            await change.ExecuteAsync(WritePeriodsSql, new { rows = JsonRows.Of(periodRows) }, ct);
        }

        if (loanRows.Count > 0)
        {
            await change.ExecuteAsync(WriteLoansSql, new { rows = JsonRows.Of(loanRows), day = cobDate.ToDateTime(TimeOnly.MinValue), now }, ct);
        }

        return (loans.Count, moved, earned);
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
    /// The batch's loans to close the long way, as their rows hold them, with the manual class standing over the
    /// table's, if any (approved by someone other than who asked, with a reason: one that is not does not stand).
    /// Locked as read (the quiet close may have locked them already), so what a repayment committed before is seen
    /// and one arriving now waits for the batch.
    /// </summary>
    private const string LongWayLoansSql = $"""
        SELECT l.id, l.borrower_id, l.status, l.days_past_due, l.risk_class, l.disbursed_on, l.cob_date, l.annual_rate, l.penalty_daily_rate, l.ceiling,
               l.penalty_cap, l.running_period, l.pending_interest, o.risk_class AS override_class, o.requested_by AS override_requested_by,
               o.decided_by AS override_decided_by, o.reason AS override_reason
          FROM loans l
          LEFT JOIN risk_class_overrides o ON o.standing_loan = l.id AND o.requested_by IS NOT NULL AND o.decided_by IS NOT NULL
                                          AND o.decided_by <> o.requested_by AND TRIM(o.reason) <> ''
         WHERE {LongWay}
           FOR UPDATE
        """;

    /// <summary>Every period of the batch's loans to close the long way, as its row holds it (locked as read, as <see cref="LongWayLoansSql"/>).</summary>
    private const string LongWayPeriodsSql = $"""
        SELECT p.loan_id, p.period, p.due_date, p.principal_due, p.interest_due, p.fee_due, p.penalty_due, p.interest_accrued, p.fee_charged,
               p.principal_paid, p.interest_paid, p.fee_paid, p.penalty_paid
          FROM loans l JOIN loan_periods p ON p.loan_id = l.id
         WHERE {LongWay}
           FOR UPDATE
        """;

    /// <summary>The periods a night changed, each with what it has charged and recognised now.</summary>
    private const string WritePeriodsSql = """
        UPDATE loan_periods p JOIN JSON_TABLE(@rows, '$[*]' COLUMNS (
                 loan_id CHAR(36) CHARACTER SET ascii PATH '$.loanId', period INT PATH '$.period', penalty BIGINT PATH '$.penalty',
                 interest BIGINT PATH '$.interest', fee BIGINT PATH '$.fee')) j ON p.loan_id = j.loan_id AND p.period = j.period
           SET p.penalty_due = j.penalty, p.interest_accrued = j.interest, p.fee_charged = j.fee
        """;

    /// <summary>
    /// The loans closed the long way, closed through the COB date: their standing (stamped when it moved), their
    /// summaries as of it (<see cref="LoanSummary"/>), the running period's interest not on its row pending and the night's
    /// interest.
    /// </summary>
    private const string WriteLoansSql = """
        UPDATE loans l JOIN JSON_TABLE(@rows, '$[*]' COLUMNS (
                 id CHAR(36) CHARACTER SET ascii PATH '$.id', status VARCHAR(24) CHARACTER SET ascii PATH '$.status', dpd INT PATH '$.dpd',
                 risk_class VARCHAR(16) CHARACTER SET ascii PATH '$.riskClass', moved INT PATH '$.moved', running_period INT PATH '$.runningPeriod',
                 running_due DATE PATH '$.runningDue', running_from DATE PATH '$.runningFrom', running_base BIGINT PATH '$.runningBase',
                 running_interest_due BIGINT PATH '$.runningInterestDue', running_accrued BIGINT PATH '$.runningAccrued',
                 oldest_unsettled_due DATE PATH '$.oldestUnsettledDue', principal BIGINT PATH '$.principal', interest BIGINT PATH '$.interest',
                 fee BIGINT PATH '$.fee', penalty BIGINT PATH '$.penalty', night_interest BIGINT PATH '$.nightInterest',
                 pending BIGINT PATH '$.pending')) j ON l.id = j.id
           SET l.status = j.status, l.days_past_due = j.dpd, l.risk_class = j.risk_class, l.cob_date = @day,
               l.updated_at = IF(j.moved = 1, @now, l.updated_at), l.pending_interest = j.pending, l.summary_of = @day,
               l.running_period = j.running_period, l.running_due = j.running_due, l.running_from = j.running_from, l.running_base = j.running_base,
               l.running_interest_due = j.running_interest_due, l.running_accrued = j.running_accrued, l.oldest_unsettled_due = j.oldest_unsettled_due,
               l.principal_outstanding = j.principal, l.interest_outstanding = j.interest, l.fee_outstanding = j.fee, l.penalty_outstanding = j.penalty,
               l.night_interest = j.night_interest
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

    /// <summary>What a quiet loan's running period earns by the end of the COB date beyond what it has accrued: the running period's rule of <see cref="DailyAccrual"/>, on the summary.</summary>
    private const string QuietInterest =
        "GREATEST(0, LEAST(ROUND(l.running_base * l.annual_rate * (DATEDIFF(@day, l.running_from) + 1) / 360), l.running_interest_due) - l.running_accrued)";

    /// <summary>
    /// Closes the batch's quiet loans on their rows: the night's interest (<c>night_interest</c>) added to the running
    /// period's accrued and pending interest and to what is outstanding. A single-table update assigns left to right,
    /// each assignment seeing the ones before: the night's interest first, measured from <c>running_accrued</c>, which
    /// goes last.
    /// </summary>
    private static readonly string CloseQuietSql = $"""
        UPDATE loans l
           SET l.night_interest = {QuietInterest}, l.pending_interest = l.pending_interest + l.night_interest,
               l.interest_outstanding = l.interest_outstanding + l.night_interest, l.cob_date = @day, l.summary_of = @day,
               l.running_accrued = l.running_accrued + l.night_interest
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

    /// <summary>A loan to close the long way, as its row holds it (<see cref="LongWayLoansSql"/>).</summary>
    private sealed record LongWayLoan(
        Guid Id, Guid? BorrowerId, string Status, int DaysPastDue, string RiskClass, DateTime DisbursedOn, DateTime? CobDate, decimal AnnualRate,
        decimal PenaltyDailyRate, decimal Ceiling, long PenaltyCap, int? RunningPeriod, long PendingInterest, string? OverrideClass, Guid? OverrideRequestedBy,
        Guid? OverrideDecidedBy, string? OverrideReason)
    {
        /// <summary>The loan as the rules take it, its pending interest on its running period.</summary>
        public ClosingLoan ToClosing(IEnumerable<StoredPeriod> periods) => new(
            LoanStatusNames.Parse(Status), DateOnly.FromDateTime(DisbursedOn), CobDate is { } closed ? DateOnly.FromDateTime(closed) : null,
            RiskClassNames.Parse(RiskClass),
            OverrideClass is { } manual ? new ClassOverride(RiskClassNames.Parse(manual), OverrideRequestedBy!.Value, OverrideDecidedBy!.Value, OverrideReason!) : null,
            AnnualRate, new PenaltyTerms(PenaltyDailyRate, Ceiling, PenaltyCap),
            periods.Select(p => p.ToClosing(p.Period == RunningPeriod ? PendingInterest : 0)).ToList());
    }

    /// <summary>A period as its row holds it (<see cref="LongWayPeriodsSql"/>).</summary>
    private sealed record StoredPeriod(
        Guid LoanId, int Period, DateTime DueDate, long PrincipalDue, long InterestDue, long FeeDue, long PenaltyDue, long InterestAccrued, long FeeCharged,
        long PrincipalPaid, long InterestPaid, long FeePaid, long PenaltyPaid)
    {
        public ClosingPeriod ToClosing(long pending) => new(
            new LoanPeriod(Period, DateOnly.FromDateTime(DueDate), new LoanComponents(PrincipalDue, InterestDue, PenaltyDue, FeeDue),
                new LoanComponents(PrincipalPaid, InterestPaid, PenaltyPaid, FeePaid)),
            InterestAccrued + pending, FeeCharged);

        /// <summary>Whether the night leaves the row other than it is (its pending interest written on it counts).</summary>
        public bool Differs(ClosedPeriod closed) => closed.PenaltyDue != PenaltyDue || closed.InterestAccrued != InterestAccrued || closed.FeeCharged != FeeCharged;
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
