using HeadlessLoan.Domain.Schedules;

namespace HeadlessLoan.Domain.Tests.Schedules;

public sealed class EqualInstallmentTests
{
    private static readonly Schedule Mortgage = ScheduleCalculator.Build(
        new ScheduleTerms(10_000_000, 0.049m, 360, RepaymentMethod.EqualInstallment, new DateOnly(2025, 1, 15)));

    [Fact]
    public void Reference_loan_pays_530_73_every_month_but_the_last()
    {
        Assert.Equal(360, Mortgage.Periods.Count);
        Assert.All(Mortgage.Periods.Take(359), p => Assert.Equal(53073, p.Payment));
    }

    [Fact]
    public void First_month_is_mostly_interest()
    {
        SchedulePeriod first = Mortgage.Periods[0];
        Assert.Equal(40833, first.Interest);
        Assert.Equal(53073 - 40833, first.Principal);
        Assert.Equal(10_000_000 - first.Principal, first.RemainingPrincipal);
    }

    [Fact]
    public void Last_period_takes_the_rounding_remainder()
    {
        SchedulePeriod last = Mortgage.Periods[^1];
        long paidBefore = Mortgage.Periods.Take(359).Sum(p => p.Principal);
        Assert.Equal(10_000_000 - paidBefore, last.Principal);
        Assert.Equal(0, last.RemainingPrincipal);
        Assert.InRange(last.Payment, 1, 53073);
    }

    [Fact]
    public void Totals_are_the_sums_of_the_periods()
    {
        Assert.Equal(Mortgage.Periods.Sum(p => p.Interest), Mortgage.TotalInterest);
        Assert.Equal(Mortgage.Periods.Sum(p => p.Payment), Mortgage.TotalPayment);
        Assert.Equal(10_000_000 + Mortgage.TotalInterest, Mortgage.TotalPayment);
    }

    [Fact]
    public void Apr_equals_the_nominal_rate()
    {
        Assert.InRange(Mortgage.Apr, 0.04899m, 0.04901m);
    }

    [Fact]
    public void Effective_annual_rate_compounds_the_monthly_rate()
    {
        // (1 + 0.049/12)^12 − 1 = 0.0501156…
        Assert.Equal(0.050116m, Mortgage.EffectiveAnnualRate);
    }
}
