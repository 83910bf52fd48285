using FsCheck.Xunit;
using HeadlessLoan.Domain.Ledger;
using HeadlessLoan.Domain.Loans;
using HeadlessLoan.Domain.Schedules;
using static HeadlessLoan.Domain.Tests.Loans.TestLoans;

namespace HeadlessLoan.Domain.Tests.Loans;

public sealed class PayoffQuoteTests
{
    // The reference loan's periods 1 to 3 ask for 946.19 + 120.00, 955.65 + 110.54, 965.21 + 100.98, and 10.00 fee each.
    private static readonly LoanPeriod[] TwoPaid = Reference().PaidInFull(1, 2);

    [Fact]
    public void A_loan_paid_to_date_owes_its_principal_and_the_interest_accrued_since_the_last_due_date()
    {
        // 10 days into period 3 (15 March to 15 April): 1,009,816 × 0.12 × 10 / 360 = 3,366.05 fen.
        var quote = PayoffQuote.Of(TwoPaid, Rate, Disbursed, new DateOnly(2026, 3, 25));

        Assert.Equal(new PayoffQuote(1_009_816, 3_366, 0, 0, new DateOnly(2026, 3, 25)), quote);
        Assert.Equal(1_013_182, quote.Total);
        Assert.Equal(new LoanComponents(1_009_816, 3_366, 0, 0), quote.Components);
    }

    [Fact]
    public void An_overdue_period_owes_all_its_interest_fee_and_penalty_and_the_running_one_its_accrual()
    {
        var periods = Reference().PaidInFull(1).With(2, paid: default, penalty: 300);

        var quote = PayoffQuote.Of(periods, Rate, Disbursed, new DateOnly(2026, 3, 25));

        // Period 2's 110.54 interest and 10.00 fee, its 3.00 penalty; period 3 accrues on the principal not yet due.
        Assert.Equal(new PayoffQuote(1_105_381, 11_054 + 3_366, 300, 1_000, new DateOnly(2026, 3, 25)), quote);
    }

    [Fact]
    public void On_a_due_date_the_period_due_is_owed_in_full_and_the_next_one_has_accrued_nothing()
    {
        var quote = PayoffQuote.Of(Reference().PaidInFull(1), Rate, Disbursed, new DateOnly(2026, 3, 15));

        Assert.Equal(new PayoffQuote(1_105_381, 11_054, 0, 1_000, new DateOnly(2026, 3, 15)), quote);
    }

    [Fact]
    public void In_the_first_period_interest_runs_from_the_disbursement()
    {
        // 1,200,000 × 0.12 × 10 / 360 = 4,000; no fee has fallen due yet.
        var quote = PayoffQuote.Of(Reference(), Rate, Disbursed, new DateOnly(2026, 1, 25));

        Assert.Equal(new PayoffQuote(1_200_000, 4_000, 0, 0, new DateOnly(2026, 1, 25)), quote);
        Assert.Equal(1_200_000, PayoffQuote.Of(Reference(), Rate, Disbursed, Disbursed).Total);
    }

    [Fact]
    public void Interest_already_paid_beyond_the_accrual_is_not_owed_again_and_never_owed_back()
    {
        // Period 3's installment paid early in full: 10 days have accrued 30.44 of its 100.98 interest.
        var periods = TwoPaid.With(3, paid: new LoanComponents(96_521, 10_098, 0, 1_000));

        var quote = PayoffQuote.Of(periods, Rate, Disbursed, new DateOnly(2026, 3, 25));

        Assert.Equal(new PayoffQuote(1_009_816 - 96_521, 0, 0, 0, new DateOnly(2026, 3, 25)), quote);
    }

    [Fact]
    public void Interest_paid_on_the_running_period_counts_against_its_accrual()
    {
        var periods = TwoPaid.With(3, paid: new LoanComponents(0, 1_000, 0, 0));

        Assert.Equal(3_366 - 1_000, PayoffQuote.Of(periods, Rate, Disbursed, new DateOnly(2026, 3, 25)).Interest);
    }

    [Fact]
    public void A_bullet_loans_accrual_stops_at_its_scheduled_interest()
    {
        // 10,000 CNY at 12 % for 12 months: 1,200.00 of interest; 364 of the 365 days would accrue 1,213.33.
        var bullet = Schedule(1_000_000, Rate, 12, RepaymentMethod.Bullet, Disbursed, fee: 0);

        Assert.Equal(120_000, PayoffQuote.Of(bullet, Rate, Disbursed, new DateOnly(2027, 1, 14)).Interest);
        Assert.Equal(60_333, PayoffQuote.Of(bullet, Rate, Disbursed, Disbursed.AddDays(181)).Interest); // 1,000,000 × 0.12 × 181 / 360
    }

    [Fact]
    public void After_the_last_due_date_everything_unpaid_is_owed_and_nothing_accrues_on_top()
    {
        var periods = Reference().PaidInFull([.. Enumerable.Range(1, 11)]);
        var last = periods.Period(12);

        var quote = PayoffQuote.Of(periods, Rate, Disbursed, last.DueDate.AddDays(20));

        Assert.Equal(last.Due, quote.Components);
    }

    [Fact]
    public void Penalty_charged_on_any_period_is_owed_later_interest_and_fees_are_not()
    {
        // A penalty charged on a period not yet due (a correction, say) is still charged.
        var periods = TwoPaid.With(5, paid: default, penalty: 250);

        var quote = PayoffQuote.Of(periods, Rate, Disbursed, new DateOnly(2026, 3, 25));

        Assert.Equal(250, quote.Penalty);
        Assert.Equal(3_366, quote.Interest);
        Assert.Equal(0, quote.Fee);
    }

    [Fact]
    public void Owed_lists_per_period_what_the_quote_asks_for_and_leaves_out_periods_owing_nothing()
    {
        var periods = Reference().PaidInFull(1).With(2, paid: new LoanComponents(95_565, 0, 0, 0), penalty: 300);

        var owed = PayoffQuote.Owed(periods, Rate, Disbursed, new DateOnly(2026, 3, 25));

        Assert.Equal(Enumerable.Range(2, 11), owed.Select(p => p.Period));
        Assert.Equal(new LoanComponents(0, 11_054, 300, 1_000), owed[0].Owed);
        Assert.Equal(new LoanComponents(96_521, 3_366, 0, 0), owed[1].Owed);
        Assert.All(owed.Skip(2), p => Assert.Equal(new LoanComponents(periods.Period(p.Period).Due.Principal, 0, 0, 0), p.Owed));
    }

    [Fact]
    public void Allocating_the_total_pays_the_quote_exactly()
    {
        var periods = Reference().PaidInFull(1).With(2, paid: default, penalty: 300);
        var on = new DateOnly(2026, 3, 25);
        var quote = PayoffQuote.Of(periods, Rate, Disbursed, on);

        var allocation = Allocator.Allocate(PayoffQuote.Owed(periods, Rate, Disbursed, on), on, quote.Total, AllocationOrder.PenaltyFeeInterestPrincipal);

        Assert.Equal(quote.Components, allocation.Total);
        Assert.Equal(0, allocation.LeftOver);
    }

    [Fact]
    public void A_day_before_the_disbursement_or_a_malformed_schedule_is_a_fault()
    {
        var periods = Reference();
        Assert.Throws<ArgumentOutOfRangeException>(() => PayoffQuote.Of(periods, Rate, Disbursed, Disbursed.AddDays(-1)));
        Assert.Throws<ArgumentOutOfRangeException>(() => PayoffQuote.Of(periods, -0.01m, Disbursed, Disbursed));
        Assert.Throws<ArgumentException>(() => PayoffQuote.Of(periods.With(1, paid: new LoanComponents(0, 99_999, 0, 0)), Rate, Disbursed, Disbursed));
        Assert.Throws<ArgumentException>(() => PayoffQuote.Of([periods[0], periods[1] with { DueDate = periods[0].DueDate }], Rate, Disbursed, Disbursed));
        Assert.Throws<ArgumentException>(() => PayoffQuote.Of([periods[0], periods[1] with { Period = 1 }], Rate, Disbursed, Disbursed));
        Assert.Throws<ArgumentException>(() => PayoffQuote.Of(periods, Rate, periods[0].DueDate, periods[0].DueDate));
    }

    [Fact]
    public void Periods_are_taken_in_due_date_order_whatever_order_they_come_in()
    {
        var on = new DateOnly(2026, 3, 25);
        Assert.Equal(PayoffQuote.Of(TwoPaid, Rate, Disbursed, on), PayoffQuote.Of([.. TwoPaid.Reverse()], Rate, Disbursed, on));
    }

    [Property(MaxTest = 300, Arbitrary = [typeof(LoanStateArbitrary)])]
    public bool Allocating_the_total_in_any_order_pays_every_component_of_the_quote_and_leaves_nothing_over(LoanState loan, int orderSeed)
    {
        var quote = PayoffQuote.Of(loan.Periods, loan.AnnualRate, loan.DisbursedOn, loan.On);
        var owed = PayoffQuote.Owed(loan.Periods, loan.AnnualRate, loan.DisbursedOn, loan.On);

        var allocation = Allocator.Allocate(owed, loan.On, quote.Total, AnyOrder(orderSeed));

        var paid = allocation.Periods.ToDictionary(p => p.Period, p => p.Paid);
        return allocation.LeftOver == 0
            && allocation.Total == quote.Components
            && owed.All(p => paid.TryGetValue(p.Period, out var got) && got == p.Owed);
    }

    [Property(MaxTest = 300, Arbitrary = [typeof(LoanStateArbitrary)])]
    public bool The_quote_is_the_unpaid_principal_and_no_more_than_what_is_outstanding_none_of_it_negative(LoanState loan)
    {
        var quote = PayoffQuote.Of(loan.Periods, loan.AnnualRate, loan.DisbursedOn, loan.On);
        var outstanding = LoanSchedule.Outstanding(loan.Periods);

        return quote.Principal == outstanding.Principal
            && quote.Penalty == outstanding.Penalty
            && quote.Interest is >= 0 && quote.Interest <= outstanding.Interest
            && quote.Fee is >= 0 && quote.Fee <= outstanding.Fee
            && quote.Total == quote.Principal + quote.Interest + quote.Penalty + quote.Fee
            && quote.ValidThrough == loan.On;
    }

    [Property(MaxTest = 300, Arbitrary = [typeof(LoanStateArbitrary)])]
    public bool Paying_off_a_day_later_never_costs_less(LoanState loan)
    {
        var today = PayoffQuote.Of(loan.Periods, loan.AnnualRate, loan.DisbursedOn, loan.On);
        var tomorrow = PayoffQuote.Of(loan.Periods, loan.AnnualRate, loan.DisbursedOn, loan.On.AddDays(1));
        return tomorrow.Total >= today.Total && tomorrow.Principal == today.Principal;
    }

    /// <summary>Any allocation order: the due types in any order, each with its components in any order.</summary>
    internal static AllocationOrder AnyOrder(int seed)
    {
        var random = new Random(seed);
        var dueTypes = Enum.GetValues<DueType>().OrderBy(_ => random.Next()).ToArray();
        return AllocationOrder.Create([.. dueTypes.SelectMany(d =>
            Enum.GetValues<OwedComponent>().OrderBy(_ => random.Next()).Select(c => new AllocationRule(d, c)).ToArray())]);
    }
}
