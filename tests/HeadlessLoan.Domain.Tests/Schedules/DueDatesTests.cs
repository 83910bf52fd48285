using HeadlessLoan.Domain.Schedules;

namespace HeadlessLoan.Domain.Tests.Schedules;

public sealed class DueDatesTests
{
    [Theory]
    [InlineData("2025-01-31", 1, "2025-02-28")]
    [InlineData("2025-01-31", 2, "2025-03-31")]
    [InlineData("2025-01-31", 3, "2025-04-30")]
    [InlineData("2024-01-31", 1, "2024-02-29")]
    [InlineData("2023-03-31", 11, "2024-02-29")]
    [InlineData("2024-02-29", 12, "2025-02-28")]
    [InlineData("2024-02-29", 48, "2028-02-29")]
    [InlineData("2099-12-31", 2, "2100-02-28")]
    [InlineData("2025-03-15", 12, "2026-03-15")]
    public void Due_date_keeps_the_start_day_clamped_to_the_month_end(string start, int period, string expected)
    {
        Assert.Equal(DateOnly.Parse(expected), DueDates.For(DateOnly.Parse(start), period));
    }

    [Fact]
    public void Period_zero_is_the_start_date()
    {
        Assert.Equal(new DateOnly(2025, 1, 31), DueDates.For(new DateOnly(2025, 1, 31), 0));
    }

    [Fact]
    public void Negative_period_throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => DueDates.For(new DateOnly(2025, 1, 31), -1));
    }

    [Fact]
    public void Schedule_started_on_the_31st_returns_to_the_31st_after_a_short_month()
    {
        Schedule schedule = ScheduleCalculator.Build(
            new ScheduleTerms(120_000, 0.1m, 4, RepaymentMethod.EqualPrincipal, new DateOnly(2024, 1, 31)));

        Assert.Equal(
            [new DateOnly(2024, 2, 29), new DateOnly(2024, 3, 31), new DateOnly(2024, 4, 30), new DateOnly(2024, 5, 31)],
            schedule.Periods.Select(p => p.DueDate));
    }
}
