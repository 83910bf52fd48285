namespace HeadlessLoan.Domain.Loans;

/// <summary>
/// One period as the daily accrual sees it: where it runs from (the previous due date, or the payout day for the first),
/// the principal not yet due from it on (its own unpaid principal and every later period's), what it schedules and
/// what the books have recognised of it so far.
/// </summary>
public sealed record AccrualPeriod(
    int Period, DateOnly Start, DateOnly DueDate, long PrincipalNotYetDue, long InterestDue, long InterestAccrued, long FeeDue, long FeeCharged);

/// <summary>What a close recognises on one period, in fen: interest earned and fees fallen due.</summary>
public readonly record struct PeriodAccrual(int Period, long Interest, long Fee);

/// <summary>
/// The ledger's accrual basis, a day at a time: by the end of a COB date the books hold, on every period due by then,
/// its whole scheduled interest and fees, and on the period running, the interest its days so far have earned on the
/// principal not yet due by <see cref="InterestAccrual.Interest"/> (from its start, counted, to the day after the COB
/// date, not counted; capped at its scheduled interest). This is the same figure a payoff the next day asks for, so the
/// books and the quote agree to the fen. A close recognises the difference from what is recognised already, never
/// less than nothing: a repayment or a prepayment may have recognised more (what it settled), and that stands.
/// </summary>
public static class DailyAccrual
{
    /// <summary>What <paramref name="period"/> is to be recognised by the end of <paramref name="cobDate"/> beyond what it has, or null when nothing.</summary>
    public static PeriodAccrual? Through(AccrualPeriod period, decimal annualRate, DateOnly cobDate)
    {
        ArgumentNullException.ThrowIfNull(period);
        ArgumentOutOfRangeException.ThrowIfNegative(annualRate);
        long interest, fee;
        if (period.DueDate <= cobDate)
        {
            (interest, fee) = (period.InterestDue - period.InterestAccrued, period.FeeDue - period.FeeCharged);
        }
        else if (period.Start <= cobDate)
        {
            var earned = InterestAccrual.Interest(period.PrincipalNotYetDue, annualRate, period.Start, cobDate.AddDays(1), period.InterestDue);
            (interest, fee) = (earned - period.InterestAccrued, 0);
        }
        else
        {
            return null;
        }

        (interest, fee) = (Math.Max(0, interest), Math.Max(0, fee));
        return interest == 0 && fee == 0 ? null : new PeriodAccrual(period.Period, interest, fee);
    }
}
