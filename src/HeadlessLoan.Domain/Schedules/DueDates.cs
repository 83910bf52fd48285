namespace HeadlessLoan.Domain.Schedules;

/// <summary>Monthly due dates anchored on the start date's day of month.</summary>
public static class DueDates
{
    /// <summary>
    /// The due date of <paramref name="period"/> (1 = one month after <paramref name="start"/>).
    /// Counted from the start, not from the previous due date, so a loan started on the 31st is
    /// due on the 31st whenever the month has one and on the month's last day otherwise.
    /// </summary>
    public static DateOnly For(DateOnly start, int period)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(period);
        return start.AddMonths(period);
    }
}

/// <summary>
/// Yields the due dates of periods 1, 2, 3 … in order; same dates as <see cref="DueDates.For"/>,
/// without AddMonths' round trip through DateTime for every period of a long schedule.
/// </summary>
internal struct DueDateCursor(DateOnly start)
{
    private readonly int day = start.Day;
    private int year = start.Year;
    private int month = start.Month;

    public DateOnly Next()
    {
        if (++month > 12)
        {
            month = 1;
            year++;
        }

        return new DateOnly(year, month, Math.Min(day, DateTime.DaysInMonth(year, month)));
    }
}
