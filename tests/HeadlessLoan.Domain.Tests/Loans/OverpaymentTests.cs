using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using HeadlessLoan.Domain.Ledger;
using HeadlessLoan.Domain.Loans;
using HeadlessLoan.Domain.Schedules;
using static HeadlessLoan.Domain.Tests.Loans.TestLoans;

namespace HeadlessLoan.Domain.Tests.Loans;

/// <summary>What a payment leaves over, by the product's rules: the borrower's credit, or principal prepaid and the schedule regenerated.</summary>
public sealed class OverpaymentTests
{
    private static readonly Dictionary<int, PeriodRecognised> NothingRecognised = [];

    /// <summary>Two weeks before period 1 falls due (15 February).</summary>
    private static readonly DateOnly Early = new(2026, 2, 1);

    /// <summary>Period 1's installment and fee.</summary>
    private const long FirstInstallment = 107_619;

    private static PaymentRules Prepay(PrepaymentMode mode) => PaymentRules.Default with { Overpayment = Overpayment.Prepay, Prepayment = mode };

    private static AppliedPayment Apply(
        LoanPeriod[] periods, DateOnly on, long amount, PaymentRules rules, RepaymentMethod method = RepaymentMethod.EqualInstallment,
        IReadOnlyDictionary<int, PeriodRecognised>? recognised = null) =>
        PaymentApplication.Apply(periods, recognised ?? NothingRecognised, Rate, method, Disbursed, on, amount, rules);

    /// <summary>The schedule as the payment leaves it: the changed periods written over the stored ones by number, the removed ones gone.</summary>
    private static LoanPeriod[] After(IEnumerable<LoanPeriod> periods, AppliedPayment applied)
    {
        var changed = applied.Changed.ToDictionary(p => p.Period);
        return [.. periods.Where(p => !applied.Removed.Contains(p.Period))
            .Select(p => changed.TryGetValue(p.Period, out var c) ? new LoanPeriod(c.Period, c.DueDate, c.Due, c.Paid) : p)
            .Concat(applied.Changed.Where(c => !periods.Any(p => p.Period == c.Period)).Select(c => new LoanPeriod(c.Period, c.DueDate, c.Due, c.Paid)))
            .OrderBy(p => p.Period)];
    }

    [Fact]
    public void A_credit_product_keeps_what_is_left_over_as_the_borrowers_credit()
    {
        var applied = Apply(Reference(), Early, FirstInstallment + 300_000, PaymentRules.Default);

        Assert.Equal((0L, 300_000L, (string?)null), (applied.Prepaid, applied.Credit, applied.KeptAsCredit));
        Assert.Equal([1], applied.Changed.Select(p => p.Period));
        Assert.Equal(PaymentApplication.Apply(Reference(), NothingRecognised, Rate, Disbursed, Early, FirstInstallment + 300_000, Standard).Settled, applied.Settled);
    }

    [Fact]
    public void A_prepay_product_pays_the_installment_then_prepays_the_rest_from_its_due_date_lowering_every_later_installment()
    {
        var applied = Apply(Reference(), Early, FirstInstallment + 300_000, Prepay(PrepaymentMode.ReduceInstallment));

        Assert.Equal((300_000L, 0L), (applied.Prepaid, applied.Credit));
        Assert.Equal(new LoanComponents(94_619 + 300_000, 12_000, 0, 1_000), applied.Settled);
        Assert.False(applied.PaidOff);
        Assert.Equal(LoanEvent.Repay, applied.EventFor(LoanStatus.Active));

        // Period 1 settled by the installment; from its due date the 805,381 fen left are rescheduled over the same 11 periods.
        var after = After(Reference(), applied);
        var expected = Prepayment.Regenerate(Reference().PaidInFull(1), Rate, RepaymentMethod.EqualInstallment, Disbursed, new DateOnly(2026, 2, 15), 300_000,
            PrepaymentMode.ReduceInstallment);
        Assert.Equal(expected, after);
        Assert.Empty(applied.Removed);
        Assert.Equal(1_200_000, after.Sum(p => p.Due.Principal));
        Assert.Equal(1_200_000 - 94_619 - 300_000, LoanSchedule.Outstanding(after).Principal);
        Assert.Equal(new LoanComponents(300_000, 0, 0, 0), after[1].Paid); // the prepayment, recorded on period 2
        Assert.All(after.Skip(2), p => Assert.True(p.Due.Principal + p.Due.Interest < 106_619, $"period {p.Period} pays {p.Due.Principal + p.Due.Interest}"));
    }

    [Fact]
    public void A_shorter_term_keeps_the_installment_and_removes_the_periods_no_longer_needed()
    {
        var applied = Apply(Reference(), Early, FirstInstallment + 300_000, Prepay(PrepaymentMode.ReduceTerm));

        var after = After(Reference(), applied);
        Assert.Equal(300_000, applied.Prepaid);
        Assert.Equal(Enumerable.Range(after.Length + 1, 12 - after.Length), applied.Removed);
        Assert.InRange(after.Length, 2, 11);
        Assert.Equal(Reference().Take(after.Length).Select(p => p.DueDate), after.Select(p => p.DueDate));
        Assert.Equal(1_200_000, after.Sum(p => p.Due.Principal));
        Assert.All(after.Skip(2), p => Assert.True(p.Due.Principal + p.Due.Interest <= 106_619, $"period {p.Period} pays {p.Due.Principal + p.Due.Interest}"));
        Assert.Equal(after.Length * 1_000L, after.Sum(p => p.Due.Fee)); // a period removed takes its fee with it
    }

    [Fact]
    public void Paying_off_with_more_than_the_quote_keeps_the_rest_as_credit_even_on_a_prepay_product()
    {
        var quote = PayoffQuote.Of(Reference(), Rate, Disbursed, Early).Total;

        var applied = Apply(Reference(), Early, quote + 77, Prepay(PrepaymentMode.ReduceTerm));

        Assert.True(applied.PaidOff);
        Assert.Equal((0L, 77L), (applied.Prepaid, applied.Credit));
    }

    [Fact]
    public void Where_a_prepayment_is_refused_what_is_left_over_stays_credit_and_says_why()
    {
        var interestFirst = Reference(RepaymentMethod.InterestFirst);
        var fixedTerm = Apply(interestFirst, Early, interestFirst[0].Due.Total + 50_000, Prepay(PrepaymentMode.ReduceTerm), RepaymentMethod.InterestFirst);
        Assert.Equal((PrepaymentRefusals.TermFixed, 50_000L, 0L), (fixedTerm.KeptAsCredit, fixedTerm.Credit, fixedTerm.Prepaid));

        // Interest-first with lower installments: the principal at the end falls, and so does every month's interest.
        var lower = Apply(interestFirst, Early, interestFirst[0].Due.Total + 50_000, Prepay(PrepaymentMode.ReduceInstallment), RepaymentMethod.InterestFirst);
        Assert.Equal(50_000, lower.Prepaid);
        Assert.Equal(1_200_000 - 50_000, After(interestFirst, lower)[^1].Outstanding.Principal);

        var allPaid = Reference().PaidInFull([.. Enumerable.Range(1, 12)]);
        var nothing = Apply(allPaid, Early, 500, Prepay(PrepaymentMode.ReduceInstallment));
        Assert.Equal((PrepaymentRefusals.NothingScheduled, 500L), (nothing.KeptAsCredit, nothing.Credit));
    }

    [Fact]
    public void A_schedule_that_would_ask_less_than_the_ledger_recognised_keeps_the_amount_as_credit()
    {
        // Period 12's fee charged already: a shorter term would drop it.
        var recognised = new Dictionary<int, PeriodRecognised> { [12] = new(0, 1_000) };

        var applied = Apply(Reference(), Early, FirstInstallment + 300_000, Prepay(PrepaymentMode.ReduceTerm), recognised: recognised);

        Assert.Equal((PrepaymentRefusals.BelowRecognised, 300_000L, 0L), (applied.KeptAsCredit, applied.Credit, applied.Prepaid));
        Assert.Equal([1], applied.Changed.Select(p => p.Period));
    }

    [Fact]
    public void A_second_prepayment_reduces_the_regenerated_schedule_again()
    {
        var rules = Prepay(PrepaymentMode.ReduceTerm);
        var first = Apply(Reference(), Early, FirstInstallment + 300_000, rules);
        var once = After(Reference(), first);
        var recognised = first.Changed.ToDictionary(p => p.Period, p => p.Recognised);

        // A month on, period 2 (with the first prepayment recorded on it) paid and 100,000 fen more.
        var on = new DateOnly(2026, 3, 1);
        var second = PaymentApplication.Apply(once, recognised, Rate, RepaymentMethod.EqualInstallment, Disbursed, on, once[1].Outstanding.Total + 100_000, rules);

        var twice = After(once, second);
        Assert.Equal(100_000, second.Prepaid);
        Assert.True(twice.Length <= once.Length);
        Assert.Equal(1_200_000, twice.Sum(p => p.Due.Principal));
        Assert.Equal(LoanSchedule.Outstanding(once).Principal - once[1].Outstanding.Principal - 100_000, LoanSchedule.Outstanding(twice).Principal);
    }

    [Property(MaxTest = 300)]
    public Property Any_payment_on_a_prepay_product_is_split_exactly_and_the_schedule_still_holds_all_the_principal(
        PositiveInt days, NonNegativeInt paidPeriods, PositiveInt amount, bool shortenTerm, bool equalPrincipal)
    {
        var method = equalPrincipal ? RepaymentMethod.EqualPrincipal : RepaymentMethod.EqualInstallment;
        var on = Disbursed.AddDays(days.Get % 400);
        var periods = Reference(method).PaidInFull([.. Enumerable.Range(1, paidPeriods.Get % 12)]);
        var fen = (long)amount.Get % 1_500_000;
        fen = fen == 0 ? 1 : fen;

        var applied = Apply(periods, on, fen, Prepay(shortenTerm ? PrepaymentMode.ReduceTerm : PrepaymentMode.ReduceInstallment), method);

        var after = After(periods, applied);
        var exact = applied.Settled.Total + applied.Credit == fen;
        var principal = after.Sum(p => p.Due.Principal) == 1_200_000
            && LoanSchedule.Outstanding(after).Principal == LoanSchedule.Outstanding(periods).Principal - applied.Settled.Principal;
        var withinDue = after.All(p => p.Paid.Principal <= p.Due.Principal && p.Paid.Interest <= p.Due.Interest && p.Paid.Fee <= p.Due.Fee)
            && applied.Changed.All(p => p.Recognised.InterestAccrued <= p.Due.Interest && p.Recognised.FeeCharged <= p.Due.Fee);
        var numbered = after.Select(p => p.Period).SequenceEqual(Enumerable.Range(1, after.Length))
            && after.Zip(after.Skip(1)).All(pair => pair.First.DueDate < pair.Second.DueDate);
        var creditOnlyWhenRefused = applied.Credit == 0 || applied.PaidOff || applied.KeptAsCredit is not null;
        return (exact && principal && withinDue && numbered && creditOnlyWhenRefused).Label($"{method} on {on}, {fen} fen, shorten {shortenTerm}");
    }

    private static readonly AllocationOrder Standard = AllocationOrder.PenaltyFeeInterestPrincipal;
}
