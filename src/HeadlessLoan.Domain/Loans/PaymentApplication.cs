using HeadlessLoan.Domain.Ledger;
using HeadlessLoan.Domain.Schedules;

namespace HeadlessLoan.Domain.Loans;

/// <summary>What the ledger has recognised of a period so far (accrual basis): interest accrued and service fee charged.</summary>
public readonly record struct PeriodRecognised(long InterestAccrued, long FeeCharged);

/// <summary>A period after a payment: when it falls due, what it asks for, what is paid, and what the ledger has recognised of it.</summary>
public sealed record PeriodAfterPayment(int Period, DateOnly DueDate, LoanComponents Due, LoanComponents Paid, PeriodRecognised Recognised);

/// <summary>
/// What a payment does to a loan, worked out before anything is written: the allocation, every period it changes, the
/// interest and fee recognised first so that nothing is paid before it is owed in the books, and whether the loan is
/// settled or still has something past due.
/// </summary>
public sealed record AppliedPayment(
    Allocation Allocation, IReadOnlyList<PeriodAfterPayment> Changed, long InterestRecognised, long FeeRecognised, bool PaidOff, bool PastDueLeft)
{
    /// <summary>Principal prepaid out of what the allocation left over (<see cref="Overpayment.Prepay"/>); the schedule was regenerated.</summary>
    public long Prepaid { get; init; }

    /// <summary>
    /// Period numbers the schedule no longer has: a regenerated schedule with fewer periods. <see cref="Changed"/> then
    /// holds every period whose number, due date, amounts or recognition differ from the period of that number before.
    /// </summary>
    public IReadOnlyList<int> Removed { get; init; } = [];

    /// <summary>Why what was left over stays credit although the product prepays with it (a <see cref="PrepaymentRefusals"/> code), or null.</summary>
    public string? KeptAsCredit { get; init; }

    /// <summary>What the payment settled, per component: the allocation and the principal prepaid.</summary>
    public LoanComponents Settled => Prepaid == 0 ? Allocation.Total : Allocation.Total with { Principal = checked(Allocation.Total.Principal + Prepaid) };

    /// <summary>What the payment left over: the borrower's credit.</summary>
    public long Credit => Allocation.LeftOver - Prepaid;

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
/// those is the borrower's credit, never a silent prepayment; a product that says so prepays principal with it (the
/// overload taking <see cref="PaymentRules"/>).</item>
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
                changed.Add(new PeriodAfterPayment(period.Period, period.DueDate, due, paid, after));
            }
        }

        return new AppliedPayment(allocation, changed, interestRecognised, feeRecognised, paidOff, pastDueLeft);
    }

    /// <summary>
    /// <see cref="Apply(IReadOnlyList{LoanPeriod}, IReadOnlyDictionary{int, PeriodRecognised}, decimal, DateOnly, DateOnly, long, AllocationOrder)"/>
    /// by <paramref name="rules"/>' order; then, when the product prepays (<see cref="Overpayment.Prepay"/>) and the
    /// payment did not pay the loan off, what it left over is a partial prepayment of principal by
    /// <see cref="Prepayment.Regenerate"/> in the product's mode, settled in the same payment.
    /// <para>
    /// Something is left over only once every period due by the day and the next installment are settled (the
    /// allocator pays them first, in full). The prepayment reduces what comes after them: it is made as of the last due
    /// date of the run of settled periods from the first (the day itself when that is earlier), so the next unsettled
    /// period starts afresh on the new principal. The installment paid early keeps its interest, as the payoff quote
    /// does not give it back.
    /// </para>
    /// <para>
    /// Where <see cref="Prepayment.Refusal"/> refuses (nothing scheduled after that day, the term fixed on an
    /// interest-first loan asked to shorten it, or all the principal not yet due, which is a payoff), or the new schedule
    /// would ask less of a period than the ledger has recognised (<see cref="PrepaymentRefusals.BelowRecognised"/>),
    /// the amount stays credit and <see cref="AppliedPayment.KeptAsCredit"/> says why.
    /// </para>
    /// </summary>
    public static AppliedPayment Apply(
        IReadOnlyList<LoanPeriod> periods, IReadOnlyDictionary<int, PeriodRecognised> recognised, decimal annualRate, RepaymentMethod method,
        DateOnly disbursedOn, DateOnly on, long amount, PaymentRules rules)
    {
        ArgumentNullException.ThrowIfNull(rules);
        var applied = Apply(periods, recognised, annualRate, disbursedOn, on, amount, rules.Order);
        if (rules.Overpayment != Overpayment.Prepay || applied.PaidOff || applied.Credit == 0)
        {
            return applied;
        }

        // The schedule as the allocation left it, and what the ledger has recognised of each period, by due date (the
        // regenerated schedule keeps the due dates and renumbers the periods).
        var changed = applied.Changed.ToDictionary(p => p.Period);
        var after = periods.Select(p => changed.TryGetValue(p.Period, out var c) ? p with { Due = c.Due, Paid = c.Paid } : p)
            .OrderBy(p => p.DueDate).ToArray();
        var recognisedOn = periods.ToDictionary(
            p => p.DueDate, p => changed.TryGetValue(p.Period, out var c) ? c.Recognised : recognised.GetValueOrDefault(p.Period));

        var from = on;
        foreach (var period in after.TakeWhile(p => p.Settled))
        {
            from = period.DueDate > from ? period.DueDate : from;
        }

        var prepaid = applied.Credit;
        if (Prepayment.Refusal(after, method, disbursedOn, from, prepaid, rules.Prepayment) is { } refusal)
        {
            return applied with { KeptAsCredit = refusal };
        }

        var regenerated = Prepayment.Regenerate(after, annualRate, method, disbursedOn, from, prepaid, rules.Prepayment);
        var kept = regenerated.Select(p => p.DueDate).ToHashSet();
        if (regenerated.Any(p => recognisedOn[p.DueDate].InterestAccrued > p.Due.Interest || recognisedOn[p.DueDate].FeeCharged > p.Due.Fee)
            || recognisedOn.Any(r => !kept.Contains(r.Key) && r.Value != default))
        {
            return applied with { KeptAsCredit = PrepaymentRefusals.BelowRecognised };
        }

        var before = periods.ToDictionary(p => p.Period);
        var rows = new List<PeriodAfterPayment>();
        foreach (var period in regenerated)
        {
            var now = recognisedOn[period.DueDate];
            if (!before.TryGetValue(period.Period, out var old) || old != period || recognised.GetValueOrDefault(period.Period) != now)
            {
                rows.Add(new PeriodAfterPayment(period.Period, period.DueDate, period.Due, period.Paid, now));
            }
        }

        var numbers = regenerated.Select(p => p.Period).ToHashSet();
        var removed = periods.Select(p => p.Period).Where(n => !numbers.Contains(n)).Order().ToArray();
        return applied with { Changed = rows, Prepaid = prepaid, Removed = removed };
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
