using HeadlessLoan.Api.Features.Ledger;
using HeadlessLoan.Api.Features.Products;
using HeadlessLoan.Api.Platform;
using HeadlessLoan.Api.Platform.Audit;
using HeadlessLoan.Api.Platform.Auth;
using HeadlessLoan.Api.Platform.Database;
using HeadlessLoan.Domain.Ledger;
using HeadlessLoan.Domain.Loans;
using HeadlessLoan.Domain.Schedules;

namespace HeadlessLoan.Api.Features.Loans;

/// <summary>
/// Money received for a loan: through <paramref name="Rail"/>, known there as <paramref name="Reference"/> (a WeChat
/// Pay transaction id, a bank transfer's reference), on the China business date <paramref name="On"/>.
/// </summary>
[FeatureApi]
public sealed record LoanPayment(PaymentRail Rail, string Reference, long Amount, DateOnly On, AuditActor Actor);

/// <summary>What a payment did to its loan.</summary>
[FeatureApi]
public sealed record LoanPaymentResult(string StatusBefore, string StatusAfter, LoanComponents Settled, long Credit, bool PaidOff, long Recovered = 0);

/// <summary>What a repayment of a loan is asked for on a day, with whom to ask it of; or why none is.</summary>
[FeatureApi]
public sealed record RepaymentQuote(long Amount, string? Refusal, string Status, string ContractNo)
{
    public bool Allowed => Refusal is null;
}

/// <summary>
/// The one place money received changes a loan, for the features that receive it (repayments through WeChat Pay,
/// offline repayments staff record): the payment is applied to the schedule (<see cref="PaymentApplication"/>) by the
/// payment rules of the product version the loan was made under, posted to the ledger and audited in the caller's
/// change, after the loan's row is locked: every writer of a loan locks it first, so one loan's payments are applied
/// one after the other.
/// </summary>
[FeatureApi]
public sealed class LoanPayments(
    LoanStore loans, LedgerStore ledger, LoanAccrualPool pool, LoanWriteOffs writeOffs, IProductCatalog products, IEnumerable<ILoanRepaymentObserver> observers)
{
    /// <summary>Locks the loan's row in <paramref name="change"/> (before the caller locks rows of its own); false when there is no such loan.</summary>
    public static async Task<bool> LockAsync(DbChange change, Guid loanId, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(change);
        return await change.ScalarAsync<string?>("SELECT status FROM loans WHERE id = @loanId FOR UPDATE", new { loanId }, ct) is not null;
    }

    /// <summary>Whether <paramref name="caller"/> may see the loan (a borrower their own, a channel its customers', staff every one).</summary>
    public async Task<bool> MaySeeAsync(Guid loanId, CurrentCaller caller, CancellationToken ct) =>
        await loans.GetAsync(loanId, LoanScope.Of(caller), ct) is not null;

    /// <summary>The loan's status and disbursement day (staff's view: every loan), or null when there is no such loan.</summary>
    public async Task<(string Status, DateOnly? DisbursedOn)?> StateAsync(Guid loanId, CancellationToken ct) =>
        await loans.GetAsync(loanId, new LoanScope(null, null), ct) is { } loan
            ? (loan.Status, loan.DisbursedOn is { } d ? DateOnly.FromDateTime(d) : null)
            : null;

    /// <summary>
    /// What a repayment of <paramref name="kind"/> of the borrower's loan asks for on <paramref name="on"/>
    /// (<see cref="RepaymentAmount.For"/>; on a written-off loan what is still to recover, <see cref="RepaymentAmount.ForWrittenOff"/>),
    /// refused on a loan otherwise not open; null when the borrower has no such loan.
    /// </summary>
    public async Task<RepaymentQuote?> QuoteAsync(Guid loanId, Guid borrowerId, RepaymentKind kind, long? amount, DateOnly on, CancellationToken ct)
    {
        if (await loans.GetWithScheduleAsync(loanId, new LoanScope(borrowerId, null), ct) is not var (loan, periods))
        {
            return null;
        }

        if (LoanLifecycle.Allows(LoanStatusNames.Parse(loan.Status), LoanEvent.Recover))
        {
            var recovery = RepaymentAmount.ForWrittenOff(kind, loan.StillOwedAfterWriteOff, amount);
            return new RepaymentQuote(recovery.Amount, recovery.Refusal, loan.Status, loan.ContractNo ?? "");
        }

        if (!LoanLifecycle.IsOpen(LoanStatusNames.Parse(loan.Status)) || loan.DisbursedOn is not { } disbursed)
        {
            return new RepaymentQuote(0, LoanRefusals.NotOpen, loan.Status, loan.ContractNo ?? "");
        }

        var disbursedOn = DateOnly.FromDateTime(disbursed);
        var asked = RepaymentAmount.For(kind, periods.Select(p => p.ToDomain()).ToList(), loan.AnnualRate, disbursedOn, Max(on, disbursedOn), amount);
        return new RepaymentQuote(asked.Amount, asked.Refusal, loan.Status, loan.ContractNo ?? "");
    }

    /// <summary>
    /// Applies <paramref name="payment"/> to the loan in <paramref name="change"/>: what it pays of the schedule settles
    /// receivables (interest and fees it pays beyond what the ledger has recognised are recognised first), in the
    /// product version's allocation order; what is left over is the borrower's credit, or, where the product prepays
    /// with it, principal prepaid and the rest of the schedule regenerated; and a loan that owes nothing more is paid
    /// off. On a written-off loan it is a recovery (<see cref="LoanWriteOffs"/>); a loan otherwise not open (paid off
    /// already, say) keeps the whole amount as credit. The loan's row is locked here if the caller has not.
    /// </summary>
    public async Task<LoanPaymentResult> ApplyAsync(DbChange change, Guid loanId, LoanPayment payment, DateTime now, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(change);
        ArgumentNullException.ThrowIfNull(payment);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(payment.Amount);
        // The loan's row alone is locked: a locking read over a join would lock its product version's row too, and
        // every payment of the product's loans would queue behind it.
        var loan = await change.QuerySingleOrDefaultAsync<LockedLoan>(
            "SELECT status, annual_rate, method, disbursed_on, product_id, product_version, borrower_id FROM loans WHERE id = @loanId FOR UPDATE", new { loanId }, ct)
            ?? throw new InvalidOperationException($"Loan {loanId} does not exist.");
        var status = LoanStatusNames.Parse(loan.Status);
        var source = payment.Rail.ToString() + ":" + payment.Reference;
        if (!LoanLifecycle.IsOpen(status) || loan.DisbursedOn is not { } disbursed)
        {
            return await ApplyToClosedAsync(change, loanId, loan.Status, source, payment, now, ct);
        }

        var disbursedOn = DateOnly.FromDateTime(disbursed);
        var on = Max(payment.On, disbursedOn);
        var rules = await products.PaymentRulesAsync(change, loan.ProductId, loan.ProductVersion, ct)
            ?? throw new InvalidOperationException($"Loan {loanId}'s product version {loan.ProductId} v{loan.ProductVersion} does not exist.");
        var method = RepaymentMethodNames.TryParse(loan.Method, out var m) ? m : throw new InvalidDataException($"Loan {loanId}'s method '{loan.Method}'.");
        // What the close has accrued on the loan's row goes onto its periods first: the payment changes them.
        await LoanSummary.WritePendingAsync(change, loanId, ct);
        var periods = await change.QueryAsync<LoanPeriodRow>(LoanStore.SelectPeriodsSql, new { id = loanId }, ct);
        var schedule = periods.Select(p => p.ToDomain()).ToList();
        var applied = PaymentApplication.Apply(
            schedule, periods.ToDictionary(p => p.Period, p => new PeriodRecognised(p.InterestAccrued, p.FeeCharged)),
            loan.AnnualRate, method, disbursedOn, on, payment.Amount, rules);

        await pool.AttributeAsync(change, loanId, on, source, ct);
        await PostAsync(change, loanId, source, on, payment.Rail, applied, ct);
        HoldPeriods(change, loanId, applied);
        var transition = LoanLifecycle.Next(status, applied.EventFor(status));
        var next = transition.Allowed ? transition.Next : status;
        change.Write("UPDATE loans SET status = @status, updated_at = @now WHERE id = @loanId", new { loanId, status = next.ToWire(), now });
        var result = new LoanPaymentResult(loan.Status, next.ToWire(), applied.Settled, applied.Credit, applied.PaidOff);
        if (loan.BorrowerId is { } borrowerId && applied.Prepaid == 0)
        {
            foreach (var observer in observers)
            {
                await observer.OnRepaidAsync(change, new RepaidLoan(loanId, borrowerId, SettledOnTime(schedule, applied, on), now), ct);
            }
        }

        var audited = applied.Prepaid > 0 || applied.KeptAsCredit is not null
            ? new { payment = Audited(payment, result), prepaid = applied.Prepaid, keptAsCredit = applied.KeptAsCredit, periods = applied.Changed.Count, removedPeriods = applied.Removed }
            : Audited(payment, result);
        change.Record(new AuditEntry(payment.Actor, applied.PaidOff ? "loan.paid_off" : applied.Prepaid > 0 ? "loan.prepaid" : "loan.repaid", "loan",
            loanId.ToString(), new { status = loan.Status }, audited), now);
        return result;
    }

    /// <summary>A payment on a loan not open: a recovery of a written-off loan, else all of it the borrower's credit.</summary>
    private async Task<LoanPaymentResult> ApplyToClosedAsync(DbChange change, Guid loanId, string status, string source, LoanPayment payment, DateTime now, CancellationToken ct)
    {
        var (recovered, credit) = (0L, payment.Amount);
        if (LoanLifecycle.Allows(LoanStatusNames.Parse(status), LoanEvent.Recover))
        {
            (recovered, credit) = await writeOffs.RecoverAsync(change, loanId, source, payment, now, ct);
        }
        else
        {
            await ledger.PostOnceAsync(change, Postings.Repayment(EntryIds.For(EntryKinds.Repayment, source), loanId, payment.On, payment.Rail,
                new LoanComponents(0, 0, 0, 0), payment.Amount), ct);
        }

        var result = new LoanPaymentResult(status, status, new LoanComponents(0, 0, 0, 0), credit, false, recovered);
        change.Record(new AuditEntry(payment.Actor, recovered > 0 ? "loan.recovered" : "loan.payment_kept_as_credit", "loan", loanId.ToString(), null,
            Audited(payment, result)), now);
        return result;
    }

    /// <summary>
    /// What is paid is owed in the books first: interest earned up to the day, and fees charged; then the payment. Each
    /// entry is posted once (<see cref="LedgerStore.PostOnceAsync"/>): the caller applies a payment once, its own record
    /// of it locked and moved on in this change.
    /// </summary>
    private async Task PostAsync(DbChange change, Guid loanId, string source, DateOnly on, PaymentRail rail, AppliedPayment applied, CancellationToken ct)
    {
        if (applied.InterestRecognised > 0)
        {
            await ledger.PostOnceAsync(change, Postings.Accrual(EntryIds.For(EntryKinds.Accrual, source), loanId, on, applied.InterestRecognised, 0), ct);
        }

        if (applied.FeeRecognised > 0)
        {
            await ledger.PostOnceAsync(change, Postings.Fee(EntryIds.For(EntryKinds.Fee, source), loanId, on, applied.FeeRecognised), ct);
        }

        await ledger.PostOnceAsync(change, Postings.Repayment(EntryIds.For(EntryKinds.Repayment, source), loanId, on, rail, applied.Settled, applied.Credit), ct);
    }

    /// <summary>The periods the payment changed, held by the change: updated in place, or the regenerated schedule after a prepayment.</summary>
    private static void HoldPeriods(DbChange change, Guid loanId, AppliedPayment applied)
    {
        if (applied.Prepaid == 0)
        {
            foreach (var p in applied.Changed)
            {
                change.Write(UpdatePeriodSql, new
                {
                    loanId, period = p.Period, interestDue = p.Due.Interest, feeDue = p.Due.Fee, interestAccrued = p.Recognised.InterestAccrued,
                    feeCharged = p.Recognised.FeeCharged, principalPaid = p.Paid.Principal, interestPaid = p.Paid.Interest, feePaid = p.Paid.Fee,
                    penaltyPaid = p.Paid.Penalty,
                });
            }

            return;
        }

        // A regenerated schedule: periods renumbered after a shorter term keep their rows by number, so every column is
        // written; periods beyond the new count go.
        foreach (var p in applied.Changed)
        {
            change.Write(UpsertPeriodSql, new
            {
                loanId, period = p.Period, dueDate = p.DueDate.ToDateTime(TimeOnly.MinValue), principalDue = p.Due.Principal,
                interestDue = p.Due.Interest, feeDue = p.Due.Fee, penaltyDue = p.Due.Penalty, interestAccrued = p.Recognised.InterestAccrued,
                feeCharged = p.Recognised.FeeCharged, principalPaid = p.Paid.Principal, interestPaid = p.Paid.Interest, feePaid = p.Paid.Fee,
                penaltyPaid = p.Paid.Penalty,
            });
        }

        if (applied.Removed.Count > 0)
        {
            // The regenerated periods are numbered from 1, so those it no longer has are every number above its last.
            change.Write("DELETE FROM loan_periods WHERE loan_id = @loanId AND period >= @first", new { loanId, first = applied.Removed.Min() });
        }
    }

    /// <summary>Periods the payment settled in full on or before they fell due (settled now, not before): what a credit line counts.</summary>
    private static int SettledOnTime(IReadOnlyList<LoanPeriod> before, AppliedPayment applied, DateOnly on)
    {
        var settledBefore = before.Where(p => p.Settled).Select(p => p.Period).ToHashSet();
        return applied.Changed.Count(p => p.DueDate >= on && p.Paid.Total == p.Due.Total && !settledBefore.Contains(p.Period));
    }

    /// <summary>What applying a payment reads of the loan, under its row lock.</summary>
    private sealed record LockedLoan(string Status, decimal AnnualRate, string Method, DateTime? DisbursedOn, Guid ProductId, int ProductVersion, Guid? BorrowerId);

    private static object Audited(LoanPayment payment, LoanPaymentResult result) => new
    {
        status = result.StatusAfter, rail = payment.Rail.ToString(), reference = payment.Reference, amount = payment.Amount, on = payment.On,
        settled = result.Settled, credit = result.Credit, recovered = result.Recovered,
    };

    private static DateOnly Max(DateOnly a, DateOnly b) => a > b ? a : b;

    // Through the unique key (loan_id, period): a row of that number is rewritten whole, a new number inserted.
    private const string UpsertPeriodSql = """
        INSERT INTO loan_periods (loan_id, period, due_date, principal_due, interest_due, fee_due, penalty_due, interest_accrued, fee_charged,
                                  principal_paid, interest_paid, fee_paid, penalty_paid)
        VALUES (@loanId, @period, @dueDate, @principalDue, @interestDue, @feeDue, @penaltyDue, @interestAccrued, @feeCharged,
                @principalPaid, @interestPaid, @feePaid, @penaltyPaid)
        ON DUPLICATE KEY UPDATE due_date = VALUES(due_date), principal_due = VALUES(principal_due), interest_due = VALUES(interest_due),
               fee_due = VALUES(fee_due), penalty_due = VALUES(penalty_due), interest_accrued = VALUES(interest_accrued),
               fee_charged = VALUES(fee_charged), principal_paid = VALUES(principal_paid), interest_paid = VALUES(interest_paid),
               fee_paid = VALUES(fee_paid), penalty_paid = VALUES(penalty_paid)
        """;

    private const string UpdatePeriodSql = """
        UPDATE loan_periods
           SET interest_due = @interestDue, fee_due = @feeDue, interest_accrued = @interestAccrued, fee_charged = @feeCharged,
               principal_paid = @principalPaid, interest_paid = @interestPaid, fee_paid = @feePaid, penalty_paid = @penaltyPaid
         WHERE loan_id = @loanId AND period = @period
        """;
}
