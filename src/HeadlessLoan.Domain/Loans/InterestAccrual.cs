using HeadlessLoan.Domain.Money;

namespace HeadlessLoan.Domain.Loans;

/// <summary>
/// Interest and penalty for a span of days between due dates, the convention a finance user recomputes by hand:
/// interest = round_half_up(outstanding principal × annual rate × days / 360), never more than the period's scheduled
/// interest (so paying off the day before a due date never costs more than paying on it); penalty =
/// round_half_up(overdue principal × daily penalty rate × days). Days run from the first date (counted) to the
/// second (not counted). Amounts are fen; each span is rounded once.
/// </summary>
public static class InterestAccrual
{
    /// <summary>The day count's year: the daily rate is the annual rate / 360, as Chinese banks reckon it.</summary>
    public const int DaysInYear = 360;

    /// <summary>Days from <paramref name="from"/> (counted) to <paramref name="to"/> (not counted); zero when <paramref name="to"/> is not later.</summary>
    public static int Days(DateOnly from, DateOnly to) => Math.Max(0, to.DayNumber - from.DayNumber);

    /// <summary>Interest on <paramref name="outstanding"/> from <paramref name="from"/> to <paramref name="to"/>, capped at <paramref name="scheduledInterest"/>.</summary>
    public static long Interest(long outstanding, decimal annualRate, DateOnly from, DateOnly to, long scheduledInterest)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(outstanding);
        ArgumentOutOfRangeException.ThrowIfNegative(annualRate);
        ArgumentOutOfRangeException.ThrowIfNegative(scheduledInterest);
        return Math.Min(Fen.RoundHalfUp(outstanding * annualRate * Days(from, to) / DaysInYear), scheduledInterest);
    }

    /// <summary>Penalty interest on <paramref name="overduePrincipal"/> at <paramref name="dailyRate"/> from <paramref name="from"/> to <paramref name="to"/>.</summary>
    public static long Penalty(long overduePrincipal, decimal dailyRate, DateOnly from, DateOnly to)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(overduePrincipal);
        ArgumentOutOfRangeException.ThrowIfNegative(dailyRate);
        return Fen.RoundHalfUp(overduePrincipal * dailyRate * Days(from, to));
    }
}
