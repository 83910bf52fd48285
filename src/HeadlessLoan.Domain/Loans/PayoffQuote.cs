using HeadlessLoan.Domain.Ledger;

namespace HeadlessLoan.Domain.Loans;

/// <summary>
/// What the borrower pays to close the loan on <see cref="ValidThrough"/> (a China business date), per component, so a
/// payoff is one payment that the allocator settles to the fen:
/// <list type="bullet">
/// <item><see cref="Principal"/>: all unpaid principal, of every period.</item>
/// <item><see cref="Interest"/>: the unpaid interest of every period due on or before the day, plus, for the period
/// running on the day, the interest accrued from its start (the previous due date, or the disbursement for period 1) to
/// the day by <see cref="InterestAccrual.Interest"/> on the principal not yet due, less what of that period's interest
/// is already paid, never negative. Later periods' interest is not owed: the money is no longer lent.</item>
/// <item><see cref="Penalty"/>: all penalty charged and unpaid, whichever period it was charged on.</item>
/// <item><see cref="Fee"/>: the unpaid service fees of periods due on or before the day. A service fee is earned per
/// period that has fallen due, so the fees of the running period and of later periods are not owed on payoff, as
/// their interest is not.</item>
/// </list>
/// Interest already paid on the running period beyond what has accrued (its installment paid early) is not given back
/// by the quote: that period simply owes no more interest.
/// </summary>
public sealed record PayoffQuote(long Principal, long Interest, long Penalty, long Fee, DateOnly ValidThrough)
{
    public long Total => checked(Principal + Interest + Penalty + Fee);

    /// <summary>The quote as the components a repayment posting settles.</summary>
    public LoanComponents Components => new(Principal, Interest, Penalty, Fee);

    /// <summary>The quote to close the loan on <paramref name="on"/>.</summary>
    public static PayoffQuote Of(IReadOnlyList<LoanPeriod> periods, decimal annualRate, DateOnly disbursedOn, DateOnly on)
    {
        var total = Owed(periods, annualRate, disbursedOn, on).Aggregate(default(LoanComponents), (sum, p) => LoanSchedule.Add(sum, p.Owed));
        return new PayoffQuote(total.Principal, total.Interest, total.Penalty, total.Fee, on);
    }

    /// <summary>
    /// The quote period by period (oldest first, periods owing nothing left out), as the allocator takes it: allocating
    /// <see cref="Total"/> over these in any <see cref="AllocationOrder"/> pays every component of the quote and leaves
    /// nothing over.
    /// </summary>
    public static IReadOnlyList<PeriodOwed> Owed(IReadOnlyList<LoanPeriod> periods, decimal annualRate, DateOnly disbursedOn, DateOnly on)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(annualRate);
        var ordered = LoanPeriods.Ordered(periods, disbursedOn, on);
        var running = RunningPeriod.Of(ordered, disbursedOn, on);
        var owed = new List<PeriodOwed>(ordered.Count);
        for (var i = 0; i < ordered.Count; i++)
        {
            var period = ordered[i];
            var outstanding = period.Outstanding;
            var components = period.DueDate <= on
                ? outstanding
                : new LoanComponents(
                    outstanding.Principal,
                    i == running?.Index ? Math.Max(0, running.Value.AccruedInterest(period, annualRate, on) - period.Paid.Interest) : 0,
                    outstanding.Penalty,
                    Fee: 0);
            if (components.Total > 0)
            {
                owed.Add(new PeriodOwed(period.Period, period.DueDate, components));
            }
        }

        return owed;
    }
}
