using HeadlessLoan.Domain.Schedules;

namespace HeadlessLoan.Domain.Tests.Schedules;

public sealed class EdgeCaseTests
{
    private static readonly DateOnly Start = new(2025, 3, 10);

    [Theory]
    [InlineData(RepaymentMethod.EqualInstallment)]
    [InlineData(RepaymentMethod.EqualPrincipal)]
    public void Zero_rate_spreads_principal_evenly_without_interest(RepaymentMethod method)
    {
        Schedule schedule = ScheduleCalculator.Build(new ScheduleTerms(1000, 0m, 3, method, Start));

        Assert.Equal([333L, 333L, 334L], schedule.Periods.Select(p => p.Payment));
        Assert.All(schedule.Periods, p => Assert.Equal(0, p.Interest));
        Assert.Equal(0, schedule.TotalInterest);
        Assert.Equal(1000, schedule.TotalPayment);
        Assert.Equal(0m, schedule.Apr);
        Assert.Equal(0m, schedule.EffectiveAnnualRate);
    }

    [Fact]
    public void Zero_rate_interest_first_repays_principal_at_the_end_only()
    {
        Schedule schedule = ScheduleCalculator.Build(
            new ScheduleTerms(1000, 0m, 3, RepaymentMethod.InterestFirst, Start));

        Assert.Equal([0L, 0L, 1000L], schedule.Periods.Select(p => p.Payment));
        Assert.Equal(0m, schedule.Apr);
        Assert.Equal(0m, schedule.EffectiveAnnualRate);
    }

    [Fact]
    public void Zero_rate_bullet_repays_principal_once()
    {
        Schedule schedule = ScheduleCalculator.Build(new ScheduleTerms(1000, 0m, 3, RepaymentMethod.Bullet, Start));

        SchedulePeriod only = Assert.Single(schedule.Periods);
        Assert.Equal(1000, only.Payment);
        Assert.Equal(0, only.Interest);
        Assert.Equal(0m, schedule.Apr);
        Assert.Equal(0m, schedule.EffectiveAnnualRate);
    }

    [Fact]
    public void Three_fen_over_five_months_never_repays_more_than_remains()
    {
        Schedule schedule = ScheduleCalculator.Build(
            new ScheduleTerms(3, 0.049m, 5, RepaymentMethod.EqualPrincipal, Start));

        Assert.Equal([1L, 1L, 1L, 0L, 0L], schedule.Periods.Select(p => p.Principal));
        Assert.Equal([2L, 1L, 0L, 0L, 0L], schedule.Periods.Select(p => p.RemainingPrincipal));
    }

    [Theory]
    [InlineData(RepaymentMethod.EqualInstallment)]
    [InlineData(RepaymentMethod.EqualPrincipal)]
    [InlineData(RepaymentMethod.InterestFirst)]
    [InlineData(RepaymentMethod.Bullet)]
    public void One_fen_at_the_highest_rate_still_sums_to_one_fen(RepaymentMethod method)
    {
        Schedule schedule = ScheduleCalculator.Build(new ScheduleTerms(1, 1m, 360, method, Start));

        Assert.Equal(1, schedule.Periods.Sum(p => p.Principal));
        Assert.All(schedule.Periods, p => Assert.True(p.Principal >= 0 && p.Interest >= 0));
        Assert.Equal(0, schedule.Periods[^1].RemainingPrincipal);
        Assert.True(schedule.Apr >= 0m);
    }

    [Fact]
    public void Equal_installment_of_one_fen_over_one_month_is_one_payment_of_one_fen()
    {
        Schedule schedule = ScheduleCalculator.Build(
            new ScheduleTerms(1, 0.049m, 1, RepaymentMethod.EqualInstallment, Start));

        SchedulePeriod only = Assert.Single(schedule.Periods);
        Assert.Equal(1, only.Payment);
        Assert.Equal(0m, schedule.Apr);
    }

    [Fact]
    public void Largest_loan_at_the_highest_rate_and_longest_term_does_not_overflow()
    {
        foreach (RepaymentMethod method in Enum.GetValues<RepaymentMethod>())
        {
            Schedule schedule = ScheduleCalculator.Build(new ScheduleTerms(
                ScheduleLimits.MaxPrincipal, ScheduleLimits.MaxAnnualRate, ScheduleLimits.MaxTermMonths, method, Start));

            Assert.Equal(ScheduleLimits.MaxPrincipal, schedule.Periods.Sum(p => p.Principal));
            Assert.InRange(schedule.Apr, 0.1m, 1.0001m); // bullet: 31^(1/360) − 1 a month ≈ 0.115 a year
        }
    }
}
