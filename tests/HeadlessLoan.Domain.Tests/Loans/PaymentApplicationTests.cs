using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using HeadlessLoan.Domain.Ledger;
using HeadlessLoan.Domain.Loans;
using static HeadlessLoan.Domain.Tests.Loans.TestLoans;

namespace HeadlessLoan.Domain.Tests.Loans;

public sealed class PaymentApplicationTests
{
    private static readonly Dictionary<int, PeriodRecognised> NothingRecognised = [];
    private static readonly AllocationOrder Standard = AllocationOrder.PenaltyFeeInterestPrincipal;

    [Fact]
    public void The_installment_on_its_due_date_settles_the_period_and_recognises_its_interest_and_fee()
    {
        // Period 1 asks for 946.19 + 120.00 + 10.00 fee on 15 February.
        var applied = PaymentApplication.Apply(Reference(), NothingRecognised, Rate, Disbursed, new DateOnly(2026, 2, 15), 107_619, Standard);

        var first = Assert.Single(applied.Changed);
        Assert.Equal(1, first.Period);
        Assert.Equal(first.Due, first.Paid);
        Assert.Equal(new PeriodRecognised(12_000, 1_000), first.Recognised);
        Assert.Equal((12_000, 1_000), (applied.InterestRecognised, applied.FeeRecognised));
        Assert.Equal(new LoanComponents(94_619, 12_000, 0, 1_000), applied.Settled);
        Assert.Equal(0, applied.Credit);
        Assert.False(applied.PaidOff);
        Assert.Equal(LoanEvent.Repay, applied.EventFor(LoanStatus.Active));
    }

    [Fact]
    public void An_installment_paid_early_pays_the_running_period_in_full_and_nothing_later()
    {
        var applied = PaymentApplication.Apply(Reference(), NothingRecognised, Rate, Disbursed, new DateOnly(2026, 2, 1), 107_619 + 500, Standard);

        Assert.Equal([1], applied.Changed.Select(p => p.Period));
        Assert.Equal(applied.Changed[0].Due, applied.Changed[0].Paid);
        // The 5.00 beyond the installment is the borrower's credit, not a prepayment of period 2.
        Assert.Equal(500, applied.Credit);
    }

    [Fact]
    public void Paying_an_overdue_period_and_no_more_catches_the_loan_up()
    {
        var onSecondDue = new DateOnly(2026, 3, 1);
        var applied = PaymentApplication.Apply(Reference(), NothingRecognised, Rate, Disbursed, onSecondDue, 107_619, Standard);

        Assert.False(applied.PastDueLeft);
        Assert.Equal(LoanEvent.CatchUp, applied.EventFor(LoanStatus.Overdue));
        Assert.Equal(LoanEvent.Repay, applied.EventFor(LoanStatus.Active));

        var partly = PaymentApplication.Apply(Reference(), NothingRecognised, Rate, Disbursed, onSecondDue, 50_000, Standard);
        Assert.True(partly.PastDueLeft);
        Assert.Equal(LoanEvent.Repay, partly.EventFor(LoanStatus.Overdue));
        // Penalty, fee, interest, principal: 10.00 fee, 120.00 interest, then 370.00 of principal.
        Assert.Equal(new LoanComponents(37_000, 12_000, 0, 1_000), partly.Settled);
    }

    [Fact]
    public void The_other_order_pays_interest_and_principal_before_the_fee()
    {
        var applied = PaymentApplication.Apply(Reference(), NothingRecognised, Rate, Disbursed, new DateOnly(2026, 2, 15), 106_619,
            AllocationOrder.InterestPrincipalPenaltyFee);

        Assert.Equal(new LoanComponents(94_619, 12_000, 0, 0), applied.Settled);
        Assert.Equal(new PeriodRecognised(12_000, 0), applied.Changed[0].Recognised);
    }

    [Fact]
    public void The_payoff_amount_settles_every_period_and_waives_what_is_not_yet_owed()
    {
        var on = new DateOnly(2026, 3, 25);
        var periods = Reference().PaidInFull(1, 2);
        var quote = PayoffQuote.Of(periods, Rate, Disbursed, on);
        var recognised = new Dictionary<int, PeriodRecognised> { [1] = new(12_000, 1_000), [2] = new(11_054, 1_000) };

        var applied = PaymentApplication.Apply(periods, recognised, Rate, Disbursed, on, quote.Total, Standard);

        Assert.True(applied.PaidOff);
        Assert.Equal(LoanEvent.PayOff, applied.EventFor(LoanStatus.Active));
        Assert.Equal(quote.Components, applied.Settled);
        Assert.Equal(0, applied.Credit);
        // Period 3 accrued 33.66 of interest and is settled by it; later periods ask for their principal alone.
        var third = applied.Changed.Single(p => p.Period == 3);
        Assert.Equal(new LoanComponents(96_521, 3_366, 0, 0), third.Due);
        Assert.Equal(third.Due, third.Paid);
        Assert.All(applied.Changed, p => Assert.Equal(p.Due, p.Paid));
        Assert.Equal(10, applied.Changed.Count);
        Assert.Equal(3_366, applied.InterestRecognised);
        Assert.Equal(0, applied.FeeRecognised);
    }

    [Fact]
    public void More_than_the_payoff_pays_off_and_keeps_the_rest_as_credit()
    {
        var on = new DateOnly(2026, 1, 25);
        var applied = PaymentApplication.Apply(Reference(), NothingRecognised, Rate, Disbursed, on, 1_204_000 + 123, Standard);

        Assert.True(applied.PaidOff);
        Assert.Equal(123, applied.Credit);
    }

    [Fact]
    public void What_the_ledger_recognised_before_is_not_recognised_again()
    {
        var recognised = new Dictionary<int, PeriodRecognised> { [1] = new(12_000, 1_000) };

        var applied = PaymentApplication.Apply(Reference(), recognised, Rate, Disbursed, new DateOnly(2026, 2, 15), 107_619, Standard);

        Assert.Equal((0, 0), (applied.InterestRecognised, applied.FeeRecognised));
    }

    [Property(MaxTest = 300)]
    public Property Any_payment_is_split_exactly_and_never_pays_beyond_what_is_due(PositiveInt days, NonNegativeInt paidPeriods, PositiveInt amount)
    {
        var on = Disbursed.AddDays(days.Get % 400);
        var periods = Reference().PaidInFull([.. Enumerable.Range(1, paidPeriods.Get % 12)]);
        var fen = (long)amount.Get;

        var applied = PaymentApplication.Apply(periods, NothingRecognised, Rate, Disbursed, on, fen, Standard);

        var exact = applied.Settled.Total + applied.Credit == fen;
        var withinDue = applied.Changed.All(p => p.Paid.Principal <= p.Due.Principal && p.Paid.Interest <= p.Due.Interest
            && p.Paid.Fee <= p.Due.Fee && p.Recognised.InterestAccrued >= p.Paid.Interest && p.Recognised.FeeCharged >= p.Paid.Fee);
        var settledWhenPaidOff = !applied.PaidOff || applied.Changed.All(p => p.Paid == p.Due);
        var recognisedSums = applied.InterestRecognised == applied.Changed.Sum(p => p.Recognised.InterestAccrued)
            && applied.FeeRecognised == applied.Changed.Sum(p => p.Recognised.FeeCharged);
        return (exact && withinDue && settledWhenPaidOff && recognisedSums).Label($"on {on}, {fen} fen");
    }
}
