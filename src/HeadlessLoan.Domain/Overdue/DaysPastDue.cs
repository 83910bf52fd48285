using HeadlessLoan.Domain.Loans;

namespace HeadlessLoan.Domain.Overdue;

/// <summary>
/// Days past due (DPD) on a COB date, by Fineract's convention: a period is overdue from the day after its due date,
/// since the borrower has the whole due date to pay. On the COB date of its due date it is not overdue yet (0 days);
/// on the next COB date it is 1 day past due. A loan's DPD counts from its oldest unpaid due date, as
/// <see cref="LoanPeriod.StatusOn"/> reckons a period overdue on a day after its due date.
/// </summary>
public static class DaysPastDue
{
    /// <summary>The days from <paramref name="oldestUnpaidDueDate"/> to <paramref name="cobDate"/>; 0 when nothing is unpaid or it is not past due yet.</summary>
    public static int Of(DateOnly? oldestUnpaidDueDate, DateOnly cobDate) =>
        oldestUnpaidDueDate is { } due ? Math.Max(0, cobDate.DayNumber - due.DayNumber) : 0;

    /// <summary>The first day a period due on <paramref name="dueDate"/> is overdue if it is still unpaid.</summary>
    public static DateOnly FirstOverdueDay(DateOnly dueDate) => dueDate.AddDays(1);

    /// <summary>The earliest due date of a period with something unpaid, or null when every period is settled.</summary>
    public static DateOnly? OldestUnpaidDueDate(IEnumerable<LoanPeriod> periods)
    {
        ArgumentNullException.ThrowIfNull(periods);
        return periods.Where(p => !p.Settled).Select(p => (DateOnly?)p.DueDate).Min();
    }
}
