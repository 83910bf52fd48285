using FsCheck.Xunit;
using HeadlessLoan.Domain.Ledger;
using HeadlessLoan.Domain.Loans;
using static HeadlessLoan.Domain.Tests.Loans.TestLoans;

namespace HeadlessLoan.Domain.Tests.Loans;

public sealed class RepaymentAmountTests
{
    private static readonly DateOnly MidMarch = new(2026, 3, 25);

    // Period 2 (due 15 March): 955.65 + 110.54 + 10.00 fee; period 3 (due 15 April): 965.21 + 100.98 + 10.00 fee.
    private static readonly LoanPeriod[] Overdue = Reference().PaidInFull(1).With(2, paid: new LoanComponents(0, 5_000, 0, 0), penalty: 300);

    private static RepaymentAmountResult For(RepaymentKind kind, LoanPeriod[] periods, DateOnly on, long? amount = null) =>
        RepaymentAmount.For(kind, periods, Rate, Disbursed, on, amount);

    [Fact]
    public void Next_due_on_a_loan_paid_to_date_is_the_next_periods_installment_and_fee_even_when_paid_early()
    {
        Assert.Equal(new RepaymentAmountResult(96_521 + 10_098 + 1_000, null), For(RepaymentKind.NextDue, Reference().PaidInFull(1, 2), MidMarch));
    }

    [Fact]
    public void Next_due_adds_everything_past_due_penalty_included_to_the_next_period()
    {
        var pastDue = 95_565 + 11_054 - 5_000 + 300 + 1_000;

        Assert.Equal(pastDue + 107_619, For(RepaymentKind.NextDue, Overdue, MidMarch).Amount);
        Assert.Equal(pastDue, For(RepaymentKind.Overdue, Overdue, MidMarch).Amount);
    }

    [Fact]
    public void On_its_due_date_a_period_is_next_due_and_not_yet_overdue()
    {
        var onDueDate = new DateOnly(2026, 3, 15);
        var periods = Reference().PaidInFull(1);

        Assert.Equal(95_565 + 11_054 + 1_000, For(RepaymentKind.NextDue, periods, onDueDate).Amount);
        Assert.Equal(new RepaymentAmountResult(0, RepaymentAmountRefusals.NothingOverdue), For(RepaymentKind.Overdue, periods, onDueDate));
    }

    [Fact]
    public void Next_due_skips_a_period_already_settled_in_advance()
    {
        var periods = Reference().PaidInFull(1, 2, 3);

        Assert.Equal(periods.Period(4).Due.Total, For(RepaymentKind.NextDue, periods, MidMarch).Amount);
    }

    [Fact]
    public void Next_due_in_the_last_period_is_no_more_than_paying_off()
    {
        var periods = Reference().PaidInFull([.. Enumerable.Range(1, 11)]);
        var on = periods.Period(11).DueDate.AddDays(5);
        var payoff = PayoffQuote.Of(periods, Rate, Disbursed, on).Total;

        Assert.True(payoff < periods.Period(12).Due.Total);
        Assert.Equal(payoff, For(RepaymentKind.NextDue, periods, on).Amount);
    }

    [Fact]
    public void Payoff_is_the_quotes_total()
    {
        Assert.Equal(PayoffQuote.Of(Overdue, Rate, Disbursed, MidMarch).Total, For(RepaymentKind.Payoff, Overdue, MidMarch).Amount);
    }

    [Fact]
    public void A_loan_that_owes_nothing_has_nothing_to_pay()
    {
        var settled = Reference().PaidInFull([.. Enumerable.Range(1, 12)]);

        Assert.Equal(RepaymentAmountRefusals.NothingOwed, For(RepaymentKind.NextDue, settled, MidMarch).Refusal);
        Assert.Equal(RepaymentAmountRefusals.NothingOwed, For(RepaymentKind.Payoff, settled, MidMarch).Refusal);
        Assert.Equal(RepaymentAmountRefusals.NothingOverdue, For(RepaymentKind.Overdue, settled, MidMarch).Refusal);
        Assert.Equal(RepaymentAmountRefusals.AmountAbovePayoff, For(RepaymentKind.Amount, settled, MidMarch, 1).Refusal);
    }

    [Fact]
    public void An_amount_is_taken_as_asked_from_one_fen_up_to_the_payoff_total()
    {
        var payoff = PayoffQuote.Of(Overdue, Rate, Disbursed, MidMarch).Total;

        Assert.Equal(new RepaymentAmountResult(1, null), For(RepaymentKind.Amount, Overdue, MidMarch, 1));
        Assert.Equal(new RepaymentAmountResult(payoff, null), For(RepaymentKind.Amount, Overdue, MidMarch, payoff));
        Assert.Equal(new RepaymentAmountResult(0, RepaymentAmountRefusals.AmountAbovePayoff), For(RepaymentKind.Amount, Overdue, MidMarch, payoff + 1));
        Assert.Equal(RepaymentAmountRefusals.AmountNotPositive, For(RepaymentKind.Amount, Overdue, MidMarch, 0).Refusal);
        Assert.Equal(RepaymentAmountRefusals.AmountNotPositive, For(RepaymentKind.Amount, Overdue, MidMarch, -100).Refusal);
        Assert.Equal(RepaymentAmountRefusals.AmountRequired, For(RepaymentKind.Amount, Overdue, MidMarch).Refusal);
    }

    [Theory]
    [InlineData(RepaymentKind.NextDue)]
    [InlineData(RepaymentKind.Overdue)]
    [InlineData(RepaymentKind.Payoff)]
    public void Only_kind_amount_takes_an_amount(RepaymentKind kind)
    {
        var result = For(kind, Overdue, MidMarch, 10_000);

        Assert.False(result.Allowed);
        Assert.Equal(RepaymentAmountRefusals.AmountNotExpected, result.Refusal);
    }

    [Fact]
    public void Unknown_kinds_and_malformed_schedules_are_faults()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => For((RepaymentKind)99, Overdue, MidMarch));
        Assert.Throws<ArgumentOutOfRangeException>(() => For(RepaymentKind.Payoff, Overdue, Disbursed.AddDays(-1)));
        Assert.Throws<ArgumentOutOfRangeException>(() => ((RepaymentKind)99).ToWire());
    }

    [Fact]
    public void Kind_names_are_the_contracts_and_parse_back()
    {
        Assert.Equal(["next_due", "overdue", "payoff", "amount"], RepaymentKindNames.All);
        foreach (var kind in Enum.GetValues<RepaymentKind>())
        {
            Assert.True(RepaymentKindNames.TryParse(kind.ToWire(), out var parsed));
            Assert.Equal(kind, parsed);
        }

        Assert.False(RepaymentKindNames.TryParse("NextDue", out _));
        Assert.False(RepaymentKindNames.TryParse(null, out _));
    }

    [Property(MaxTest = 300, Arbitrary = [typeof(LoanStateArbitrary)])]
    public bool Overdue_is_within_next_due_which_is_within_payoff(LoanState loan)
    {
        long Amount(RepaymentKind kind) =>
            RepaymentAmount.For(kind, loan.Periods, loan.AnnualRate, loan.DisbursedOn, loan.On) is { Allowed: true } r ? r.Amount : 0;

        var overdue = Amount(RepaymentKind.Overdue);
        var nextDue = Amount(RepaymentKind.NextDue);
        var payoff = Amount(RepaymentKind.Payoff);
        var pastDue = loan.Periods.Where(p => p.DueDate < loan.On).Sum(p => p.Outstanding.Total);
        return overdue == pastDue && overdue <= nextDue && nextDue <= payoff
            && payoff == PayoffQuote.Of(loan.Periods, loan.AnnualRate, loan.DisbursedOn, loan.On).Total;
    }

    [Property(MaxTest = 300, Arbitrary = [typeof(LoanStateArbitrary)])]
    public bool An_amount_is_accepted_exactly_when_it_is_positive_and_at_most_the_payoff_total(LoanState loan, long asked)
    {
        var payoff = PayoffQuote.Of(loan.Periods, loan.AnnualRate, loan.DisbursedOn, loan.On).Total;
        var amount = asked % 3 == 0 ? payoff + (asked % 2) : asked % (payoff + 2); // near the edge a third of the time

        var result = RepaymentAmount.For(RepaymentKind.Amount, loan.Periods, loan.AnnualRate, loan.DisbursedOn, loan.On, amount);

        return result.Allowed == (amount > 0 && amount <= payoff) && (!result.Allowed || result.Amount == amount);
    }

    [Theory]
    [InlineData(RepaymentKind.NextDue, 5_000L, null, 5_000L, null)]
    [InlineData(RepaymentKind.Overdue, 5_000L, null, 5_000L, null)]
    [InlineData(RepaymentKind.Payoff, 5_000L, null, 5_000L, null)]
    [InlineData(RepaymentKind.Payoff, 0L, null, 0L, "nothing_owed")]
    [InlineData(RepaymentKind.Overdue, 5_000L, 100L, 0L, "amount_not_expected")]
    [InlineData(RepaymentKind.Amount, 5_000L, 5_000L, 5_000L, null)]
    [InlineData(RepaymentKind.Amount, 5_000L, 5_001L, 0L, "amount_above_payoff")]
    [InlineData(RepaymentKind.Amount, 5_000L, 0L, 0L, "amount_not_positive")]
    [InlineData(RepaymentKind.Amount, 5_000L, null, 0L, "amount_required")]
    public void A_written_off_loan_asks_for_what_is_still_to_recover(RepaymentKind kind, long stillOwed, long? requested, long amount, string? refusal) =>
        Assert.Equal(new RepaymentAmountResult(amount, refusal), RepaymentAmount.ForWrittenOff(kind, stillOwed, requested));
}
