using FsCheck.Xunit;
using HeadlessLoan.Domain.Loans;

namespace HeadlessLoan.Domain.Tests.Loans;

public sealed class DailyAccrualTests
{
    private static readonly DateOnly Start = new(2026, 1, 15);
    private static readonly DateOnly Due = new(2026, 2, 15);

    // 100,000 CNY not yet due at 12 %: a month schedules 100,000; a day earns 10,000,000 × 0.12 / 360 = 3,333.33 fen.
    private static AccrualPeriod Running(long accrued = 0) => new(2, Start, Due, 10_000_000, 100_000, accrued, 500, 0);

    [Fact]
    public void The_running_period_holds_what_its_days_through_the_COB_date_earned()
    {
        Assert.Equal(new PeriodAccrual(2, 3_333, 0), DailyAccrual.Through(Running(), 0.12m, Start)); // the first day
        Assert.Equal(new PeriodAccrual(2, 33_333, 0), DailyAccrual.Through(Running(), 0.12m, Start.AddDays(9))); // ten days, rounded once
        // The tenth close, after nine: what ten days earned less what nine had (30,000), so the days sum exactly.
        Assert.Equal(new PeriodAccrual(2, 3_333, 0), DailyAccrual.Through(Running(accrued: 30_000), 0.12m, Start.AddDays(9)));
    }

    [Fact]
    public void The_running_period_never_earns_more_than_it_schedules_and_fees_wait_for_the_due_date()
    {
        // 30 days have earned the month's 100,000; the 31st day earns nothing more (31 days would be 103,333).
        Assert.Null(DailyAccrual.Through(Running(accrued: 100_000), 0.12m, Due.AddDays(-1)));
        Assert.Equal(new PeriodAccrual(2, 100_000, 0), DailyAccrual.Through(Running(), 0.12m, Due.AddDays(-1)));
    }

    [Fact]
    public void A_period_due_by_the_COB_date_holds_its_whole_interest_and_fee()
    {
        Assert.Equal(new PeriodAccrual(2, 40_000, 500), DailyAccrual.Through(Running(accrued: 60_000), 0.12m, Due));
        Assert.Equal(new PeriodAccrual(2, 0, 500), DailyAccrual.Through(Running(accrued: 100_000), 0.12m, Due.AddDays(40)));
    }

    [Fact]
    public void A_later_period_earns_nothing_yet_and_what_a_repayment_recognised_beyond_the_days_stands()
    {
        Assert.Null(DailyAccrual.Through(Running(), 0.12m, Start.AddDays(-1)));
        // A borrower paid the whole month's interest early: a close takes nothing back.
        Assert.Null(DailyAccrual.Through(Running(accrued: 100_000), 0.12m, Start.AddDays(3)));
    }

    [Property(MaxTest = 300)]
    public bool Closing_day_by_day_recognises_exactly_what_one_close_over_the_whole_span_would(uint principalSeed, ushort rateSeed, byte daysSeed)
    {
        var principal = principalSeed % 1_000_000_000L;
        var rate = rateSeed % 2_400 / 10_000m;
        var scheduled = (long)Math.Ceiling(principal * rate / 12m);
        var days = daysSeed % 40;
        var period = new AccrualPeriod(1, Start, Due, principal, scheduled, 0, 0, 0);
        long accrued = 0;
        for (var d = 0; d <= days; d++)
        {
            var step = DailyAccrual.Through(period with { InterestAccrued = accrued }, rate, Start.AddDays(d));
            if (step is { Interest: < 0 } or { Fee: < 0 })
            {
                return false;
            }

            accrued += step?.Interest ?? 0;
        }

        var once = DailyAccrual.Through(period, rate, Start.AddDays(days))?.Interest ?? 0;
        return accrued == once && accrued <= scheduled;
    }
}
