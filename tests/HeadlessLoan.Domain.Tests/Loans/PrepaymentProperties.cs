using FsCheck.Xunit;
using HeadlessLoan.Domain.Ledger;
using HeadlessLoan.Domain.Loans;
using HeadlessLoan.Domain.Schedules;

namespace HeadlessLoan.Domain.Tests.Loans;

/// <summary>
/// Random loans in any stored state (or paid to date), prepaid on a random day by a random amount (leaning on a few fen
/// and on all but a few fen of the principal), in either mode; the regenerated schedule keeps its invariants.
/// </summary>
public sealed class PrepaymentProperties
{
    private const int Cases = 300;

    /// <summary>A prepayment of <paramref name="loan"/> picked by <paramref name="seed"/>, or null when it would be refused.</summary>
    private static Prepaid? Prepay(LoanState loan, uint seed, bool reduceTerm)
    {
        var mode = reduceTerm && loan.Method is RepaymentMethod.EqualInstallment or RepaymentMethod.EqualPrincipal
            ? PrepaymentMode.ReduceTerm
            : PrepaymentMode.ReduceInstallment;
        var most = loan.PrincipalNotYetDue - 1;
        if (most < 1)
        {
            return null;
        }

        var amount = (seed % 4) switch
        {
            0 => 1 + (seed / 4 % Math.Min(most, 20)),
            1 => most - (seed / 4 % Math.Min(most, 20)),
            _ => 1 + ((long)(seed / 4) * 7_919 % most),
        };
        if (Prepayment.Refusal(loan.Periods, loan.Method, loan.DisbursedOn, loan.On, amount, mode) is not null)
        {
            return null;
        }

        var after = Prepayment.Regenerate(loan.Periods, loan.AnnualRate, loan.Method, loan.DisbursedOn, loan.On, amount, mode);
        return new Prepaid(amount, mode, [.. loan.Periods.OrderBy(p => p.DueDate)], after);
    }

    private sealed record Prepaid(long Amount, PrepaymentMode Mode, LoanPeriod[] Before, IReadOnlyList<LoanPeriod> After);

    [Property(MaxTest = Cases, Arbitrary = [typeof(LoanStateArbitrary)])]
    public bool Principal_still_owed_falls_by_exactly_the_prepayment_and_the_periods_still_hold_all_the_principal(LoanState loan, uint seed, bool reduceTerm)
    {
        if (Prepay(loan, seed, reduceTerm) is not { } p)
        {
            return true;
        }

        var rebuiltOutstanding = p.After.Where(x => x.DueDate > loan.On).Sum(x => x.Outstanding.Principal);
        return rebuiltOutstanding == loan.PrincipalNotYetDue - p.Amount
            && LoanSchedule.Outstanding(p.After).Principal == LoanSchedule.Outstanding(p.Before).Principal - p.Amount
            && p.After.Sum(x => x.Due.Principal) == p.Before.Sum(x => x.Due.Principal);
    }

    [Property(MaxTest = Cases, Arbitrary = [typeof(LoanStateArbitrary)])]
    public bool What_was_paid_on_every_period_is_kept_and_the_prepayment_is_recorded_on_the_running_one(LoanState loan, uint seed, bool reduceTerm)
    {
        if (Prepay(loan, seed, reduceTerm) is not { } p)
        {
            return true;
        }

        var running = p.Before.First(x => x.DueDate > loan.On);
        var after = p.After.ToDictionary(x => x.DueDate);
        return after.TryGetValue(running.DueDate, out var prepaid) && prepaid.Paid == running.Paid with { Principal = running.Paid.Principal + p.Amount }
            && p.Before.Where(old => old != running).All(old => old.Paid.Total == 0
                ? !after.TryGetValue(old.DueDate, out var dropped) || dropped.Paid == default
                : after.TryGetValue(old.DueDate, out var kept) && kept.Paid == old.Paid);
    }

    [Property(MaxTest = Cases, Arbitrary = [typeof(LoanStateArbitrary)])]
    public bool No_component_is_negative_and_nothing_is_paid_beyond_what_falls_due(LoanState loan, uint seed, bool reduceTerm)
    {
        if (Prepay(loan, seed, reduceTerm) is not { } p)
        {
            return true;
        }

        static bool NotNegative(LoanComponents c) => c.Principal >= 0 && c.Interest >= 0 && c.Penalty >= 0 && c.Fee >= 0;
        return p.After.All(x => NotNegative(x.Due) && NotNegative(x.Paid) && NotNegative(x.Outstanding));
    }

    [Property(MaxTest = Cases, Arbitrary = [typeof(LoanStateArbitrary)])]
    public bool Periods_are_numbered_from_one_past_ones_are_untouched_and_due_dates_are_the_old_ones(LoanState loan, uint seed, bool reduceTerm)
    {
        if (Prepay(loan, seed, reduceTerm) is not { } p)
        {
            return true;
        }

        var oldDates = p.Before.Select(x => x.DueDate).ToHashSet();
        var past = p.Before.Where(x => x.DueDate <= loan.On).ToArray();
        return p.After.Select((x, i) => x.Period == i + 1).All(ok => ok)
            && p.After.Zip(p.After.Skip(1)).All(pair => pair.First.DueDate < pair.Second.DueDate)
            && p.After.All(x => oldDates.Contains(x.DueDate))
            && p.After.Take(past.Length).SequenceEqual(past.Select((x, i) => x with { Period = i + 1 }));
    }

    [Property(MaxTest = Cases, Arbitrary = [typeof(LoanStateArbitrary)])]
    public bool Reduce_term_never_has_more_periods_and_reduce_installment_keeps_them_all_none_asking_for_more(LoanState loan, uint seed, bool reduceTerm)
    {
        if (Prepay(loan, seed, reduceTerm) is not { } p)
        {
            return true;
        }

        if (p.Mode == PrepaymentMode.ReduceTerm)
        {
            return p.After.Count <= p.Before.Length;
        }

        var running = p.Before.First(x => x.DueDate > loan.On).DueDate;
        return p.After.Select(x => x.DueDate).SequenceEqual(p.Before.Select(x => x.DueDate))
            && p.After.Zip(p.Before).All(pair => Installment(pair.First) - (pair.First.DueDate == running ? p.Amount : 0) <= Installment(pair.Second));
    }

    [Property(MaxTest = Cases, Arbitrary = [typeof(LoanStateArbitrary)])]
    public bool The_running_periods_interest_never_rises_nor_falls_below_what_is_paid_of_it(LoanState loan, uint seed, bool reduceTerm)
    {
        if (Prepay(loan, seed, reduceTerm) is not { } p)
        {
            return true;
        }

        var before = p.Before.First(x => x.DueDate > loan.On);
        var after = p.After.Single(x => x.DueDate == before.DueDate);
        return after.Due.Interest <= before.Due.Interest && after.Due.Interest >= after.Paid.Interest;
    }

    [Property(MaxTest = Cases, Arbitrary = [typeof(LoanStateArbitrary)])]
    public bool Reduce_term_on_equal_installment_takes_the_fewest_periods_that_keep_the_payment(PaidToDateLoan paidToDate, uint seed)
    {
        var loan = paidToDate.State;
        if (loan.Method != RepaymentMethod.EqualInstallment || Prepay(loan, seed, reduceTerm: true) is not { } p)
        {
            return true;
        }

        var remaining = p.Before.Count(x => x.DueDate > loan.On);
        var kept = Payment(loan.PrincipalNotYetDue, loan.AnnualRate, remaining);
        var count = p.After.Count(x => x.DueDate > loan.On);
        var newPrincipal = loan.PrincipalNotYetDue - p.Amount;
        return Payment(newPrincipal, loan.AnnualRate, count) <= kept
            && (count == 1 || Payment(newPrincipal, loan.AnnualRate, count - 1) > kept)
            && p.After.Where(x => x.DueDate > loan.On).Skip(1).SkipLast(1).All(x => Installment(x) <= kept);
    }

    [Property(MaxTest = Cases, Arbitrary = [typeof(LoanStateArbitrary)])]
    public bool Prepaying_a_loan_paid_to_date_leaves_a_payoff_lower_by_at_least_the_prepayment(PaidToDateLoan paidToDate, uint seed, bool reduceTerm)
    {
        var loan = paidToDate.State;
        if (Prepay(loan, seed, reduceTerm) is not { } p)
        {
            return true;
        }

        var before = PayoffQuote.Of(p.Before, loan.AnnualRate, loan.DisbursedOn, loan.On);
        var after = PayoffQuote.Of(p.After, loan.AnnualRate, loan.DisbursedOn, loan.On);
        return after.Principal == before.Principal - p.Amount && after.Total <= before.Total - p.Amount;
    }

    /// <summary>What a period asks for of principal and interest: its installment.</summary>
    private static long Installment(LoanPeriod period) => period.Due.Principal + period.Due.Interest;

    private static long Payment(long principal, decimal rate, int months) =>
        ScheduleCalculator.Build(new ScheduleTerms(principal, rate, months, RepaymentMethod.EqualInstallment, ScheduleLimits.MinStartDate)).Periods[0].Payment;
}
