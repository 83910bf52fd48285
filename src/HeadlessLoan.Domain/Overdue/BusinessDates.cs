namespace HeadlessLoan.Domain.Overdue;

/// <summary>
/// The business date and the days the close of business (COB) closes, as in Fineract: the business date is the day a
/// tenant is working on (the China date of the injected clock), and its COB date is the day before, which is over. Days
/// the job missed are closed one at a time, oldest first, before the latest, so every day's overdue marks, penalty and
/// classification are those of that day.
/// </summary>
public static class BusinessDates
{
    /// <summary>
    /// The most days one catch-up closes: a leap year. More than that unclosed means a wrong business date or last closed
    /// date, not a job that was down, and closing them would charge a year of penalty on a mistake.
    /// </summary>
    public const int MaxCatchUpDays = 366;

    /// <summary>The day the COB of <paramref name="businessDate"/> closes: the day before it.</summary>
    public static DateOnly CobDateOf(DateOnly businessDate) => businessDate.AddDays(-1);

    /// <summary>
    /// The COB dates still to close on <paramref name="businessDate"/>, oldest first: every day after
    /// <paramref name="lastClosed"/> through <see cref="CobDateOf"/> the business date. Before the first close (no
    /// last closed date) that is the COB date alone: a tenant's first close does not invent a history. None when up to
    /// date, and none when the last closed date is later still (an instance whose clock is a moment behind another's
    /// around midnight): a day is never closed twice.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">More than <see cref="MaxCatchUpDays"/> days are unclosed.</exception>
    public static IReadOnlyList<DateOnly> ToClose(DateOnly? lastClosed, DateOnly businessDate)
    {
        var cobDate = CobDateOf(businessDate);
        if (lastClosed is not { } closed)
        {
            return [cobDate];
        }

        var unclosed = cobDate.DayNumber - closed.DayNumber;
        if (unclosed > MaxCatchUpDays)
        {
            throw new ArgumentOutOfRangeException(nameof(businessDate), businessDate,
                $"{unclosed} days are unclosed after {closed:yyyy-MM-dd}, more than the {MaxCatchUpDays} one catch-up closes: check the business date and the last closed date.");
        }

        return unclosed <= 0 ? [] : Enumerable.Range(1, unclosed).Select(closed.AddDays).ToArray();
    }
}
