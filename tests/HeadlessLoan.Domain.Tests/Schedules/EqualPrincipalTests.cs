using HeadlessLoan.Domain.Schedules;

namespace HeadlessLoan.Domain.Tests.Schedules;

public sealed class EqualPrincipalTests
{
    private static readonly Schedule Mortgage = ScheduleCalculator.Build(
        new ScheduleTerms(10_000_000, 0.049m, 360, RepaymentMethod.EqualPrincipal, new DateOnly(2025, 1, 15)));

    [Fact]
    public void Reference_loan_pays_686_11_in_the_first_month()
    {
        Assert.Equal(68611, Mortgage.Periods[0].Payment);
        Assert.Equal(27778, Mortgage.Periods[0].Principal);
        Assert.Equal(40833, Mortgage.Periods[0].Interest);
    }

    [Fact]
    public void Each_following_month_pays_about_1_13_less()
    {
        Assert.Equal(68498, Mortgage.Periods[1].Payment);

        // 27778 fen × 4.9 % / 12 = 113.4 fen less interest a month, rounded either way.
        for (int k = 1; k < 359; k++)
        {
            Assert.InRange(Mortgage.Periods[k - 1].Payment - Mortgage.Periods[k].Payment, 113, 114);
        }
    }

    [Fact]
    public void Principal_part_is_fixed_until_the_last_period_takes_the_remainder()
    {
        Assert.All(Mortgage.Periods.Take(359), p => Assert.Equal(27778, p.Principal));
        Assert.Equal(10_000_000 - (359 * 27778), Mortgage.Periods[^1].Principal);
        Assert.Equal(0, Mortgage.Periods[^1].RemainingPrincipal);
    }

    [Fact]
    public void Apr_equals_the_nominal_rate()
    {
        Assert.InRange(Mortgage.Apr, 0.04899m, 0.04901m);
    }
}
