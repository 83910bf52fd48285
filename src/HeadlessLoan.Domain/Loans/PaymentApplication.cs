using HeadlessLoan.Domain.Ledger;

namespace HeadlessLoan.Domain.Loans;

/// <summary>What the ledger has recognised of a period so far (accrual basis): interest accrued and service fee charged.</summary>
public readonly record struct PeriodRecognised(long InterestAccrued, long FeeCharged);

/// <summary>A period after a payment: what it asks for, what is paid, and what the ledger has recognised of it.</summary>
public sealed record PeriodAfterPayment(int Period, LoanComponents Due, LoanComponents Paid, PeriodRecognised Recognised);

/// <summary>
/// What a payment does to a loan, worked out before anything is written: the allocation, every period it changes, the
/// interest and fee recognised first so that nothing is paid before it is owed in the books, and whether the loan is
/// settled or still has something past due.
/// </summary>
public sealed record AppliedPayment(
    Allocation Allocation, IReadOnlyList<PeriodAfterPayment> Changed, long InterestRecognised, long FeeRecognised, bool PaidOff, bool PastDueLeft)
{
    /// <summary>What the payment settled, per component.</summary>
    public LoanComponents Settled => Allocation.Total;

    /// <summary>What the payment left over: the borrower's credit.</summary>
    public long Credit => Allocation.LeftOver;

    /// <summary>The loan event the payment is for a loan in <paramref name="status"/> (only an open loan is paid).</summary>
    public LoanEvent EventFor(LoanStatus status) =>
        PaidOff ? LoanEvent.PayOff
        : status == LoanStatus.Overdue && !PastDueLeft ? LoanEvent.CatchUp
        : LoanEvent.Repay;
}

/// <summary>
/// Applies a payment to an open loan's periods on a China business date, to the fen:
/// <list type="bullet">
/// <item>When the amount covers the payoff quote of the day (<see cref="PayoffQuote"/>), the loan is paid off: the
/// quote is allocated, and the interest and fees of periods not yet due that the quote does not ask for are no longer
/// owed (their due becomes what is paid of them), so every period ends settled.</item>
/// <item>Otherwise the amount pays, by <paramref name="order"/>, what has fallen due (every period due on or before
/// the day, in full) and then the period running on the day, its full installment and fee (an installment paid early
/// is the installment, as <see cref="RepaymentAmount"/> asks for it). Later periods are not reached: an amount beyond
/// those is the borrower's credit, never a silent prepayment.</item>
/// <item>Whatever is paid of a period's interest or fee beyond what the ledger has recognised of it is recognised
/// first (<see cref="AppliedPayment.InterestRecognised"/>, <see cref="AppliedPayment.FeeRecognised"/>).</item>
/// </list>
/// </summary>
public static class PaymentApplication
{
    public static AppliedPayment Apply(
        IReadOnlyList<LoanPeriod> periods, IReadOnlyDictionary<int, PeriodRecognised> recognised, decimal annualRate, DateOnly disbursedOn,
        DateOnly on, long amount, AllocationOrder order)
    {
        ArgumentNullException.ThrowIfNull(recognised);
        ArgumentOutOfRangeException.ThrowIfNegative(amount);
        var ordered = LoanPeriods.Ordered(periods, disbursedOn, on);
        var payoff = PayoffQuote.Of(ordered, annualRate, disbursedOn, on).Total;
        var paidOff = payoff > 0 && amount >= payoff;
        var owed = paidOff ? PayoffQuote.Owed(ordered, annualRate, disbursedOn, on) : FallenDueAndRunning(ordered, on);
        var allocation = Allocator.Allocate(owed, on, amount, order);
        var byPeriod = allocation.Periods.ToDictionary(p => p.Period, p => p.Paid);

        var changed = new List<PeriodAfterPayment>();
        long interestRecognised = 0, feeRecognised = 0;
        var pastDueLeft = false;
        foreach (var period in ordered)
        {
            var paid = byPeriod.TryGetValue(period.Period, out var more) ? LoanSchedule.Add(period.Paid, more) : period.Paid;
            // Paying off on a day before a period falls due: what of its interest and fee the quote did not ask for is
            // not owed any more (the money is no longer lent), so the period asks for what is paid of them.
            var due = paidOff && period.DueDate > on ? period.Due with { Interest = paid.Interest, Fee = paid.Fee } : period.Due;
            var before = recognised.GetValueOrDefault(period.Period);
            var after = new PeriodRecognised(Math.Max(before.InterestAccrued, paid.Interest), Math.Max(before.FeeCharged, paid.Fee));
            interestRecognised = checked(interestRecognised + after.InterestAccrued - before.InterestAccrued);
            feeRecognised = checked(feeRecognised + after.FeeCharged - before.FeeCharged);
            var now = new LoanPeriod(period.Period, period.DueDate, due, paid);
            pastDueLeft |= period.DueDate < on && !now.Settled;
            if (paid != period.Paid || due != period.Due || after != before)
            {
                changed.Add(new PeriodAfterPayment(period.Period, due, paid, after));
            }
        }

        return new AppliedPayment(allocation, changed, interestRecognised, feeRecognised, paidOff, pastDueLeft);
    }

    /// <summary>Every period due on or before the day in full, and the first unsettled period due after it in full.</summary>
    private static List<PeriodOwed> FallenDueAndRunning(IReadOnlyList<LoanPeriod> ordered, DateOnly on)
    {
        var owed = ordered.Where(p => p.DueDate <= on && !p.Settled).Select(p => new PeriodOwed(p.Period, p.DueDate, p.Outstanding)).ToList();
        if (ordered.FirstOrDefault(p => p.DueDate > on && !p.Settled) is { } running)
        {
            owed.Add(new PeriodOwed(running.Period, running.DueDate, running.Outstanding));
        }

        return owed;
    }
}
