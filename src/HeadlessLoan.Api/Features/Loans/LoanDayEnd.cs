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
/// The loans' part of the close of business, a batch at a time in the caller's change: the batch's loan rows are
/// locked (so a repayment arriving meanwhile waits for the batch, never refused, and is applied on what the batch
/// wrote), their periods read in one statement, each loan assessed by the pure rules (<see cref="CobStep"/>,
/// <see cref="DailyAccrual"/>), and the results written back a statement per kind: the loans, what the day earned on
/// their periods with its entries, a snapshot row per loan (summed by the server from the rows as the batch left them). A loan that a date already reached (<c>cob_date</c>) is not in that date's batches again, so a rerun
/// or a resumed run changes nothing twice.
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
        var loans = (await change.QueryAsync<DayEndLoan>("""
            SELECT l.id, l.borrower_id, l.status, l.disbursed_on, l.cob_date, l.days_past_due, l.risk_class, l.penalty_cap, l.annual_rate, l.penalty_daily_rate,
                   l.ceiling, l.product_id, o.risk_class AS override_class, o.requested_by AS override_requested_by, o.decided_by AS override_approved_by,
                   o.reason AS override_reason
              FROM loans l LEFT JOIN risk_class_overrides o ON o.standing_loan = l.id
             WHERE (@after IS NULL OR l.id > @after) AND l.status IN @open AND l.disbursed_on <= @day AND (l.cob_date IS NULL OR l.cob_date < @day)
             ORDER BY l.id LIMIT @size FOR UPDATE
            """, new { after, open = Open, day, size }, ct)).ToList();
        if (loans.Count == 0)
        {
            return new DayEndBatch(0, 0, null);
        }

        var ids = loans.Select(l => l.Id).ToArray();
        // Every period of the batch, read as locked reads read (the newest, under the loans' locks): the ids joined out
        // of one JSON document, which the key serves in id order.
        var schedules = (await change.QueryAsync<BatchPeriod>("""
            SELECT p.loan_id, p.period, p.due_date, p.principal_due, p.interest_due, p.fee_due, p.penalty_due,
                   p.interest_accrued, p.fee_charged, p.principal_paid, p.interest_paid, p.fee_paid, p.penalty_paid
              FROM JSON_TABLE(@ids, '$[*]' COLUMNS (id CHAR(36) CHARACTER SET ascii PATH '$')) j
              STRAIGHT_JOIN loan_periods p ON p.loan_id = j.id
             LOCK IN SHARE MODE
            """, new { ids = JsonRows.Of(ids) }, ct)).ToLookup(p => p.LoanId);

        var closed = loans.Select(l =>
        {
            var periods = DayEndPeriod.Of(schedules[l.Id], day);
            return new ClosedLoan(
                l, CobStep.Assess(l.Facts(periods.Where(p => p.DueDate < day && p.Unsettled)), cobDate, table),
                periods.Where(p => p.Running == 1 || p.DueDate <= day)
                    .Select(p => DailyAccrual.Through(p.ForAccrual(l.DisbursedOn), l.AnnualRate, cobDate)).OfType<PeriodAccrual>().ToList());
        }).ToList();
        await WriteBackAsync(change, closed, day, now, ct);
        var moved = 0;
        foreach (var c in closed.Where(c => c.Step.Event is not null || c.Step.ClassMoved))
        {
            moved++;
            RecordMove(change, c.Loan, c.Step, now);
        }

        var wentOverdue = closed.Where(c => c.Step.WentOverdue && c.Loan.BorrowerId is not null)
            .Select(c => new OverdueLoan(c.Loan.Id, c.Loan.BorrowerId!.Value, cobDate)).ToList();
        if (wentOverdue.Count > 0)
        {
            foreach (var observer in observers)
            {
                await observer.OnWentOverdueAsync(change, wentOverdue, now, ct);
            }
        }

        return new DayEndBatch(loans.Count, moved, ids[^1]);
    }

    /// <summary>
    /// The batch's assessments written back: loans in one statement, what the day earned on their periods in another, its
    /// entries in a few, snapshots in one: each loan with a schedule as its row and periods now stand (the rows are
    /// locked), summed where they are.
    /// </summary>
    private async Task WriteBackAsync(DbChange change, List<ClosedLoan> closed, DateTime day, DateTime now, CancellationToken ct)
    {
        // The ids out of the JSON are ascii, as the keys they join: in another character set the key cannot be used and each row scans the table.
        await change.ExecuteAsync("""
            UPDATE loans l JOIN JSON_TABLE(@rows, '$[*]' COLUMNS (
                     id CHAR(36) CHARACTER SET ascii PATH '$.id', status VARCHAR(24) PATH '$.status', dpd INT PATH '$.dpd', risk VARCHAR(16) PATH '$.risk', moved INT PATH '$.moved')) r
                ON r.id = l.id
               SET l.status = r.status, l.days_past_due = r.dpd, l.risk_class = r.risk, l.cob_date = @day,
                   l.updated_at = IF(r.moved = 1, @now, l.updated_at)
            """, new
        {
            rows = JsonRows.Of(closed.Select(c => new
            {
                id = c.Loan.Id, status = StatusAfter(c.Loan, c.Step).ToWire(), dpd = c.Step.DaysPastDue, risk = c.Step.ClassAfter.ToWire(),
                moved = c.Step.Event is not null || c.Step.ClassMoved ? 1 : 0,
            })),
            day,
            now,
        }, ct);

        await RecogniseAsync(change, closed, DateOnly.FromDateTime(day), ct);
        // The snapshots last, from the rows as the batch left them, summed by the server: nothing carried through here.
        await change.ExecuteAsync("""
            INSERT IGNORE INTO loan_day_snapshots (loan_id, cob_date, status, days_past_due, risk_class, principal_outstanding, interest_outstanding,
                                                   fee_outstanding, penalty_outstanding, region_code, officer_id, product_id)
            SELECT l.id, @day, l.status, l.days_past_due, l.risk_class, SUM(p.principal_due - p.principal_paid), SUM(p.interest_accrued - p.interest_paid),
                   SUM(p.fee_charged - p.fee_paid), SUM(p.penalty_due - p.penalty_paid), a.declared_region_code, NULL, l.product_id
              FROM JSON_TABLE(@ids, '$[*]' COLUMNS (id CHAR(36) CHARACTER SET ascii PATH '$')) j
              STRAIGHT_JOIN loans l ON l.id = j.id JOIN applications a ON a.id = l.application_id JOIN loan_periods p ON p.loan_id = l.id
             GROUP BY l.id
            """, new { ids = JsonRows.Of(closed.Select(c => c.Loan.Id)), day }, ct);
    }

    /// <summary>
    /// The penalty, interest and fees the day earned, added to their periods in one statement and posted as one accrual
    /// entry (interest and penalty) and one fee entry per loan, their ids derived from the loan and the COB date, so a
    /// replayed batch finds them written.
    /// </summary>
    private async Task RecogniseAsync(DbChange change, List<ClosedLoan> closed, DateOnly cobDate, CancellationToken ct)
    {
        var earned = closed.SelectMany(c => c.Earned().Select(e => new { loanId = c.Loan.Id, period = e.Period, penalty = e.Penalty, interest = e.Interest, fee = e.Fee })).ToList();
        if (earned.Count == 0)
        {
            return;
        }

        await change.ExecuteAsync("""
            UPDATE loan_periods p JOIN JSON_TABLE(@rows, '$[*]' COLUMNS (
                     loan_id CHAR(36) CHARACTER SET ascii PATH '$.loanId', period INT PATH '$.period',
                     penalty BIGINT PATH '$.penalty', interest BIGINT PATH '$.interest', fee BIGINT PATH '$.fee')) r
                ON r.loan_id = p.loan_id AND r.period = p.period
               SET p.penalty_due = p.penalty_due + r.penalty, p.interest_accrued = p.interest_accrued + r.interest, p.fee_charged = p.fee_charged + r.fee
            """, new { rows = JsonRows.Of(earned) }, ct);
        var source = (Guid loanId) => $"cob:{loanId}:{cobDate:yyyy-MM-dd}";
        var entries = closed.SelectMany(c => new[]
            {
                c.Step.PenaltyToAccrue + c.InterestToAccrue > 0
                    ? Postings.Accrual(EntryIds.For(EntryKinds.Accrual, source(c.Loan.Id)), c.Loan.Id, cobDate, c.InterestToAccrue, c.Step.PenaltyToAccrue)
                    : null,
                c.FeeToCharge > 0 ? Postings.Fee(EntryIds.For(EntryKinds.Fee, source(c.Loan.Id)), c.Loan.Id, cobDate, c.FeeToCharge) : null,
            }.OfType<JournalEntry>()).ToList();
        var posted = await ledger.PostManyAsync(change, entries, ct);
        if (posted.FirstOrDefault(o => o is not (PostingOutcome.Written or PostingOutcome.AlreadyWritten)) is var refused && refused != default)
        {
            throw new InvalidOperationException($"An accrual of {cobDate:yyyy-MM-dd} was refused by the ledger: {refused}.");
        }
    }

    private static LoanStatus StatusAfter(DayEndLoan loan, OverdueAssessment step) =>
        step.Event is { } happened ? LoanLifecycle.Next(loan.State, happened) is { Allowed: true } moved ? moved.Next
            : throw new InvalidOperationException($"Loan {loan.Id}: {happened} refused from {loan.Status}.")
        : loan.State;

    private static void RecordMove(DbChange change, DayEndLoan loan, OverdueAssessment step, DateTime now)
    {
        var status = StatusAfter(loan, step).ToWire();
        var after = new { status, daysPastDue = step.DaysPastDue, riskClass = step.ClassAfter.ToWire(), step.CobDate, classificationVersion = step.TableVersion };
        change.Record(new AuditEntry(Cob, "loan.day_end", "loan", loan.Id.ToString(),
            new { status = loan.Status, daysPastDue = loan.DaysPastDue, riskClass = loan.RiskClass }, after), now);
        if (status != loan.Status)
        {
            change.Outbox("loan." + status, loan.Id, new { loanId = loan.Id, after.daysPastDue, after.riskClass, step.CobDate }, now);
        }

        if (step.ClassMoved)
        {
            change.Outbox("loan.risk_class_changed", loan.Id, new { loanId = loan.Id, from = loan.RiskClass, to = after.riskClass, after.daysPastDue, step.CobDate }, now);
        }
    }

    /// <summary>A loan of the batch with what the rules made of it: its overdue assessment and what its periods earned in interest and fees.</summary>
    private sealed record ClosedLoan(DayEndLoan Loan, OverdueAssessment Step, IReadOnlyList<PeriodAccrual> Accruals)
    {
        public long InterestToAccrue => Accruals.Sum(a => a.Interest);

        public long FeeToCharge => Accruals.Sum(a => a.Fee);

        /// <summary>Per period, what the day adds to its penalty, interest and fees recognised.</summary>
        public IEnumerable<(int Period, long Penalty, long Interest, long Fee)> Earned() =>
            Step.Penalties.Select(p => (p.Period, p.Amount, 0L, 0L))
                .Concat(Accruals.Select(a => (a.Period, 0L, a.Interest, a.Fee)))
                .GroupBy(e => e.Item1)
                .Select(g => (g.Key, g.Sum(e => e.Item2), g.Sum(e => e.Item3), g.Sum(e => e.Item4)));
    }

    private static readonly string[] Open = LoanLifecycle.From(LoanEvent.MarkOverdue).Select(s => s.ToWire()).ToArray();

    /// <summary>A loan of the batch as its row holds it.</summary>
    private sealed record DayEndLoan(
        Guid Id, Guid? BorrowerId, string Status, DateTime DisbursedOn, DateTime? CobDate, int DaysPastDue, string RiskClass, long PenaltyCap,
        decimal AnnualRate, decimal PenaltyDailyRate, decimal Ceiling, Guid ProductId, string? OverrideClass, Guid? OverrideRequestedBy,
        Guid? OverrideApprovedBy, string? OverrideReason)
    {
        /// <summary>The manual class that stands on the loan (approved by a second person), or null.</summary>
        public ClassOverride? Override => OverrideClass is { } c && OverrideRequestedBy is { } by && OverrideApprovedBy is { } approver
            ? new ClassOverride(RiskClassNames.Parse(c), by, approver, OverrideReason ?? "")
            : null;

        public LoanStatus State => LoanStatusNames.Parse(Status);

        /// <summary>What the rules need, with the loan's unsettled periods past due (<paramref name="pastDue"/>) and the penalty cap fixed when it was made.</summary>
        public LoanCobFacts Facts(IEnumerable<DayEndPeriod> pastDue)
        {
            var periods = pastDue.ToList();
            return new LoanCobFacts(
                State, DateOnly.FromDateTime(DisbursedOn), periods.Select(p => p.ToDomain()).ToList(),
                new PenaltyTerms(PenaltyDailyRate, Ceiling, PenaltyCap),
                CobDate is { } d ? DateOnly.FromDateTime(d) : null, RiskClassNames.Parse(RiskClass), Override,
                periods.Count > 0 ? periods[0].PenaltyCharged : 0);
        }
    }

    /// <summary>A period of the batch as its row holds it.</summary>
    private sealed record BatchPeriod(
        Guid LoanId, int Period, DateTime DueDate, long PrincipalDue, long InterestDue, long FeeDue, long PenaltyDue,
        long InterestAccrued, long FeeCharged, long PrincipalPaid, long InterestPaid, long FeePaid, long PenaltyPaid);

    /// <summary>
    /// A period with what the rules ask of its loan's others: the penalty charged on the loan so far, the previous due
    /// date, the principal unpaid from it on (its own and every later one's) and whether it is the period running on
    /// the COB date (the first due after it).
    /// </summary>
    private sealed record DayEndPeriod(
        Guid LoanId, long PenaltyCharged, int Period, DateTime DueDate, long PrincipalDue, long InterestDue, long FeeDue, long PenaltyDue,
        long InterestAccrued, long FeeCharged, long PrincipalPaid, long InterestPaid, long FeePaid, long PenaltyPaid, DateTime? PreviousDue,
        long PrincipalFromHere, int Running)
    {
        /// <summary>A loan's periods (in due-date order) with those figures, the COB date being <paramref name="day"/>.</summary>
        public static List<DayEndPeriod> Of(IEnumerable<BatchPeriod> schedule, DateTime day)
        {
            var rows = schedule.OrderBy(r => r.DueDate).ThenBy(r => r.Period).ToList();
            var penaltyCharged = rows.Sum(r => r.PenaltyDue);
            var running = rows.FindIndex(r => r.DueDate > day);
            var periods = new List<DayEndPeriod>(rows.Count);
            for (var i = 0; i < rows.Count; i++)
            {
                var r = rows[i];
                // Peers on one due date count together, as a running sum over due dates does.
                var fromHere = rows.Where(o => o.DueDate >= r.DueDate).Sum(o => o.PrincipalDue - o.PrincipalPaid);
                periods.Add(new DayEndPeriod(
                    r.LoanId, penaltyCharged, r.Period, r.DueDate, r.PrincipalDue, r.InterestDue, r.FeeDue, r.PenaltyDue, r.InterestAccrued, r.FeeCharged,
                    r.PrincipalPaid, r.InterestPaid, r.FeePaid, r.PenaltyPaid, i > 0 ? rows[i - 1].DueDate : null, fromHere, i == running ? 1 : 0));
            }

            return periods;
        }

        public bool Unsettled =>
            PrincipalPaid < PrincipalDue || InterestPaid < InterestDue || FeePaid < FeeDue || PenaltyPaid < PenaltyDue;

        public AccrualPeriod ForAccrual(DateTime disbursedOn) => new(
            Period, DateOnly.FromDateTime(PreviousDue ?? disbursedOn), DateOnly.FromDateTime(DueDate), PrincipalFromHere, InterestDue, InterestAccrued, FeeDue,
            FeeCharged);

        public LoanPeriod ToDomain() => new LoanPeriodRow(
            Period, DueDate, PrincipalDue, InterestDue, FeeDue, PenaltyDue, InterestAccrued, FeeCharged, PrincipalPaid, InterestPaid, FeePaid, PenaltyPaid).ToDomain();
    }
}
