using HeadlessLoan.Domain.Ledger;
using HeadlessLoan.Domain.Schedules;

namespace HeadlessLoan.Domain.Loans;

/// <summary>Where a period of a loan stands: settled, due later, or past its due date with something unpaid.</summary>
public enum PeriodStatus
{
    /// <summary>Due later and not fully paid (it may be paid in advance).</summary>
    Upcoming,

    /// <summary>Falls due today and is not fully paid.</summary>
    Due,

    /// <summary>Its due date has passed with something unpaid.</summary>
    Overdue,

    /// <summary>Everything it asked for is paid.</summary>
    Paid,
}

/// <summary>
/// One period of a loan as it is kept: what falls due on <see cref="DueDate"/> per component and what has been paid
/// of it. Penalty is not scheduled: it is what the close of business has charged on the period so far.
/// </summary>
public sealed record LoanPeriod(int Period, DateOnly DueDate, LoanComponents Due, LoanComponents Paid)
{
    public LoanComponents Outstanding => new(
        Due.Principal - Paid.Principal, Due.Interest - Paid.Interest, Due.Penalty - Paid.Penalty, Due.Fee - Paid.Fee);

    public bool Settled => Outstanding.Total == 0;

    public PeriodStatus StatusOn(DateOnly today) =>
        Settled ? PeriodStatus.Paid
        : DueDate < today ? PeriodStatus.Overdue
        : DueDate == today ? PeriodStatus.Due
        : PeriodStatus.Upcoming;
}

/// <summary>A loan's schedule from the terms it was made on: the repayment schedule's periods with the product's service fee added to each.</summary>
public static class LoanSchedule
{
    /// <summary>
    /// The periods of <paramref name="schedule"/> with <paramref name="feePerPeriod"/> fen of service fee due in each,
    /// nothing paid yet.
    /// </summary>
    public static IReadOnlyList<LoanPeriod> From(Schedule schedule, long feePerPeriod)
    {
        ArgumentNullException.ThrowIfNull(schedule);
        ArgumentOutOfRangeException.ThrowIfNegative(feePerPeriod);
        return schedule.Periods
            .Select(p => new LoanPeriod(p.Period, p.DueDate, new LoanComponents(p.Principal, p.Interest, 0, feePerPeriod), default))
            .ToArray();
    }

    /// <summary>The sum of what is still owed over <paramref name="periods"/>, per component.</summary>
    public static LoanComponents Outstanding(IEnumerable<LoanPeriod> periods)
    {
        ArgumentNullException.ThrowIfNull(periods);
        return periods.Aggregate(default(LoanComponents), (sum, p) => Add(sum, p.Outstanding));
    }

    public static LoanComponents Add(LoanComponents a, LoanComponents b) =>
        new(checked(a.Principal + b.Principal), checked(a.Interest + b.Interest), checked(a.Penalty + b.Penalty), checked(a.Fee + b.Fee));
}
