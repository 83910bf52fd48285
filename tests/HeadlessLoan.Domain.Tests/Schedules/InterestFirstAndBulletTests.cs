using HeadlessLoan.Domain.Schedules;

namespace HeadlessLoan.Domain.Tests.Schedules;

public sealed class InterestFirstAndBulletTests
{
    private static readonly DateOnly Start = new(2025, 1, 31);

    [Fact]
    public void Interest_first_pays_interest_monthly_and_all_principal_at_the_end()
    {
        Schedule schedule = ScheduleCalculator.Build(
            new ScheduleTerms(1_200_000, 0.12m, 6, RepaymentMethod.InterestFirst, Start));

        Assert.Equal(6, schedule.Periods.Count);
        Assert.All(schedule.Periods, p => Assert.Equal(12_000, p.Interest));
        Assert.All(schedule.Periods.Take(5), p =>
        {
            Assert.Equal(0, p.Principal);
            Assert.Equal(12_000, p.Payment);
            Assert.Equal(1_200_000, p.RemainingPrincipal);
        });
        Assert.Equal(1_200_000, schedule.Periods[^1].Principal);
        Assert.Equal(1_212_000, schedule.Periods[^1].Payment);
        Assert.Equal(0, schedule.Periods[^1].RemainingPrincipal);
        Assert.Equal(72_000, schedule.TotalInterest);
    }

    [Fact]
    public void Interest_first_apr_is_the_nominal_rate_and_compounds_monthly()
    {
        Schedule schedule = ScheduleCalculator.Build(
            new ScheduleTerms(1_200_000, 0.12m, 6, RepaymentMethod.InterestFirst, Start));

        Assert.Equal(0.12m, schedule.Apr);
        Assert.Equal(0.126825m, schedule.EffectiveAnnualRate); // 1.01^12 − 1 = 0.1268250…
    }

    [Fact]
    public void Bullet_is_one_period_due_after_the_whole_term()
    {
        Schedule schedule = ScheduleCalculator.Build(
            new ScheduleTerms(10_000_000, 0.049m, 12, RepaymentMethod.Bullet, Start));

        SchedulePeriod only = Assert.Single(schedule.Periods);
        Assert.Equal(1, only.Period);
        Assert.Equal(new DateOnly(2026, 1, 31), only.DueDate);
        Assert.Equal(10_000_000, only.Principal);
        Assert.Equal(490_000, only.Interest);
        Assert.Equal(10_490_000, only.Payment);
        Assert.Equal(0, only.RemainingPrincipal);
        Assert.Equal(490_000, schedule.TotalInterest);
        Assert.Equal(10_490_000, schedule.TotalPayment);
    }

    [Fact]
    public void Bullet_apr_is_below_the_nominal_rate_because_interest_does_not_compound()
    {
        Schedule year = ScheduleCalculator.Build(
            new ScheduleTerms(10_000_000, 0.049m, 12, RepaymentMethod.Bullet, Start));
        Schedule decades = ScheduleCalculator.Build(
            new ScheduleTerms(10_000_000, 0.049m, 360, RepaymentMethod.Bullet, Start));

        // 1.049^(1/12) − 1 = 0.0039944… a month.
        Assert.Equal(0.047933m, year.Apr);
        Assert.Equal(0.049m, year.EffectiveAnnualRate);
        Assert.True(decades.Apr < year.Apr);
        Assert.True(decades.Apr > 0m);
    }

    [Fact]
    public void Bullet_interest_is_simple_interest_over_the_term()
    {
        Schedule schedule = ScheduleCalculator.Build(
            new ScheduleTerms(1, 1m, 360, RepaymentMethod.Bullet, Start));

        Assert.Equal(30, Assert.Single(schedule.Periods).Interest);
    }

    [Fact]
    public void Interest_of_exactly_half_a_fen_rounds_up()
    {
        // 6000 fen × 4.9 % / 12 = 24.5 fen exactly; a truncated monthly rate would give 24.4999… → 24.
        Schedule schedule = ScheduleCalculator.Build(
            new ScheduleTerms(6000, 0.049m, 1, RepaymentMethod.InterestFirst, Start));

        Assert.Equal(25, Assert.Single(schedule.Periods).Interest);
    }
}
