using HeadlessLoan.Domain.Ledger;
using HeadlessLoan.Domain.Schedules;

namespace HeadlessLoan.Domain.Loans;

/// <summary>What the borrower gets for paying principal early: smaller installments, or fewer of them.</summary>
public enum PrepaymentMode
{
    /// <summary>The same periods and due dates, each installment lower (月供减少).</summary>
    ReduceInstallment,

    /// <summary>About the same installment, fewer periods (期限缩短).</summary>
    ReduceTerm,
}

/// <summary>The stable codes of refused prepayments (the API's problem codes).</summary>
public static class PrepaymentRefusals
{
    /// <summary>A prepayment of zero or less.</summary>
    public const string NotPositive = "prepayment_not_positive";

    /// <summary>No period is due after the day: everything owed has fallen due, so there is no schedule left to reduce.</summary>
    public const string NothingScheduled = "prepayment_nothing_scheduled";

    /// <summary>
    /// Reduce-term on an interest-first or bullet loan: its installments before the end are interest only and its
    /// principal falls due at the end, so there is no installment to keep and no term to shorten.
    /// </summary>
    public const string TermFixed = "prepayment_term_fixed";

    /// <summary>The prepayment is all the principal not yet due, or more: that is a payoff (<see cref="PayoffQuote"/>).</summary>
    public const string CoversPrincipal = "prepayment_covers_principal";

    /// <summary>
    /// The regenerated schedule would ask less interest or fee of a period than the ledger has already recognised of it,
    /// or drop a period with something recognised: <see cref="PaymentApplication"/> keeps the amount as credit rather
    /// than take back income. (Only the close of business recognises ahead of payment, so this guards what is to come.)
    /// </summary>
    public const string BelowRecognised = "prepayment_below_recognised";
}

/// <summary>
/// A partial prepayment of principal on a day, and the schedule it leaves, exactly to the fen. The allocator has
/// already paid what was due and accrued; the prepaid principal is the amount beyond that.
/// </summary>
public static class Prepayment
{
    /// <summary>
    /// Why <see cref="Regenerate"/> would refuse the prepayment, or null when it would not: not positive, nothing
    /// scheduled after <paramref name="on"/>, reduce-term on an interest-first or bullet loan, or all the principal not
    /// yet due (a payoff). The API asks this first and answers the code; Regenerate only guards it.
    /// </summary>
    public static string? Refusal(
        IReadOnlyList<LoanPeriod> periods, RepaymentMethod method, DateOnly disbursedOn, DateOnly on, long prepaidPrincipal, PrepaymentMode mode) =>
        RefusalOf(LoanPeriods.Ordered(periods, disbursedOn, on), method, disbursedOn, on, prepaidPrincipal, mode);

    /// <summary>
    /// The loan's periods after <paramref name="prepaidPrincipal"/> fen of principal are prepaid on <paramref name="on"/>.
    /// <para>
    /// Periods due on or before <paramref name="on"/> stay as they are. The period running on the day (the first due
    /// after it) and every later one are rebuilt on the new principal not yet due, N = (unpaid principal of those
    /// periods) − <paramref name="prepaidPrincipal"/>, keeping the original due dates:
    /// </para>
    /// <list type="bullet">
    /// <item>The prepaid principal is recorded on the running period, as due and as paid, so the periods still account
    /// for every fen of the loan's principal and of what was paid on it.</item>
    /// <item>The running period's interest is I = min(A + B, its scheduled interest before), where A is the interest
    /// accrued from its start (the previous due date, or <paramref name="disbursedOn"/>) to the day on the principal not
    /// yet due before the prepayment (what the payoff quote counts, already paid or still owed) and B =
    /// round_half_up(N × rate × days from the day to its due date / 360), each by <see cref="InterestAccrual.Interest"/>.
    /// So the prepayment saves interest from the day it is made and never raises the period's interest.</item>
    /// <item>Later periods' interest is the schedule's monthly interest on what they leave outstanding, as
    /// <see cref="ScheduleCalculator"/> reckons it.</item>
    /// <item>No component of a period ever falls below what is already paid of it; penalty charged stays charged; each
    /// period keeps its service fee, and a period that a shorter term drops takes its fee with it. A period with
    /// something paid or charged on it is never dropped (it stays, settled by what was paid).</item>
    /// </list>
    /// <para>
    /// <see cref="PrepaymentMode.ReduceInstallment"/>: the same periods, principal parts from the method's formula for
    /// N over the remaining count (<see cref="ScheduleCalculator"/>). Should fen rounding make any installment (principal
    /// + interest, the prepaid principal aside) higher than it was — possible only when the prepayment is a few fen
    /// against the rounding the old schedule carried — the old unpaid principal parts are scaled down to N instead
    /// (largest remainder), which never raises one.
    /// </para>
    /// <para>
    /// <see cref="PrepaymentMode.ReduceTerm"/>: equal installment keeps the payment the old principal not yet due needs
    /// over the remaining count, and takes the smallest count whose payment on N is no higher; equal principal keeps
    /// the old principal part (that of the old regular periods) and takes as many periods as N needs, the last one the
    /// remainder. Never more periods than before. Interest-first and bullet loans are refused
    /// (<see cref="PrepaymentRefusals.TermFixed"/>).
    /// </para>
    /// <para>
    /// A period keeps no history of when its principal was paid, so a second prepayment in the same period, and a payoff
    /// quote later in it, count the days before this prepayment on the principal as it stands after it: they ask for up
    /// to the interest on the prepaid principal for those days less than the period earned (never less than what is paid).
    /// </para>
    /// Periods come back in due-date order, numbered from 1.
    /// </summary>
    /// <exception cref="ArgumentException">The prepayment is refused (see <see cref="Refusal"/>), or the periods are malformed.</exception>
    public static IReadOnlyList<LoanPeriod> Regenerate(
        IReadOnlyList<LoanPeriod> periods, decimal annualRate, RepaymentMethod method, DateOnly disbursedOn, DateOnly on, long prepaidPrincipal, PrepaymentMode mode)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(annualRate, ScheduleLimits.MinAnnualRate);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(annualRate, ScheduleLimits.MaxAnnualRate);
        var ordered = LoanPeriods.Ordered(periods, disbursedOn, on);
        if (RefusalOf(ordered, method, disbursedOn, on, prepaidPrincipal, mode) is { } refusal)
        {
            throw new ArgumentException($"The prepayment is refused: {refusal}.", nameof(prepaidPrincipal));
        }

        var running = RunningPeriod.Of(ordered, disbursedOn, on)!.Value;
        var rebuilt = ordered.Skip(running.Index).ToArray();
        if (method == RepaymentMethod.Bullet && rebuilt.Length > 1)
        {
            throw new ArgumentException("A bullet loan has one period.", nameof(method));
        }

        var newPrincipal = running.PrincipalNotYetDue - prepaidPrincipal;
        var current = rebuilt[0];
        var currentInterest = Math.Min(
            checked(running.AccruedInterest(current, annualRate, on)
                + InterestAccrual.Interest(newPrincipal, annualRate, on, current.DueDate, current.Due.Interest)),
            current.Due.Interest);

        Part[] plan = rebuilt.Length == 1 ? [new Part(newPrincipal, currentInterest)]
            : mode == PrepaymentMode.ReduceTerm ? ShorterTerm(rebuilt, running.PrincipalNotYetDue, newPrincipal, annualRate, method, currentInterest)
            : LowerInstallment(rebuilt, running.PrincipalNotYetDue, newPrincipal, annualRate, method, currentInterest);

        var regenerated = ordered.Take(running.Index).Concat(rebuilt
            .Select((old, k) => (Old: old, Part: k < plan.Length ? plan[k] : (Part?)null, First: k == 0))
            .Where(r => r.Part is not null || HasSomethingOn(r.Old))
            .Select(r =>
            {
                var paid = r.First ? r.Old.Paid with { Principal = checked(r.Old.Paid.Principal + prepaidPrincipal) } : r.Old.Paid;
                var part = r.Part ?? new Part(0, 0);
                var fee = r.Part is null ? paid.Fee : r.Old.Due.Fee; // a period past the new term owes no more fee
                return r.Old with { Due = new(checked(paid.Principal + part.Principal), Math.Max(paid.Interest, part.Interest), r.Old.Due.Penalty, fee), Paid = paid };
            }));
        return regenerated.Select((p, i) => p with { Period = i + 1 }).ToArray();
    }

    /// <summary>A planned period: the principal still to pay on it and its interest.</summary>
    private readonly record struct Part(long Principal, long Interest);

    private static string? RefusalOf(
        IReadOnlyList<LoanPeriod> ordered, RepaymentMethod method, DateOnly disbursedOn, DateOnly on, long prepaidPrincipal, PrepaymentMode mode)
    {
        if (!Enum.IsDefined(method))
        {
            throw new ArgumentOutOfRangeException(nameof(method), method, "Unknown repayment method.");
        }

        if (!Enum.IsDefined(mode))
        {
            throw new ArgumentOutOfRangeException(nameof(mode), mode, "Unknown prepayment mode.");
        }

        if (prepaidPrincipal <= 0)
        {
            return PrepaymentRefusals.NotPositive;
        }

        if (RunningPeriod.Of(ordered, disbursedOn, on) is not { } running)
        {
            return PrepaymentRefusals.NothingScheduled;
        }

        if (mode == PrepaymentMode.ReduceTerm && method is RepaymentMethod.InterestFirst or RepaymentMethod.Bullet)
        {
            return PrepaymentRefusals.TermFixed;
        }

        return prepaidPrincipal >= running.PrincipalNotYetDue ? PrepaymentRefusals.CoversPrincipal : null;
    }

    /// <summary>The method's formula for the new principal over the remaining count, unless rounding would raise an installment.</summary>
    private static Part[] LowerInstallment(
        LoanPeriod[] rebuilt, long oldPrincipal, long newPrincipal, decimal annualRate, RepaymentMethod method, long currentInterest)
    {
        var formula = Formula(newPrincipal, annualRate, rebuilt.Length, method, currentInterest);
        return NoInstallmentHigher(rebuilt, formula) ? formula : Scaled(rebuilt, oldPrincipal, newPrincipal, annualRate, currentInterest);
    }

    private static Part[] ShorterTerm(
        LoanPeriod[] rebuilt, long oldPrincipal, long newPrincipal, decimal annualRate, RepaymentMethod method, long currentInterest)
    {
        var remaining = rebuilt.Length;
        if (method == RepaymentMethod.EqualInstallment)
        {
            // The payment is non-increasing in the count, so the smallest count that keeps it is found by bisection.
            var kept = ScheduleCalculator.EqualInstallmentPayment(oldPrincipal, annualRate, remaining);
            int low = 1, high = remaining;
            while (low < high)
            {
                var mid = (low + high) / 2;
                if (ScheduleCalculator.EqualInstallmentPayment(newPrincipal, annualRate, mid) <= kept)
                {
                    high = mid;
                }
                else
                {
                    low = mid + 1;
                }
            }

            return Formula(newPrincipal, annualRate, low, method, currentInterest);
        }

        // Equal principal: the old regular part is that of every period but the last (which took the rounding).
        var regular = rebuilt.Take(remaining - 1).Max(p => p.Outstanding.Principal);
        var count = regular == 0 ? remaining : (int)Math.Min(remaining, (newPrincipal + regular - 1) / regular);
        var parts = new long[count];
        for (var k = 0; k < count; k++)
        {
            parts[k] = k < count - 1 ? regular : newPrincipal - (regular * (count - 1));
        }

        return WithInterest(parts, annualRate, currentInterest);
    }

    /// <summary>The method's periods for <paramref name="principal"/> over <paramref name="count"/> months, the first with the running period's interest.</summary>
    private static Part[] Formula(long principal, decimal annualRate, int count, RepaymentMethod method, long currentInterest)
    {
        // Only the amounts are used: the due dates stay the original schedule's.
        var periods = ScheduleCalculator.PeriodsOf(new ScheduleTerms(principal, annualRate, count, method, ScheduleLimits.MinStartDate));
        return [.. periods.Select((p, k) => new Part(p.Principal, k == 0 ? currentInterest : p.Interest))];
    }

    /// <summary>
    /// The old unpaid principal parts scaled by new/old principal, rounded by largest remainder so they sum to the new
    /// principal: no part grows, so no balance and no month's interest does either.
    /// </summary>
    private static Part[] Scaled(LoanPeriod[] rebuilt, long oldPrincipal, long newPrincipal, decimal annualRate, long currentInterest)
    {
        var parts = new long[rebuilt.Length];
        var remainders = new (Int128 Remainder, int Index)[rebuilt.Length];
        var given = 0L;
        for (var k = 0; k < rebuilt.Length; k++)
        {
            var product = (Int128)rebuilt[k].Outstanding.Principal * newPrincipal;
            parts[k] = (long)(product / oldPrincipal);
            remainders[k] = (product % oldPrincipal, k);
            given += parts[k];
        }

        // The fen the floors left go to the largest remainders (later periods first on a tie), at most one each.
        foreach (var (_, index) in remainders.OrderByDescending(r => r.Remainder).ThenByDescending(r => r.Index).Take((int)(newPrincipal - given)))
        {
            parts[index]++;
        }

        return WithInterest(parts, annualRate, currentInterest);
    }

    /// <summary>Each part with the month's interest on what is outstanding before it; the first with the running period's.</summary>
    private static Part[] WithInterest(long[] parts, decimal annualRate, long currentInterest)
    {
        var monthly = new MonthlyInterest(annualRate);
        var plan = new Part[parts.Length];
        var outstanding = parts.Sum();
        for (var k = 0; k < parts.Length; k++)
        {
            plan[k] = new Part(parts[k], k == 0 ? currentInterest : monthly.On(outstanding));
            outstanding -= parts[k];
        }

        return plan;
    }

    /// <summary>Whether every planned period asks for no more principal and interest than it did (the prepaid principal aside).</summary>
    private static bool NoInstallmentHigher(LoanPeriod[] rebuilt, Part[] plan)
    {
        for (var k = 0; k < plan.Length; k++)
        {
            var old = rebuilt[k];
            if (old.Paid.Principal + plan[k].Principal + Math.Max(old.Paid.Interest, plan[k].Interest) > old.Due.Principal + old.Due.Interest)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Something paid or penalty charged: a period past a shorter term is kept for it, settled by what was paid.</summary>
    private static bool HasSomethingOn(LoanPeriod period) => period.Paid.Total > 0 || period.Due.Penalty > 0;
}
