using FsCheck.Xunit;
using HeadlessLoan.Domain.Loans;

namespace HeadlessLoan.Domain.Tests.Loans;

public sealed class InterestAccrualTests
{
    private static readonly DateOnly Due = new(2026, 3, 15);

    [Theory]
    // 100,000 CNY at 4.9 %: 15 days are 10,000,000 × 0.049 × 15 / 360 = 20,416.67 fen.
    [InlineData(10_000_000, "0.049", 15, 40_833, 20_417)]
    // 31 days would be 42,194.4 fen: no more than the month's scheduled 40,833.
    [InlineData(10_000_000, "0.049", 31, 40_833, 40_833)]
    // An exact half rounds up: 6,000 × 0.06 × 1 / 360 = 1.0; 9,000 × 0.06 × 1 / 360 = 1.5 → 2.
    [InlineData(9_000, "0.06", 1, 100, 2)]
    [InlineData(10_000_000, "0.049", 0, 40_833, 0)]
    public void Interest_is_outstanding_times_rate_times_days_over_360_rounded_half_up_and_capped(
        long outstanding, string rate, int days, long scheduled, long expected) =>
        Assert.Equal(expected, InterestAccrual.Interest(outstanding, decimal.Parse(rate, System.Globalization.CultureInfo.InvariantCulture), Due, Due.AddDays(days), scheduled));

    [Fact]
    public void Penalty_is_overdue_principal_times_the_daily_rate_times_days()
    {
        Assert.Equal(45, InterestAccrual.Penalty(50_000, 0.0003m, Due, Due.AddDays(3))); // 50,000 × 0.0003 × 3 = 45
        Assert.Equal(0, InterestAccrual.Penalty(50_000, 0.0003m, Due.AddDays(3), Due));
    }

    [Property(MaxTest = 300)]
    public bool Interest_never_falls_as_days_pass_and_never_passes_the_cap(uint outstandingSeed, byte daysSeed, ushort rateSeed)
    {
        var outstanding = outstandingSeed % 1_000_000_000L;
        var rate = rateSeed % 2_400 / 10_000m; // 0 to 24 %
        var cap = outstanding * rate / 12m is var month ? (long)Math.Ceiling(month) : 0;
        var days = daysSeed % 40;
        var today = InterestAccrual.Interest(outstanding, rate, Due, Due.AddDays(days), cap);
        var tomorrow = InterestAccrual.Interest(outstanding, rate, Due, Due.AddDays(days + 1), cap);
        return today >= 0 && today <= tomorrow && tomorrow <= cap;
    }
}
