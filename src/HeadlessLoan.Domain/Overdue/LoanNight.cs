using HeadlessLoan.Domain.Ledger;
using HeadlessLoan.Domain.Loans;

namespace HeadlessLoan.Domain.Overdue;

/// <summary>
/// A period as the close of business finds it: what falls due of it and what is paid (<see cref="LoanPeriod"/>, its
/// penalty due being what closes have charged it so far), with the interest and fees recognised of it.
/// </summary>
public sealed record ClosingPeriod(LoanPeriod Period, long InterestAccrued, long FeeCharged);

/// <summary>An open loan as the close of business finds it: its standing, its terms and every one of its periods.</summary>
/// <param name="ClosedThrough">The last COB date closed for it, or null before its first close (<see cref="LoanCobFacts.ClosedThrough"/>).</param>
/// <param name="Override">A manual class that stands, or null.</param>
public sealed record ClosingLoan(
    LoanStatus Status, DateOnly DisbursedOn, DateOnly? ClosedThrough, RiskClass Class, ClassOverride? Override, decimal AnnualRate, PenaltyTerms Penalty,
    IReadOnlyList<ClosingPeriod> Periods);

/// <summary>A period after the close: the penalty charged on it, the interest and fees recognised of it.</summary>
public readonly record struct ClosedPeriod(int Period, long PenaltyDue, long InterestAccrued, long FeeCharged);

/// <summary>
/// A loan's schedule summed up as of a COB date: the period running after it (the first due later; its number and due
/// date, the day it runs from — the due date before it, or the payout day — the principal it accrues interest on, which
/// is every later period's unpaid principal, and its scheduled and recognised interest), the oldest due date with
/// anything unpaid, and what is outstanding per component (interest and fees as far as recognised).
/// </summary>
public sealed record ScheduleSummary(
    int? RunningPeriod, DateOnly? RunningDue, DateOnly RunningFrom, long RunningBase, long RunningInterestDue, long RunningAccrued,
    DateOnly? OldestUnsettledDue, LoanComponents Outstanding);

/// <summary>
/// What one night's close does to a loan: the assessment of its standing (<see cref="CobStep"/>), its status after,
/// every period as the night leaves it, what the night recognised (penalty, interest, fees: the accrual to post), and
/// its schedule summed up as of the COB date.
/// </summary>
public sealed record NightClose(
    OverdueAssessment Assessment, LoanStatus StatusAfter, IReadOnlyList<ClosedPeriod> Periods, LoanComponents Earned, ScheduleSummary Summary);

/// <summary>
/// The close of business of one loan for one COB date, as a pure function: its standing assessed (<see cref="CobStep.Assess"/>:
/// days past due, class, status, the penalty each overdue period is charged within the cap), and on the accrual basis
/// every period due by the COB date recognised whole and the running one as far as its days have earned
/// (<see cref="DailyAccrual.Through"/>); then the loan's schedule summed up again.
/// </summary>
public static class LoanNight
{
    public static NightClose Close(ClosingLoan loan, DateOnly cobDate, ClassificationTable table)
    {
        ArgumentNullException.ThrowIfNull(loan);
        ArgumentNullException.ThrowIfNull(table);
        var periods = loan.Periods.Select(p => p.Period).ToList();
        var facts = new LoanCobFacts(
            loan.Status, loan.DisbursedOn, periods, loan.Penalty, loan.ClosedThrough, loan.Class, loan.Override, periods.Aggregate(0L, (sum, p) => checked(sum + p.Due.Penalty)));
        var assessment = CobStep.Assess(facts, cobDate, table);
        var penalties = assessment.Penalties.ToDictionary(p => p.Period, p => p.Amount);

        // In due order (Assess has checked the due dates distinct and after the payout): each period's principal not
        // yet due from its own due date on is what the later ones leave unpaid.
        var ordered = loan.Periods.OrderBy(p => p.Period.DueDate).ToList();
        var unpaidFromHere = new long[ordered.Count + 1];
        for (var i = ordered.Count - 1; i >= 0; i--)
        {
            unpaidFromHere[i] = checked(unpaidFromHere[i + 1] + ordered[i].Period.Outstanding.Principal);
        }

        var running = ordered.FindIndex(p => p.Period.DueDate > cobDate);
        var closed = new ClosedPeriod[ordered.Count];
        var (interest, fee) = (0L, 0L);
        for (var i = 0; i < ordered.Count; i++)
        {
            var (period, accrued, charged) = (ordered[i].Period, ordered[i].InterestAccrued, ordered[i].FeeCharged);
            var accrual = i == running || period.DueDate <= cobDate
                ? DailyAccrual.Through(new AccrualPeriod(period.Period, i > 0 ? ordered[i - 1].Period.DueDate : loan.DisbursedOn, period.DueDate,
                    unpaidFromHere[i], period.Due.Interest, accrued, period.Due.Fee, charged), loan.AnnualRate, cobDate)
                : null;
            var (addInterest, addFee) = (accrual?.Interest ?? 0, accrual?.Fee ?? 0);
            (interest, fee) = (checked(interest + addInterest), checked(fee + addFee));
            closed[i] = new ClosedPeriod(period.Period, checked(period.Due.Penalty + penalties.GetValueOrDefault(period.Period)), accrued + addInterest, charged + addFee);
        }

        var statusAfter = assessment.Event is { } happened ? LoanLifecycle.Next(loan.Status, happened).Next : loan.Status;
        var earned = new LoanComponents(0, interest, assessment.PenaltyToAccrue, fee);
        return new NightClose(assessment, statusAfter, closed, earned, Summarise(loan, ordered, closed, running, unpaidFromHere));
    }

    /// <summary>
    /// The schedule summed up from the periods as the night left them (<paramref name="closed"/>, in the order of
    /// <paramref name="ordered"/>), the one running after the COB date at <paramref name="running"/> (or none, -1).
    /// </summary>
    private static ScheduleSummary Summarise(ClosingLoan loan, List<ClosingPeriod> ordered, ClosedPeriod[] closed, int running, long[] unpaidFromHere)
    {
        var (principal, interest, penalty, fee) = (0L, 0L, 0L, 0L);
        DateOnly? oldestUnsettled = null;
        for (var i = 0; i < ordered.Count; i++)
        {
            var (period, after) = (ordered[i].Period, closed[i]);
            var unsettled = period.Paid.Principal < period.Due.Principal || period.Paid.Interest < period.Due.Interest || period.Paid.Fee < period.Due.Fee
                || period.Paid.Penalty < after.PenaltyDue;
            oldestUnsettled ??= unsettled ? period.DueDate : null;
            principal = checked(principal + period.Outstanding.Principal);
            interest = checked(interest + after.InterestAccrued - period.Paid.Interest);
            penalty = checked(penalty + after.PenaltyDue - period.Paid.Penalty);
            fee = checked(fee + after.FeeCharged - period.Paid.Fee);
        }

        var outstanding = new LoanComponents(principal, interest, penalty, fee);
        var from = running > 0 ? ordered[running - 1].Period.DueDate : running < 0 && ordered.Count > 0 ? ordered[^1].Period.DueDate : loan.DisbursedOn;
        if (running < 0)
        {
            return new ScheduleSummary(null, null, from, 0, 0, 0, oldestUnsettled, outstanding);
        }

        var runningPeriod = ordered[running].Period;
        return new ScheduleSummary(runningPeriod.Period, runningPeriod.DueDate, from, unpaidFromHere[running], runningPeriod.Due.Interest, closed[running].InterestAccrued,
            oldestUnsettled, outstanding);
    }
}
