using FsCheck.Xunit;
using HeadlessLoan.Domain.Schedules;

namespace HeadlessLoan.Domain.Tests.Schedules;

public sealed class ScheduleProperties
{
    private const int Cases = 300;

    [Property(MaxTest = Cases, Arbitrary = [typeof(ScheduleTermsArbitrary)])]
    public bool Principal_parts_sum_exactly_to_the_principal(ScheduleTerms terms) =>
        ScheduleCalculator.Build(terms).Periods.Sum(p => p.Principal) == terms.Principal;

    [Property(MaxTest = Cases, Arbitrary = [typeof(ScheduleTermsArbitrary)])]
    public bool No_amount_is_negative(ScheduleTerms terms) =>
        ScheduleCalculator.Build(terms).Periods.All(p => p.Principal >= 0 && p.Interest >= 0 && p.Payment >= 0);

    [Property(MaxTest = Cases, Arbitrary = [typeof(ScheduleTermsArbitrary)])]
    public bool Payment_is_principal_plus_interest(ScheduleTerms terms) =>
        ScheduleCalculator.Build(terms).Periods.All(p => p.Payment == p.Principal + p.Interest);

    [Property(MaxTest = Cases, Arbitrary = [typeof(ScheduleTermsArbitrary)])]
    public bool Remaining_principal_never_rises_and_ends_at_zero(ScheduleTerms terms)
    {
        IReadOnlyList<SchedulePeriod> periods = ScheduleCalculator.Build(terms).Periods;
        long expected = terms.Principal;
        long previous = terms.Principal;
        foreach (SchedulePeriod period in periods)
        {
            expected -= period.Principal;
            if (period.RemainingPrincipal != expected || period.RemainingPrincipal > previous)
            {
                return false;
            }

            previous = period.RemainingPrincipal;
        }

        return periods[^1].RemainingPrincipal == 0;
    }

    [Property(MaxTest = Cases, Arbitrary = [typeof(ScheduleTermsArbitrary)])]
    public bool There_is_one_period_per_month_or_one_for_bullet(ScheduleTerms terms)
    {
        IReadOnlyList<SchedulePeriod> periods = ScheduleCalculator.Build(terms).Periods;
        int expected = terms.Method == RepaymentMethod.Bullet ? 1 : terms.TermMonths;
        return periods.Count == expected && periods.Select((p, i) => p.Period == i + 1).All(ok => ok);
    }

    [Property(MaxTest = Cases, Arbitrary = [typeof(ScheduleTermsArbitrary)])]
    public bool Due_dates_strictly_increase_and_follow_the_start_day(ScheduleTerms terms)
    {
        IReadOnlyList<SchedulePeriod> periods = ScheduleCalculator.Build(terms).Periods;
        DateOnly previous = terms.StartDate;
        foreach (SchedulePeriod period in periods)
        {
            int month = terms.Method == RepaymentMethod.Bullet ? terms.TermMonths : period.Period;
            if (period.DueDate <= previous || period.DueDate != DueDates.For(terms.StartDate, month))
            {
                return false;
            }

            previous = period.DueDate;
        }

        return true;
    }

    [Property(MaxTest = Cases, Arbitrary = [typeof(ScheduleTermsArbitrary)])]
    public bool Totals_are_the_sums_of_the_periods(ScheduleTerms terms)
    {
        Schedule schedule = ScheduleCalculator.Build(terms);
        return schedule.TotalInterest == schedule.Periods.Sum(p => p.Interest)
            && schedule.TotalPayment == schedule.Periods.Sum(p => p.Payment);
    }

    [Property(MaxTest = Cases, Arbitrary = [typeof(ScheduleTermsArbitrary)])]
    public bool Rates_are_zero_without_interest_and_compounding_never_lowers_them(ScheduleTerms terms)
    {
        Schedule schedule = ScheduleCalculator.Build(terms);
        return schedule.TotalInterest == 0
            ? schedule.Apr == 0m && schedule.EffectiveAnnualRate == 0m
            : schedule.Apr >= 0m && schedule.EffectiveAnnualRate >= schedule.Apr;
    }

    [Property(MaxTest = Cases, Arbitrary = [typeof(ScheduleTermsArbitrary)])]
    public bool Monthly_methods_disclose_about_the_nominal_rate(ScheduleTerms terms)
    {
        // Interest is charged on what is outstanding, so only fen rounding moves the IRR.
        if (terms.Method == RepaymentMethod.Bullet || terms.Principal < 1_000_000 || terms.AnnualRate < 0.01m)
        {
            return true;
        }

        return Math.Abs(ScheduleCalculator.Build(terms).Apr - terms.AnnualRate) < 0.0001m;
    }
}
