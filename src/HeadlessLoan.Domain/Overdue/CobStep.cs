using HeadlessLoan.Domain.Loans;

namespace HeadlessLoan.Domain.Overdue;

/// <summary>What the close of business knows of one open loan before it closes a day.</summary>
/// <param name="Status">Its status: active or overdue (only open loans are closed).</param>
/// <param name="Periods">
/// Its periods as kept: what falls due and what is paid of each. At least every unsettled period due before the COB date;
/// settled and later ones may be left out, since a close neither charges nor counts them.
/// </param>
/// <param name="Penalty">The penalty terms it was made on.</param>
/// <param name="DisbursedOn">The day it was paid out; a COB date is never earlier.</param>
/// <param name="ClosedThrough">
/// The last COB date closed for it, or null before its first close, when every day since the disbursement is unclosed:
/// a loan made before the close of business existed is charged from each period's first overdue day unless this is set
/// to the day before its closes are to start.
/// </param>
/// <param name="Class">The class the last close left it in.</param>
/// <param name="Override">A manual class that stands, or null.</param>
/// <param name="PenaltyCharged">
/// What closes have charged the whole loan so far (the sum of every period's penalty due, settled ones too), which the cap
/// is measured against.
/// </param>
public sealed record LoanCobFacts(
    LoanStatus Status, DateOnly DisbursedOn, IReadOnlyList<LoanPeriod> Periods, PenaltyTerms Penalty, DateOnly? ClosedThrough,
    RiskClass Class, ClassOverride? Override, long PenaltyCharged);

/// <summary>The penalty a close charges one period, in fen.</summary>
public readonly record struct PeriodPenalty(int Period, long Amount);

/// <summary>
/// What the close of business must do to one loan for a COB date, worked out before anything is written. The caller
/// applies it in one change: adds each of <see cref="Penalties"/> to its period's penalty due and posts
/// <see cref="PenaltyToAccrue"/> as a penalty accrual (<c>Postings.Accrual</c>), applies <see cref="Event"/> through
/// <see cref="LoanLifecycle"/>, cuts the borrower's credit line when <see cref="WentOverdue"/>
/// (<c>CreditLineEvent.WentOverdue</c>), stores <see cref="ClassAfter"/> with <see cref="TableVersion"/> when
/// <see cref="ClassMoved"/>, and records the loan closed through <see cref="CobDate"/>. Assessing the same date again
/// on the facts that result asks for nothing more.
/// </summary>
/// <param name="BecameOverdue">Numbers of the periods whose first overdue day is among the days this close closes.</param>
/// <param name="DaysPastDue">Days past due on the COB date (<see cref="Overdue.DaysPastDue"/>).</param>
/// <param name="Penalties">The penalty each period is charged, oldest first; periods charged nothing are left out.</param>
/// <param name="ClassByTable">The class the table gives for <paramref name="DaysPastDue"/>.</param>
/// <param name="ClassAfter">The class the loan is in now: a standing override's, otherwise the table's.</param>
/// <param name="Event">The lifecycle event to apply, or null when the status stays.</param>
public sealed record OverdueAssessment(
    DateOnly CobDate, IReadOnlyList<int> BecameOverdue, int DaysPastDue, IReadOnlyList<PeriodPenalty> Penalties, int TableVersion,
    RiskClass ClassByTable, RiskClass ClassBefore, RiskClass ClassAfter, LoanEvent? Event)
{
    /// <summary>The penalty the close charges the loan: the sum of <see cref="Penalties"/>.</summary>
    public long PenaltyToAccrue => Penalties.Aggregate(0L, (sum, p) => checked(sum + p.Amount));

    public bool ClassMoved => ClassBefore != ClassAfter;

    /// <summary>The loan was current and is overdue now: the moment its borrower's credit line falls.</summary>
    public bool WentOverdue => Event == LoanEvent.MarkOverdue;
}

/// <summary>
/// The close of business for one loan and one COB date, as a pure function of its facts. Normally it closes one day,
/// the day after <see cref="LoanCobFacts.ClosedThrough"/>; a loan left behind (or closed for the first time) closes every
/// unclosed day since in one step, with the same penalty as day by day (<see cref="PenaltyAccrual"/> is exact over
/// spans) and the status and class of the last day.
/// </summary>
public static class CobStep
{
    /// <summary>
    /// What closing <paramref name="cobDate"/> does to the loan of <paramref name="facts"/>, classified by
    /// <paramref name="table"/>:
    /// <list type="bullet">
    /// <item>periods due before the COB date with anything unpaid are overdue (<see cref="Overdue.DaysPastDue"/>); those
    /// whose first overdue day is among the days closed now <see cref="OverdueAssessment.BecameOverdue"/>;</item>
    /// <item>each overdue period with principal unpaid is charged penalty for those days (<see cref="PenaltyAccrual.ForDays"/>),
    /// oldest first, until the loan's cap is reached (<see cref="PenaltyAccrual.WithinCap"/>);</item>
    /// <item>days past due count from the oldest unpaid due date and give the class, unless an override stands;</item>
    /// <item>an active loan with something past due is marked overdue; an overdue loan with nothing past due any more
    /// (settled by a credit or a change to its periods, not a repayment, which catches up by itself) catches up.</item>
    /// </list>
    /// A COB date the loan is already closed through is closed again with no penalty and no period becoming overdue;
    /// an earlier one, or a loan that is not open, is the caller's fault.
    /// </summary>
    public static OverdueAssessment Assess(LoanCobFacts facts, DateOnly cobDate, ClassificationTable table)
    {
        ArgumentNullException.ThrowIfNull(facts);
        ArgumentNullException.ThrowIfNull(table);
        if (!LoanLifecycle.IsOpen(facts.Status))
        {
            throw new ArgumentException($"The close of business closes open loans only; a loan {facts.Status.ToWire()} is skipped.", nameof(facts));
        }

        var ordered = LoanPeriods.Ordered(facts.Periods, facts.DisbursedOn, cobDate);
        var closedThrough = facts.ClosedThrough ?? facts.DisbursedOn.AddDays(-1);
        if (closedThrough > cobDate)
        {
            throw new ArgumentOutOfRangeException(nameof(cobDate), cobDate,
                $"The loan is closed through {closedThrough:yyyy-MM-dd}: days close in order, and an earlier one is not closed again.");
        }

        var overdue = ordered.Where(p => p.StatusOn(cobDate) == PeriodStatus.Overdue).ToArray();
        var became = overdue.Where(p => DaysPastDue.FirstOverdueDay(p.DueDate) > closedThrough).Select(p => p.Period).ToArray();
        var chargedSoFar = facts.PenaltyCharged;
        var penalties = Penalties(overdue, closedThrough, cobDate, facts.Penalty, chargedSoFar);
        var daysPastDue = DaysPastDue.Of(DaysPastDue.OldestUnpaidDueDate(ordered), cobDate);
        var byTable = table.Classify(daysPastDue);
        var after = ClassificationTable.Effective(byTable, facts.Override);
        return new OverdueAssessment(
            cobDate, became, daysPastDue, penalties, table.Version, byTable, facts.Class, after, EventFor(facts.Status, overdue.Length > 0));
    }

    /// <summary>Each overdue period's penalty for the days after <paramref name="closedThrough"/>, oldest first, within what the cap leaves.</summary>
    private static PeriodPenalty[] Penalties(
        IEnumerable<LoanPeriod> overdue, DateOnly closedThrough, DateOnly cobDate, PenaltyTerms terms, long chargedSoFar)
    {
        ArgumentNullException.ThrowIfNull(terms);
        var charged = new List<PeriodPenalty>();
        foreach (var period in overdue)
        {
            var earned = PenaltyAccrual.ForDays(period.Outstanding.Principal, period.DueDate, closedThrough, cobDate, terms);
            var amount = PenaltyAccrual.WithinCap(earned, chargedSoFar, terms.MaxTotal);
            if (amount > 0)
            {
                charged.Add(new PeriodPenalty(period.Period, amount));
                chargedSoFar = checked(chargedSoFar + amount);
            }
        }

        return [.. charged];
    }

    private static LoanEvent? EventFor(LoanStatus status, bool pastDue) =>
        status == LoanStatus.Active && pastDue ? LoanEvent.MarkOverdue
        : status == LoanStatus.Overdue && !pastDue ? LoanEvent.CatchUp
        : null;
}
