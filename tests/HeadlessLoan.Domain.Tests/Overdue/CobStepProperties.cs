using FsCheck.Xunit;
using HeadlessLoan.Domain.Loans;
using HeadlessLoan.Domain.Overdue;

namespace HeadlessLoan.Domain.Tests.Overdue;

/// <summary>
/// Random loans in any stored state, closed on their day after some unclosed days, with random penalty terms, caps,
/// classes and overrides (<see cref="OverdueArbitrary.Loans"/>): the close charges nothing twice, never passes the cap,
/// and a span closed at once is closed as day by day.
/// </summary>
public sealed class CobStepProperties
{
    private const int Cases = 300;

    private static OverdueAssessment Close(LoanCobFacts loan, DateOnly cobDate) => CobStep.Assess(loan, cobDate, ClassificationTable.Default);

    /// <summary>The facts a close leaves: penalty added to the periods, the status and class it decided, closed through its date.</summary>
    internal static LoanCobFacts After(LoanCobFacts loan, OverdueAssessment a)
    {
        var byPeriod = a.Penalties.ToDictionary(p => p.Period, p => p.Amount);
        return loan with
        {
            Periods = [.. loan.Periods.Select(p => byPeriod.TryGetValue(p.Period, out var more) ? p with { Due = p.Due with { Penalty = p.Due.Penalty + more } } : p)],
            Status = a.Event is { } e ? LoanLifecycle.Next(loan.Status, e).Next : loan.Status,
            Class = a.ClassAfter,
            ClosedThrough = a.CobDate,
            PenaltyCharged = loan.PenaltyCharged + a.PenaltyToAccrue,
        };
    }

    [Property(MaxTest = Cases, Arbitrary = [typeof(OverdueArbitrary)])]
    public bool Closing_a_day_again_on_what_the_first_close_left_asks_for_nothing(CobCase c)
    {
        var once = Close(c.Facts, c.On);

        var again = Close(After(c.Facts, once), c.On);

        return again.PenaltyToAccrue == 0 && again.BecameOverdue.Count == 0 && again.Event is null && !again.ClassMoved
            && again.DaysPastDue == once.DaysPastDue && again.ClassAfter == once.ClassAfter;
    }

    [Property(MaxTest = Cases, Arbitrary = [typeof(OverdueArbitrary)])]
    public bool The_loan_s_penalty_never_passes_its_cap_and_only_overdue_periods_are_charged(CobCase c)
    {
        var before = c.Facts.Periods.Sum(p => p.Due.Penalty);

        var a = Close(c.Facts, c.On);

        return a.Penalties.All(p => p.Amount > 0)
            && before + a.PenaltyToAccrue <= Math.Max(before, c.Facts.Penalty.MaxTotal)
            && a.Penalties.All(p => c.Facts.Periods.Single(x => x.Period == p.Period).StatusOn(c.On) == PeriodStatus.Overdue);
    }

    [Property(MaxTest = Cases, Arbitrary = [typeof(OverdueArbitrary)])]
    public bool Unclosed_days_closed_at_once_charge_and_decide_what_closing_them_one_by_one_does(CobCase c)
    {
        var loan = c.Facts with { ClosedThrough = c.On };
        var last = c.On.AddDays(c.Days);

        var atOnce = Close(loan, last);
        var byDay = loan;
        long charged = 0;
        var became = new List<int>();
        for (var d = 1; d <= c.Days; d++)
        {
            var a = Close(byDay, c.On.AddDays(d));
            charged += a.PenaltyToAccrue;
            became.AddRange(a.BecameOverdue);
            byDay = After(byDay, a);
        }

        var end = After(loan, atOnce);
        return charged == atOnce.PenaltyToAccrue && became.SequenceEqual(atOnce.BecameOverdue)
            && byDay.Status == end.Status && byDay.Class == end.Class;
    }
}
