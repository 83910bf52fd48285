using FsCheck.Xunit;
using HeadlessLoan.Domain.Ledger;
using HeadlessLoan.Domain.Loans;
using HeadlessLoan.Domain.Overdue;

namespace HeadlessLoan.Domain.Tests.Overdue;

public sealed class DaysPastDueTests
{
    private static readonly DateOnly Due = new(2026, 2, 15);

    [Theory]
    [InlineData(-5, 0)] // due later
    [InlineData(0, 0)]  // due on the cob date: the borrower had all of it to pay, not overdue yet
    [InlineData(1, 1)]  // the day after: the first day overdue
    [InlineData(91, 91)]
    public void Days_past_due_count_from_the_day_after_the_due_date(int cobAfterDue, int expected) =>
        Assert.Equal(expected, DaysPastDue.Of(Due, Due.AddDays(cobAfterDue)));

    [Fact]
    public void Nothing_unpaid_is_no_day_past_due() => Assert.Equal(0, DaysPastDue.Of(null, Due));

    [Fact]
    public void The_first_overdue_day_is_the_day_after_the_due_date() => Assert.Equal(new DateOnly(2026, 2, 16), DaysPastDue.FirstOverdueDay(Due));

    [Fact]
    public void The_oldest_unpaid_due_date_skips_settled_periods_and_counts_an_unpaid_penalty()
    {
        var due = new LoanComponents(100_000, 1_000, 300, 500);
        LoanPeriod[] periods =
        [
            new(1, Due, due, due),
            new(2, Due.AddMonths(1), due, due with { Penalty = 0 }),
            new(3, Due.AddMonths(2), due, default),
        ];

        Assert.Equal(Due.AddMonths(1), DaysPastDue.OldestUnpaidDueDate(periods));
        Assert.Null(DaysPastDue.OldestUnpaidDueDate(periods.Take(1)));
    }

    [Property(MaxTest = 300)]
    public bool A_period_is_past_due_exactly_when_its_status_on_the_day_is_overdue(short cobAfterDue)
    {
        var period = new LoanPeriod(1, Due, new LoanComponents(100, 0, 0, 0), default);
        var cobDate = Due.AddDays(cobAfterDue);
        return DaysPastDue.Of(period.DueDate, cobDate) > 0 == (period.StatusOn(cobDate) == PeriodStatus.Overdue);
    }
}
