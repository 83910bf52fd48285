using FsCheck.Xunit;
using HeadlessLoan.Domain.Loans;
using HeadlessLoan.Domain.Money;
using HeadlessLoan.Domain.Overdue;

namespace HeadlessLoan.Domain.Tests.Overdue;

public sealed class PenaltyAccrualTests
{
    private static readonly DateOnly Due = new(2026, 2, 15);

    /// <summary>0.05 % a day (18 % a year by 360 days) within a 24 % ceiling, no cap that matters.</summary>
    private static readonly PenaltyTerms Terms = new(0.0005m, 0.24m, long.MaxValue);

    [Fact]
    public void A_day_overdue_costs_the_overdue_principal_times_the_daily_rate()
    {
        Assert.Equal(50, PenaltyAccrual.ForDay(100_000, Due, Due.AddDays(1), Terms)); // 100,000 × 0.0005
        Assert.Equal(50, PenaltyAccrual.ForDay(100_000, Due, Due.AddDays(30), Terms));
    }

    [Fact]
    public void Nothing_is_charged_on_the_due_date_or_before()
    {
        Assert.Equal(0, PenaltyAccrual.ForDay(100_000, Due, Due, Terms));
        Assert.Equal(0, PenaltyAccrual.ForDay(100_000, Due, Due.AddDays(-3), Terms));
        Assert.Equal(0, PenaltyAccrual.EarnedThrough(100_000, Due, Due, Terms));
    }

    [Fact]
    public void Days_of_less_than_a_fen_add_up_to_the_span_rounded_once()
    {
        // 15 CNY at 0.03 % a day is 0.45 fen a day: the span earns 0.45, 0.9, 1.35, 1.8 → 0, 1, 1, 2 fen by day 1 to 4.
        var terms = Terms with { DailyRate = 0.0003m };
        var days = Enumerable.Range(1, 4).Select(n => PenaltyAccrual.ForDay(1_500, Due, Due.AddDays(n), terms)).ToArray();

        Assert.Equal([0, 1, 0, 1], days);
        Assert.Equal(InterestAccrual.Penalty(1_500, 0.0003m, Due.AddDays(1), Due.AddDays(5)), days.Sum());
    }

    [Fact]
    public void A_daily_rate_above_the_ceiling_over_360_days_is_held_to_the_ceiling()
    {
        // 0.1 % a day is 36 % a year; the ceiling of 24 % yields 10,000 CNY × 0.24 / 360 = 666.67 fen a day.
        var terms = Terms with { DailyRate = 0.001m };

        Assert.Equal(667, PenaltyAccrual.ForDay(1_000_000, Due, Due.AddDays(1), terms));
        Assert.Equal(666, PenaltyAccrual.ForDay(1_000_000, Due, Due.AddDays(2), terms)); // 1,333.33 by day 2
        Assert.Equal(1_333, PenaltyAccrual.EarnedThrough(1_000_000, Due, Due.AddDays(2), terms));
    }

    [Fact]
    public void A_daily_rate_at_the_ceiling_is_charged_as_it_is() =>
        Assert.Equal(500, PenaltyAccrual.ForDay(1_000_000, Due, Due.AddDays(1), Terms with { AnnualCeiling = 0.18m }));

    [Theory]
    [InlineData(50, 0, 1_000, 50)]
    [InlineData(50, 970, 1_000, 30)]
    [InlineData(50, 1_000, 1_000, 0)]
    [InlineData(50, 1_200, 1_000, 0)] // the cap was lowered below what is charged: nothing more, nothing back
    public void The_cap_leaves_only_what_is_left_of_it(long penalty, long chargedSoFar, long maxTotal, long expected) =>
        Assert.Equal(expected, PenaltyAccrual.WithinCap(penalty, chargedSoFar, maxTotal));

    [Fact]
    public void A_cap_as_a_share_of_the_principal_is_rounded_down_to_the_fen()
    {
        Assert.Equal(200_000, PenaltyTerms.ShareOfPrincipal(1_000_001, 0.2m));
        Assert.Equal(0, PenaltyTerms.ShareOfPrincipal(1_000_000, 0m));
    }

    [Fact]
    public void Bad_inputs_are_faults()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => PenaltyAccrual.ForDay(-1, Due, Due.AddDays(1), Terms));
        Assert.Throws<ArgumentOutOfRangeException>(() => PenaltyAccrual.ForDays(100, Due, Due.AddDays(2), Due.AddDays(1), Terms));
        Assert.Throws<ArgumentException>(() => PenaltyAccrual.ForDay(100, Due, Due.AddDays(1), Terms with { DailyRate = -0.0001m }));
        Assert.Equal("maxTotal must not be negative", (Terms with { MaxTotal = -1 }).Problem());
        Assert.Equal("annualCeiling must not be negative", (Terms with { AnnualCeiling = -1 }).Problem());
        Assert.Throws<ArgumentOutOfRangeException>(() => PenaltyAccrual.WithinCap(-1, 0, 0));
    }

    [Property(MaxTest = 500, Arbitrary = [typeof(OverdueArbitrary)])]
    public bool A_close_never_charges_a_negative_amount(PenaltyCase c)
    {
        // Closed through anywhere from 200 days before the due date to 200 after, for up to 50 days.
        var closedThrough = Due.AddDays(c.Days - 200);
        return PenaltyAccrual.ForDays(c.Principal, Due, closedThrough, closedThrough.AddDays(c.Days % 50), c.Terms) >= 0;
    }

    [Property(MaxTest = 500, Arbitrary = [typeof(OverdueArbitrary)])]
    public bool Daily_closes_sum_exactly_to_one_computation_over_the_span(PenaltyCase c)
    {
        var daily = Enumerable.Range(1, c.Days).Sum(n => PenaltyAccrual.ForDay(c.Principal, Due, Due.AddDays(n), c.Terms));

        // One computation by hand: the rate over the days, or the ceiling's yield when that is less.
        var atRate = Fen.RoundHalfUp(c.Principal * c.Terms.DailyRate * c.Days);
        var atCeiling = Fen.RoundHalfUp(c.Principal * c.Terms.AnnualCeiling * c.Days / 360);
        return daily == Math.Min(atRate, atCeiling)
            && daily == PenaltyAccrual.ForDays(c.Principal, Due, Due, Due.AddDays(c.Days), c.Terms);
    }

    [Property(MaxTest = 500, Arbitrary = [typeof(OverdueArbitrary)])]
    public bool Capped_daily_closes_never_pass_the_cap_and_stop_exactly_at_it(PenaltyCase c)
    {
        var charged = c.ChargedBefore;
        for (var n = 1; n <= c.Days; n++)
        {
            var amount = PenaltyAccrual.WithinCap(PenaltyAccrual.ForDay(c.Principal, Due, Due.AddDays(n), c.Terms), charged, c.Terms.MaxTotal);
            if (amount < 0)
            {
                return false;
            }

            charged += amount;
        }

        var uncapped = PenaltyAccrual.EarnedThrough(c.Principal, Due, Due.AddDays(c.Days), c.Terms);
        return charged <= c.Terms.MaxTotal && charged == c.ChargedBefore + Math.Min(uncapped, c.Terms.MaxTotal - c.ChargedBefore);
    }
}
