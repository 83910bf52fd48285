using System.Text.Json;
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
public sealed record OverdueLoan(Guid LoanId, Guid BorrowerId, DateOnly CobDate, DateTime Now);

/// <summary>Told of every loan the close of business finds newly overdue, inside the batch's change.</summary>
[FeatureApi]
public interface ILoanOverdueObserver
{
    Task OnWentOverdueAsync(DbChange change, OverdueLoan loan, CancellationToken ct);
}

/// <summary>
/// The loans' part of the close of business, a batch at a time in the caller's change: the batch's loan rows are
/// locked (so a repayment arriving meanwhile waits for the batch, never refused, and is applied on what the batch
/// wrote), their unsettled periods past due read in one statement, each loan assessed by the pure rules
/// (<see cref="CobStep"/>), and the results written back a statement per kind: the loans, the penalties charged on
/// their periods with their accrual entries, a snapshot row per loan. A loan that a date already reached (<c>cob_date</c>) is not in that date's batches again, so a rerun
/// or a resumed run changes nothing twice.
/// </summary>
[FeatureApi]
public sealed class LoanDayEnd(LedgerStore ledger, IEnumerable<ILoanOverdueObserver> observers)
{
    private static readonly AuditActor Cob = new(AuditActor.SystemKind, "close-of-business");

    public async Task<DayEndBatch> CloseBatchAsync(DbChange change, DateOnly cobDate, Guid? after, int size, ClassificationTable table, decimal penaltyCapShare,
        DateTime now, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(change);
        ArgumentNullException.ThrowIfNull(table);
        var day = cobDate.ToDateTime(TimeOnly.MinValue);
        var loans = (await change.QueryAsync<DayEndLoan>("""
            SELECT id, borrower_id, status, disbursed_on, cob_date, days_past_due, risk_class, principal, penalty_daily_rate, ceiling FROM loans
             WHERE (@after IS NULL OR id > @after) AND status IN @open AND disbursed_on <= @day AND (cob_date IS NULL OR cob_date < @day)
             ORDER BY id LIMIT @size FOR UPDATE
            """, new { after, open = Open, day, size }, ct)).ToList();
        if (loans.Count == 0)
        {
            return new DayEndBatch(0, 0, null);
        }

        var ids = loans.Select(l => l.Id).ToArray();
        // Only the periods that can change anything: unsettled and due before the COB date; with the loan's penalty so far.
        var pastDue = (await change.QueryAsync<DayEndPeriod>($"""
            SELECT * FROM (
              SELECT loan_id, CAST(SUM(penalty_due) OVER (PARTITION BY loan_id) AS SIGNED) AS penalty_charged, period, due_date, principal_due, interest_due, fee_due,
                     penalty_due, interest_accrued, fee_charged, principal_paid, interest_paid, fee_paid, penalty_paid
                FROM loan_periods WHERE loan_id IN @ids) p
             WHERE p.due_date < @day AND ({Unpaid})
            """, new { ids, day }, ct)).ToLookup(p => p.LoanId);

        var closed = loans.Select(l => (Loan: l, Step: CobStep.Assess(l.Facts(pastDue[l.Id], penaltyCapShare), cobDate, table))).ToList();
        await WriteBackAsync(change, closed, day, now, ct);
        var moved = 0;
        foreach (var c in closed.Where(c => c.Step.Event is not null || c.Step.ClassMoved))
        {
            moved++;
            await RecordMoveAsync(change, c.Loan, c.Step, now, ct);
        }

        return new DayEndBatch(loans.Count, moved, ids[^1]);
    }

    /// <summary>The batch's assessments written back: loans in one statement, penalties on their periods in another, their accruals in a few, snapshots in one.</summary>
    private async Task WriteBackAsync(DbChange change, List<(DayEndLoan Loan, OverdueAssessment Step)> closed, DateTime day, DateTime now, CancellationToken ct)
    {
        await change.ExecuteAsync("""
            UPDATE loans l JOIN JSON_TABLE(@rows, '$[*]' COLUMNS (
                     id CHAR(36) PATH '$.id', status VARCHAR(24) PATH '$.status', dpd INT PATH '$.dpd', risk VARCHAR(16) PATH '$.risk', moved INT PATH '$.moved')) r
                ON r.id = l.id
               SET l.status = r.status, l.days_past_due = r.dpd, l.risk_class = r.risk, l.cob_date = @day,
                   l.updated_at = IF(r.moved = 1, @now, l.updated_at)
            """, new
        {
            rows = JsonSerializer.Serialize(closed.Select(c => new
            {
                id = c.Loan.Id, status = StatusAfter(c.Loan, c.Step).ToWire(), dpd = c.Step.DaysPastDue, risk = c.Step.ClassAfter.ToWire(),
                moved = c.Step.Event is not null || c.Step.ClassMoved ? 1 : 0,
            })),
            day,
            now,
        }, ct);

        var charged = closed.Where(c => c.Step.PenaltyToAccrue > 0).ToList();
        if (charged.Count > 0)
        {
            await change.ExecuteAsync("""
                UPDATE loan_periods p JOIN JSON_TABLE(@rows, '$[*]' COLUMNS (
                         loan_id CHAR(36) PATH '$.loanId', period INT PATH '$.period', amount BIGINT PATH '$.amount')) r
                    ON r.loan_id = p.loan_id AND r.period = p.period
                   SET p.penalty_due = p.penalty_due + r.amount
                """, new
            {
                rows = JsonSerializer.Serialize(charged.SelectMany(c => c.Step.Penalties.Select(p => new { loanId = c.Loan.Id, period = p.Period, amount = p.Amount }))),
            }, ct);
            var cobDate = DateOnly.FromDateTime(day);
            var entries = charged.Select(c => Postings.Accrual(
                EntryIds.For(EntryKinds.Accrual, $"cob:{c.Loan.Id}:{cobDate:yyyy-MM-dd}"), c.Loan.Id, cobDate, interest: 0, penalty: c.Step.PenaltyToAccrue)).ToList();
            var posted = await ledger.PostManyAsync(change, entries, ct);
            if (posted.FirstOrDefault(o => o is not (PostingOutcome.Written or PostingOutcome.AlreadyWritten)) is var refused && refused != default)
            {
                throw new InvalidOperationException($"A penalty accrual of {cobDate:yyyy-MM-dd} was refused by the ledger: {refused}.");
            }
        }

        await change.ExecuteAsync("""
            INSERT IGNORE INTO loan_day_snapshots (loan_id, cob_date, status, days_past_due, risk_class, principal_outstanding, interest_outstanding,
                                                   fee_outstanding, penalty_outstanding, region_code, officer_id, product_id)
            SELECT l.id, @day, l.status, l.days_past_due, l.risk_class,
                   CAST(SUM(p.principal_due - p.principal_paid) AS SIGNED), CAST(SUM(p.interest_accrued - p.interest_paid) AS SIGNED),
                   CAST(SUM(p.fee_charged - p.fee_paid) AS SIGNED), CAST(SUM(p.penalty_due - p.penalty_paid) AS SIGNED),
                   a.declared_region_code, NULL, l.product_id
              FROM loans l JOIN applications a ON a.id = l.application_id JOIN loan_periods p ON p.loan_id = l.id
             WHERE l.id IN @ids
             GROUP BY l.id
            """, new { ids = closed.Select(c => c.Loan.Id).ToArray(), day }, ct);
    }

    private static LoanStatus StatusAfter(DayEndLoan loan, OverdueAssessment step) =>
        step.Event is { } happened ? LoanLifecycle.Next(loan.State, happened) is { Allowed: true } moved ? moved.Next
            : throw new InvalidOperationException($"Loan {loan.Id}: {happened} refused from {loan.Status}.")
        : loan.State;

    private async Task RecordMoveAsync(DbChange change, DayEndLoan loan, OverdueAssessment step, DateTime now, CancellationToken ct)
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

        if (step.WentOverdue && loan.BorrowerId is { } borrowerId)
        {
            foreach (var observer in observers)
            {
                await observer.OnWentOverdueAsync(change, new OverdueLoan(loan.Id, borrowerId, step.CobDate, now), ct);
            }
        }
    }

    /// <summary>A period not settled in full, in any component.</summary>
    private const string Unpaid =
        "p.principal_paid < p.principal_due OR p.interest_paid < p.interest_due OR p.fee_paid < p.fee_due OR p.penalty_paid < p.penalty_due";

    private static readonly string[] Open = LoanLifecycle.From(LoanEvent.MarkOverdue).Select(s => s.ToWire()).ToArray();

    /// <summary>A loan of the batch as its row holds it.</summary>
    private sealed record DayEndLoan(
        Guid Id, Guid? BorrowerId, string Status, DateTime DisbursedOn, DateTime? CobDate, int DaysPastDue, string RiskClass, long Principal,
        decimal PenaltyDailyRate, decimal Ceiling)
    {
        public LoanStatus State => LoanStatusNames.Parse(Status);

        /// <summary>What the rules need, with the loan's unsettled periods past due (<paramref name="pastDue"/>) and the penalty cap a share of its principal.</summary>
        public LoanCobFacts Facts(IEnumerable<DayEndPeriod> pastDue, decimal penaltyCapShare)
        {
            var periods = pastDue.ToList();
            return new LoanCobFacts(
                State, DateOnly.FromDateTime(DisbursedOn), periods.Select(p => p.ToDomain()).ToList(),
                new PenaltyTerms(PenaltyDailyRate, Ceiling, PenaltyTerms.ShareOfPrincipal(Principal, penaltyCapShare)),
                CobDate is { } d ? DateOnly.FromDateTime(d) : null, RiskClassNames.Parse(RiskClass), null,
                periods.Count > 0 ? periods[0].PenaltyCharged : 0);
        }
    }

    private sealed record DayEndPeriod(
        Guid LoanId, long PenaltyCharged, int Period, DateTime DueDate, long PrincipalDue, long InterestDue, long FeeDue, long PenaltyDue,
        long InterestAccrued, long FeeCharged, long PrincipalPaid, long InterestPaid, long FeePaid, long PenaltyPaid)
    {
        public LoanPeriod ToDomain() => new LoanPeriodRow(
            Period, DueDate, PrincipalDue, InterestDue, FeeDue, PenaltyDue, InterestAccrued, FeeCharged, PrincipalPaid, InterestPaid, FeePaid, PenaltyPaid).ToDomain();
    }
}
