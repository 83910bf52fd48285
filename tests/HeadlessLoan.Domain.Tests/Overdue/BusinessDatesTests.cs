using FsCheck.Xunit;
using HeadlessLoan.Domain.Overdue;

namespace HeadlessLoan.Domain.Tests.Overdue;

public sealed class BusinessDatesTests
{
    private static DateOnly D(string iso) => DateOnly.ParseExact(iso, "yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);

    [Theory]
    [InlineData("2026-03-16", "2026-03-15")]
    [InlineData("2026-03-01", "2026-02-28")]
    [InlineData("2024-03-01", "2024-02-29")]
    [InlineData("2026-01-01", "2025-12-31")]
    public void The_cob_date_is_the_day_before_the_business_date(string businessDate, string cobDate) =>
        Assert.Equal(D(cobDate), BusinessDates.CobDateOf(D(businessDate)));

    [Fact]
    public void A_first_close_closes_the_cob_date_alone() =>
        Assert.Equal([D("2026-03-15")], BusinessDates.ToClose(null, D("2026-03-16")));

    [Fact]
    public void The_day_after_the_last_closed_one_is_closed_next() =>
        Assert.Equal([D("2026-03-15")], BusinessDates.ToClose(D("2026-03-14"), D("2026-03-16")));

    [Fact]
    public void Missed_days_are_closed_oldest_first_across_the_year_end() =>
        Assert.Equal([D("2025-12-30"), D("2025-12-31"), D("2026-01-01")], BusinessDates.ToClose(D("2025-12-29"), D("2026-01-02")));

    [Theory]
    [InlineData("2026-03-15")] // closed through the cob date: up to date
    [InlineData("2026-03-16")] // another instance, a moment ahead, has closed the business date itself
    [InlineData("2026-04-30")]
    public void Nothing_is_closed_when_the_last_closed_date_is_the_cob_date_or_later(string lastClosed) =>
        Assert.Empty(BusinessDates.ToClose(D(lastClosed), D("2026-03-16")));

    [Fact]
    public void A_year_of_missed_days_is_closed_and_one_more_day_is_refused()
    {
        var businessDate = D("2025-01-01");
        var lastClosed = BusinessDates.CobDateOf(businessDate).AddDays(-BusinessDates.MaxCatchUpDays);

        var days = BusinessDates.ToClose(lastClosed, businessDate);

        Assert.Equal(366, days.Count);
        Assert.Equal(lastClosed.AddDays(1), days[0]);
        Assert.Equal(D("2024-12-31"), days[^1]);
        var refused = Assert.Throws<ArgumentOutOfRangeException>(() => BusinessDates.ToClose(lastClosed.AddDays(-1), businessDate));
        Assert.Contains("367 days are unclosed", refused.Message, StringComparison.Ordinal);
    }

    [Property(MaxTest = 300, Arbitrary = [typeof(OverdueArbitrary)])]
    public bool The_days_to_close_are_consecutive_and_end_on_the_cob_date(UnclosedDays unclosed)
    {
        var lastClosed = BusinessDates.CobDateOf(unclosed.BusinessDate).AddDays(-unclosed.Days);

        var days = BusinessDates.ToClose(lastClosed, unclosed.BusinessDate);

        return days.Count == unclosed.Days
            && days[^1] == BusinessDates.CobDateOf(unclosed.BusinessDate)
            && days.Select((d, i) => d == lastClosed.AddDays(i + 1)).All(x => x);
    }
}
