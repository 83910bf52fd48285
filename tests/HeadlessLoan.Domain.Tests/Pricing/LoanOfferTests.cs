using HeadlessLoan.Domain.Pricing;
using HeadlessLoan.Domain.Rates;
using HeadlessLoan.Domain.Schedules;

namespace HeadlessLoan.Domain.Tests.Pricing;

public sealed class LoanOfferTests
{
    private static readonly DateOnly Start = new(2026, 12, 2);

    [Fact]
    public void Without_a_fee_the_all_in_rate_is_the_schedules_own_apr()
    {
        var terms = new OfferTerms(10_000_000, 360, RepaymentMethod.EqualInstallment, 0.049m, 0m, Start);
        var offer = LoanOffers.Make(terms);
        var schedule = ScheduleCalculator.Build(new ScheduleTerms(10_000_000, 0.049m, 360, RepaymentMethod.EqualInstallment, Start));
        Assert.Equal(schedule.Apr, offer.Apr);
        Assert.Equal(0, offer.TotalFees);
        Assert.Equal(schedule.TotalPayment, offer.TotalRepayment);
        Assert.Equal(53_073, offer.Periods[0].Due.Principal + offer.Periods[0].Due.Interest);
    }

    [Fact]
    public void A_monthly_fee_is_in_every_period_and_in_the_all_in_rate()
    {
        // 12,000 CNY, no interest, 1 % of the principal a month as service fee: 12 payments of 1,120 CNY. The IRR of
        // receiving 12,000 and paying 1,120 at months 1..12 is 1.78810 % a month: 21.4572 % a year (recomputed by bisection).
        var offer = LoanOffers.Make(new OfferTerms(1_200_000, 12, RepaymentMethod.EqualInstallment, 0m, 0.01m, Start));
        Assert.All(offer.Periods, p => Assert.Equal(12_000, p.Due.Fee));
        Assert.All(offer.Periods, p => Assert.Equal(112_000, p.Due.Total));
        Assert.Equal(144_000, offer.TotalFees);
        Assert.Equal(1_344_000, offer.TotalRepayment);
        Assert.Equal(0.214572m, offer.Apr);
        Assert.False(offer.WithinCeiling(InterestCeiling.AllIn(0.03m, 4m)));
        Assert.True(offer.WithinCeiling(InterestCeiling.AllInHardCap));
    }

    [Fact]
    public void A_bullet_loans_one_period_carries_every_months_fee()
    {
        var offer = LoanOffers.Make(new OfferTerms(1_000_000, 6, RepaymentMethod.Bullet, 0.06m, 0.001m, Start));
        var only = Assert.Single(offer.Periods);
        Assert.Equal(6 * 1_000, only.Due.Fee);
        Assert.Equal(30_000, only.Due.Interest);
        Assert.Equal(1_000_000 + 30_000 + 6_000, offer.TotalRepayment);
        Assert.True(offer.Apr > 0.06m);
    }

    [Fact]
    public void Principal_parts_sum_to_the_principal_whatever_the_fee()
    {
        foreach (var method in Enum.GetValues<RepaymentMethod>())
        {
            var offer = LoanOffers.Make(new OfferTerms(1_234_567, 7, method, 0.1m, 0.0013m, Start));
            Assert.Equal(1_234_567, offer.Periods.Sum(p => p.Due.Principal));
            Assert.Equal(offer.TotalRepayment, offer.Periods.Sum(p => p.Due.Total));
        }
    }

    [Fact]
    public void The_all_in_ceiling_is_the_lpr_multiple_but_never_above_24_percent()
    {
        Assert.Equal(0.12m, InterestCeiling.AllIn(0.03m, 4m));
        Assert.Equal(0.24m, InterestCeiling.AllIn(0.07m, 4m));
    }
}

public sealed class PricingTableTests
{
    private static readonly PricingBand[] Bands = [new(700, 0.08m), new(0, 0.12m), new(600, 0.10m)];

    [Theory]
    [InlineData(750, 0.08)]
    [InlineData(700, 0.08)]
    [InlineData(699, 0.10)]
    [InlineData(600, 0.10)]
    [InlineData(599, 0.12)]
    [InlineData(0, 0.12)]
    [InlineData(null, 0.12)]
    public void The_highest_floor_at_or_below_the_score_prices_it(int? score, double expected)
    {
        var (rate, band) = PricingTable.RateFor(Bands, score, 0.2m);
        Assert.Equal((decimal)expected, rate);
        Assert.Equal(rate, band!.AnnualRate);
    }

    [Fact]
    public void Below_every_floor_or_without_a_score_the_lowest_band_applies()
    {
        PricingBand[] bands = [new(500, 0.09m), new(650, 0.07m)];
        Assert.Equal(0.09m, PricingTable.RateFor(bands, 300, 0.2m).AnnualRate);
        Assert.Equal(0.09m, PricingTable.RateFor(bands, null, 0.2m).AnnualRate);
    }

    [Fact]
    public void Without_a_table_everyone_gets_the_products_highest_rate()
    {
        var (rate, band) = PricingTable.RateFor([], 800, 0.15m);
        Assert.Equal(0.15m, rate);
        Assert.Null(band);
    }

    [Fact]
    public void A_table_outside_the_rate_range_or_with_repeated_floors_is_refused()
    {
        Assert.Null(PricingTable.Problem(Bands, 0.08m, 0.12m));
        Assert.NotNull(PricingTable.Problem(Bands, 0.09m, 0.12m));
        Assert.NotNull(PricingTable.Problem([new(600, 0.1m), new(600, 0.11m)], 0m, 1m));
        Assert.NotNull(PricingTable.Problem([new(1001, 0.1m)], 0m, 1m));
        Assert.NotNull(PricingTable.Problem([new(-1, 0.1m)], 0m, 1m));
    }
}
