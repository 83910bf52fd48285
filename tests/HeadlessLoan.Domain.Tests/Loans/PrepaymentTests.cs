using HeadlessLoan.Domain.Ledger;
using HeadlessLoan.Domain.Loans;
using HeadlessLoan.Domain.Schedules;
using static HeadlessLoan.Domain.Tests.Loans.TestLoans;

namespace HeadlessLoan.Domain.Tests.Loans;

public sealed class PrepaymentTests
{
    /// <summary>10 days into period 4 (15 April to 15 May, 30 days).</summary>
    private static readonly DateOnly On = new(2026, 4, 25);

    /// <summary>
    /// The reference loan with periods 1 to 3 paid and period 4's accrued 30.44 paid (10 days on the 913,295 fen not yet
    /// due); 3,000 CNY prepaid leaves 613,295.
    /// </summary>
    private static readonly LoanPeriod[] PaidToDate = Reference().PaidInFull(1, 2, 3).With(4, paid: new LoanComponents(0, 3_044, 0, 0));

    private static IReadOnlyList<LoanPeriod> Regenerate(
        LoanPeriod[] periods, long prepaid, PrepaymentMode mode, RepaymentMethod method = RepaymentMethod.EqualInstallment, DateOnly? on = null) =>
        Prepayment.Regenerate(periods, Rate, method, Disbursed, on ?? On, prepaid, mode);

    private static (long Principal, long Interest)[] Amounts(IEnumerable<LoanPeriod> periods) =>
        [.. periods.Select(p => (p.Due.Principal, p.Due.Interest))];

    [Fact]
    public void Reduce_installment_keeps_the_periods_and_due_dates_and_lowers_every_installment()
    {
        var regenerated = Regenerate(PaidToDate, 300_000, PrepaymentMode.ReduceInstallment);

        Assert.Equal(PaidToDate.Select(p => p.DueDate), regenerated.Select(p => p.DueDate));
        Assert.Equal(PaidToDate.Take(3), regenerated.Take(3));

        // Period 4: the prepaid 3,000 CNY recorded as due and paid, plus 654.63 of the new schedule's principal; its
        // interest 30.44 for 10 days on 913,295 and 40.89 for 20 days on 613,295.
        Assert.Equal(new LoanPeriod(4, new DateOnly(2026, 5, 15), new LoanComponents(365_463, 7_133, 0, 1_000), new LoanComponents(300_000, 3_044, 0, 0)), regenerated[3]);

        // Then 715.96 a month (the last 716.00 rounding), each period keeping its fee, nothing paid.
        Assert.Equal(
            [(66_118, 5_478), (66_779, 4_817), (67_447, 4_149), (68_121, 3_475), (68_802, 2_794), (69_490, 2_106), (70_185, 1_411), (70_890, 709)],
            Amounts(regenerated.Skip(4)));
        Assert.All(regenerated.Skip(4), p => Assert.Equal((1_000L, default(LoanComponents)), (p.Due.Fee, p.Paid)));
    }

    [Fact]
    public void Reduce_term_keeps_the_installment_and_drops_the_periods_it_no_longer_needs_with_their_fees()
    {
        var regenerated = Regenerate(PaidToDate, 300_000, PrepaymentMode.ReduceTerm);

        // The old 913,295 over 9 months needs 1,066.18; on 613,295 six months need 1,058.23 and five would need 1,263.63.
        Assert.Equal(9, regenerated.Count);
        Assert.Equal(PaidToDate.Take(9).Select(p => p.DueDate), regenerated.Select(p => p.DueDate));
        Assert.Equal(new LoanComponents(399_690, 7_133, 0, 1_000), regenerated[3].Due);
        Assert.Equal([(100_687, 5_136), (101_694, 4_129), (102_711, 3_112), (103_738, 2_085), (104_775, 1_048)], Amounts(regenerated.Skip(4)));
        Assert.Equal(3 * 1_000 + 6 * 1_000, regenerated.Sum(p => p.Due.Fee));
    }

    [Fact]
    public void Equal_principal_reduce_term_keeps_the_principal_part_and_the_last_period_takes_the_rest()
    {
        var periods = Reference(RepaymentMethod.EqualPrincipal).PaidInFull(1, 2, 3);

        var regenerated = Regenerate(periods, 250_000, PrepaymentMode.ReduceTerm, RepaymentMethod.EqualPrincipal);

        // 650,000 left in parts of 1,000.00: seven periods, the last 500.00; period 4's interest 30.00 + 43.33.
        Assert.Equal(10, regenerated.Count);
        Assert.Equal(new LoanComponents(350_000, 7_333, 0, 1_000), regenerated[3].Due);
        Assert.Equal([(100_000, 5_500), (100_000, 4_500), (100_000, 3_500), (100_000, 2_500), (100_000, 1_500), (50_000, 500)], Amounts(regenerated.Skip(4)));
    }

    [Fact]
    public void Equal_principal_reduce_installment_spreads_the_new_principal_over_the_same_periods()
    {
        var periods = Reference(RepaymentMethod.EqualPrincipal).PaidInFull(1, 2, 3);

        var regenerated = Regenerate(periods, 250_000, PrepaymentMode.ReduceInstallment, RepaymentMethod.EqualPrincipal);

        Assert.Equal(12, regenerated.Count);
        Assert.Equal(new LoanComponents(250_000 + 72_222, 7_333, 0, 1_000), regenerated[3].Due);
        Assert.Equal(
            [(72_222, 5_778), (72_222, 5_056), (72_222, 4_333), (72_222, 3_611), (72_222, 2_889), (72_222, 2_167), (72_222, 1_444), (72_224, 722)],
            Amounts(regenerated.Skip(4)));
    }

    [Fact]
    public void Interest_first_pays_less_interest_each_month_and_the_rest_of_the_principal_at_the_end()
    {
        var periods = Reference(RepaymentMethod.InterestFirst).PaidInFull(1, 2, 3);

        var regenerated = Regenerate(periods, 200_000, PrepaymentMode.ReduceInstallment, RepaymentMethod.InterestFirst);

        // 40.00 for 10 days on 12,000 CNY, 66.67 for 20 days on 10,000; then 100.00 a month on 10,000.
        Assert.Equal(new LoanComponents(200_000, 10_667, 0, 1_000), regenerated[3].Due);
        Assert.All(regenerated.Skip(4).SkipLast(1), p => Assert.Equal((0L, 10_000L), (p.Due.Principal, p.Due.Interest)));
        Assert.Equal((1_000_000L, 10_000L), (regenerated[^1].Due.Principal, regenerated[^1].Due.Interest));
    }

    [Fact]
    public void A_bullet_loans_one_period_charges_the_old_principal_up_to_the_day_and_the_new_one_after()
    {
        var bullet = Schedule(1_000_000, Rate, 12, RepaymentMethod.Bullet, Disbursed, fee: 0);

        var regenerated = Prepayment.Regenerate(bullet, Rate, RepaymentMethod.Bullet, Disbursed, Disbursed.AddDays(181), 400_000, PrepaymentMode.ReduceInstallment);

        // 181 days on 10,000 CNY (603.33) and 184 days on 6,000 (368.00), instead of 1,200.00 for the year.
        var only = Assert.Single(regenerated);
        Assert.Equal(new LoanComponents(1_000_000, 97_133, 0, 0), only.Due);
        Assert.Equal(new LoanComponents(400_000, 0, 0, 0), only.Paid);
    }

    [Fact]
    public void On_a_due_date_the_next_period_starts_afresh_on_the_new_principal()
    {
        var onDueDate = new DateOnly(2026, 4, 15);

        var regenerated = Regenerate(Reference().PaidInFull(1, 2, 3), 300_000, PrepaymentMode.ReduceInstallment, on: onDueDate);

        // Exactly the schedule of 613,295 over 9 months: 30 days on the new principal are its monthly interest.
        var fresh = ScheduleCalculator.Build(new ScheduleTerms(613_295, Rate, 9, RepaymentMethod.EqualInstallment, onDueDate)).Periods;
        Assert.Equal(fresh.Select((p, k) => (p.Principal + (k == 0 ? 300_000 : 0), p.Interest)), Amounts(regenerated.Skip(3)));
    }

    [Fact]
    public void A_prepayment_of_a_few_fen_never_raises_an_installment_the_rounding_of_a_new_schedule_would()
    {
        // A fresh 12,000 CNY over 12 months would end on 1,066.25; this loan's last installment is 1,066.14. So one fen
        // off is taken from the old parts instead: the last period's principal.
        var periods = Reference();

        var regenerated = Regenerate(periods, 1, PrepaymentMode.ReduceInstallment, on: Disbursed.AddDays(10));

        Assert.Equal(periods.Skip(1).SkipLast(1).Select(p => p.Due), regenerated.Skip(1).SkipLast(1).Select(p => p.Due));
        Assert.Equal(new LoanComponents(105_557, 1_056, 0, 1_000), regenerated[^1].Due);

        // Period 1 (31 days): 10 days on 1,200,000 and 21 on 1,199,999 would be 124.00, capped at its 120.00.
        Assert.Equal(new LoanComponents(1 + 94_619, 12_000, 0, 1_000), regenerated[0].Due);
    }

    [Fact]
    public void Periods_already_past_stay_as_they_are_even_when_unpaid()
    {
        var periods = PaidToDate.With(2, paid: new LoanComponents(0, 0, 0, 0), penalty: 480);

        var regenerated = Regenerate(periods, 300_000, PrepaymentMode.ReduceInstallment);

        Assert.Equal(periods.Take(3), regenerated.Take(3));
    }

    [Fact]
    public void Principal_paid_in_advance_on_a_later_period_stays_where_it_was_paid()
    {
        var periods = PaidToDate.With(11, paid: new LoanComponents(50_000, 0, 0, 0));

        var regenerated = Regenerate(periods, 300_000, PrepaymentMode.ReduceTerm);

        // The new term ends with period 9; period 11 stays, settled by what was paid on it, and period 10 goes.
        Assert.Equal(10, regenerated.Count);
        Assert.Equal(new LoanPeriod(10, periods.Period(11).DueDate, new LoanComponents(50_000, 0, 0, 0), new LoanComponents(50_000, 0, 0, 0)), regenerated[^1]);
        Assert.Equal(913_295 - 50_000 - 300_000, LoanSchedule.Outstanding(regenerated).Principal);
    }

    [Fact]
    public void Periods_are_renumbered_in_due_date_order_whatever_order_they_came_in()
    {
        var regenerated = Regenerate([.. PaidToDate.Reverse()], 300_000, PrepaymentMode.ReduceTerm);

        Assert.Equal(Enumerable.Range(1, 9), regenerated.Select(p => p.Period));
        Assert.Equal(Regenerate(PaidToDate, 300_000, PrepaymentMode.ReduceTerm), regenerated);
    }

    [Fact]
    public void A_second_prepayment_in_the_same_period_never_takes_interest_below_what_is_paid()
    {
        var first = Regenerate(PaidToDate, 300_000, PrepaymentMode.ReduceInstallment);

        var second = Prepayment.Regenerate(first, Rate, RepaymentMethod.EqualInstallment, Disbursed, On.AddDays(5), 100_000, PrepaymentMode.ReduceInstallment);

        Assert.Equal(new LoanComponents(400_000, 3_044, 0, 0), second[3].Paid);
        Assert.InRange(second[3].Due.Interest, 3_044, first[3].Due.Interest);
        Assert.Equal(1_200_000, second.Sum(p => p.Due.Principal));
        Assert.Equal(913_295 - 400_000, LoanSchedule.Outstanding(second).Principal);
    }

    [Theory]
    [InlineData(0, PrepaymentMode.ReduceInstallment, RepaymentMethod.EqualInstallment, PrepaymentRefusals.NotPositive)]
    [InlineData(-100, PrepaymentMode.ReduceTerm, RepaymentMethod.EqualInstallment, PrepaymentRefusals.NotPositive)]
    [InlineData(913_295, PrepaymentMode.ReduceInstallment, RepaymentMethod.EqualInstallment, PrepaymentRefusals.CoversPrincipal)]
    [InlineData(2_000_000, PrepaymentMode.ReduceTerm, RepaymentMethod.EqualPrincipal, PrepaymentRefusals.CoversPrincipal)]
    [InlineData(100_000, PrepaymentMode.ReduceTerm, RepaymentMethod.InterestFirst, PrepaymentRefusals.TermFixed)]
    [InlineData(100_000, PrepaymentMode.ReduceTerm, RepaymentMethod.Bullet, PrepaymentRefusals.TermFixed)]
    public void Refused_prepayments_have_a_stable_code_and_regenerate_only_guards_them(long prepaid, PrepaymentMode mode, RepaymentMethod method, string code)
    {
        var periods = method == RepaymentMethod.Bullet ? Reference(method) : Reference(method).PaidInFull(1, 2, 3);
        var on = method == RepaymentMethod.Bullet ? Disbursed.AddDays(100) : On;
        var principalNotYetDue = periods.Where(p => p.DueDate > on).Sum(p => p.Outstanding.Principal);
        prepaid = code == PrepaymentRefusals.CoversPrincipal && prepaid < principalNotYetDue ? principalNotYetDue : prepaid;

        Assert.Equal(code, Prepayment.Refusal(periods, method, Disbursed, on, prepaid, mode));
        Assert.Throws<ArgumentException>(() => Prepayment.Regenerate(periods, Rate, method, Disbursed, on, prepaid, mode));
    }

    [Fact]
    public void Nothing_scheduled_after_the_last_due_date_means_nothing_to_prepay()
    {
        var periods = Reference().PaidInFull([.. Enumerable.Range(1, 11)]);

        Assert.Equal(PrepaymentRefusals.NothingScheduled, Prepayment.Refusal(periods, RepaymentMethod.EqualInstallment, Disbursed, periods[^1].DueDate, 1_000, PrepaymentMode.ReduceTerm));
        Assert.Null(Prepayment.Refusal(periods, RepaymentMethod.EqualInstallment, Disbursed, periods[^1].DueDate.AddDays(-1), 1_000, PrepaymentMode.ReduceTerm));
    }

    [Fact]
    public void Unknown_methods_and_modes_rates_out_of_range_and_malformed_schedules_are_faults()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Prepayment.Refusal(PaidToDate, (RepaymentMethod)9, Disbursed, On, 1, PrepaymentMode.ReduceTerm));
        Assert.Throws<ArgumentOutOfRangeException>(() => Prepayment.Refusal(PaidToDate, RepaymentMethod.EqualInstallment, Disbursed, On, 1, (PrepaymentMode)9));
        Assert.Throws<ArgumentOutOfRangeException>(() => Prepayment.Regenerate(PaidToDate, 1.5m, RepaymentMethod.EqualInstallment, Disbursed, On, 1, PrepaymentMode.ReduceTerm));
        Assert.Throws<ArgumentOutOfRangeException>(() => Prepayment.Regenerate(PaidToDate, Rate, RepaymentMethod.EqualInstallment, Disbursed, Disbursed.AddDays(-1), 1, PrepaymentMode.ReduceTerm));
        Assert.Throws<ArgumentException>(() => Prepayment.Regenerate(PaidToDate, Rate, RepaymentMethod.Bullet, Disbursed, On, 1, PrepaymentMode.ReduceInstallment));
    }
}
