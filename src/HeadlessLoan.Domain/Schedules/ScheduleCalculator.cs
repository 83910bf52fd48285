using HeadlessLoan.Domain.Money;

namespace HeadlessLoan.Domain.Schedules;

/// <summary>
/// Builds repayment schedules in integer fen. Every schedule's principal parts sum exactly to the
/// principal: a part is capped at what remains (tiny loans would otherwise overshoot), and the last
/// period takes whatever rounding left over.
/// </summary>
public static class ScheduleCalculator
{
    public static Schedule Build(ScheduleTerms terms)
    {
        Guard(terms);

        SchedulePeriod[] periods = PeriodsOf(terms);

        long totalInterest = 0;
        long totalPayment = 0;
        foreach (SchedulePeriod period in periods)
        {
            totalInterest += period.Interest;
            totalPayment += period.Payment;
        }

        // A bullet loan's only payment falls at month n; the other methods pay from month 1.
        int firstMonth = terms.Method == RepaymentMethod.Bullet ? terms.TermMonths : 1;
        (decimal apr, decimal effective) = AnnualisedRate.Of(
            terms.Principal, periods, firstMonth, terms.AnnualRate, totalInterest);

        return new Schedule(periods, totalInterest, totalPayment, apr, effective);
    }

    /// <summary>
    /// The periods of <paramref name="terms"/> without the disclosed rates, for callers inside the domain that rebuild
    /// part of a loan (a prepayment) by the same formulas; terms are assumed to be inside <see cref="ScheduleLimits"/>.
    /// </summary>
    internal static SchedulePeriod[] PeriodsOf(ScheduleTerms terms) => terms.Method switch
    {
        RepaymentMethod.EqualInstallment => EqualInstallment(terms),
        RepaymentMethod.EqualPrincipal => EqualPrincipal(terms),
        RepaymentMethod.InterestFirst => InterestFirst(terms),
        _ => Bullet(terms),
    };

    /// <summary>The fixed payment of an equal-installment schedule of <paramref name="principal"/> over <paramref name="months"/>.</summary>
    internal static long EqualInstallmentPayment(long principal, decimal annualRate, int months)
    {
        decimal r = annualRate / 12m;
        if (r == 0m)
        {
            return DivideHalfUp(principal, months);
        }

        decimal growth = DecimalMath.Pow(1m + r, months);
        return Fen.RoundHalfUp(principal * r * growth / (growth - 1m));
    }

    private static void Guard(ScheduleTerms terms)
    {
        ArgumentNullException.ThrowIfNull(terms);
        ArgumentOutOfRangeException.ThrowIfLessThan(terms.Principal, ScheduleLimits.MinPrincipal);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(terms.Principal, ScheduleLimits.MaxPrincipal);
        ArgumentOutOfRangeException.ThrowIfLessThan(terms.AnnualRate, ScheduleLimits.MinAnnualRate);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(terms.AnnualRate, ScheduleLimits.MaxAnnualRate);
        ArgumentOutOfRangeException.ThrowIfLessThan(terms.TermMonths, ScheduleLimits.MinTermMonths);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(terms.TermMonths, ScheduleLimits.MaxTermMonths);
        if (!Enum.IsDefined(terms.Method))
        {
            throw new ArgumentOutOfRangeException(
                $"{nameof(terms)}.{nameof(terms.Method)}", terms.Method, "Unknown repayment method.");
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(terms.StartDate, ScheduleLimits.MinStartDate);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(terms.StartDate, ScheduleLimits.MaxStartDate);
    }

    /// <summary>等额本息: a fixed payment P·r / (1 − (1+r)^−n); the principal part is what interest leaves.</summary>
    private static SchedulePeriod[] EqualInstallment(ScheduleTerms terms)
    {
        long principal = terms.Principal;
        int n = terms.TermMonths;
        long payment = EqualInstallmentPayment(principal, terms.AnnualRate, n);

        var interest = new MonthlyInterest(terms.AnnualRate);
        var periods = new SchedulePeriod[n];
        long remaining = principal;
        var dueDates = new DueDateCursor(terms.StartDate);
        for (int k = 1; k <= n; k++)
        {
            long periodInterest = interest.On(remaining);

            // Rounding the payment up can make the interest of a tiny loan exceed it; never go negative.
            long part = Math.Max(payment - periodInterest, 0);
            periods[k - 1] = Period(k, n, dueDates.Next(), part, periodInterest, ref remaining);
        }

        return periods;
    }

    /// <summary>等额本金: a fixed principal part P / n, interest on what is outstanding.</summary>
    private static SchedulePeriod[] EqualPrincipal(ScheduleTerms terms)
    {
        int n = terms.TermMonths;
        long part = DivideHalfUp(terms.Principal, n);
        var interest = new MonthlyInterest(terms.AnnualRate);
        var periods = new SchedulePeriod[n];
        long remaining = terms.Principal;
        var dueDates = new DueDateCursor(terms.StartDate);
        for (int k = 1; k <= n; k++)
        {
            periods[k - 1] = Period(k, n, dueDates.Next(), part, interest.On(remaining), ref remaining);
        }

        return periods;
    }

    /// <summary>先息后本: interest on the full principal each month, all principal in the last month.</summary>
    private static SchedulePeriod[] InterestFirst(ScheduleTerms terms)
    {
        int n = terms.TermMonths;
        long monthlyInterest = new MonthlyInterest(terms.AnnualRate).On(terms.Principal);
        var periods = new SchedulePeriod[n];
        long remaining = terms.Principal;
        var dueDates = new DueDateCursor(terms.StartDate);
        for (int k = 1; k <= n; k++)
        {
            periods[k - 1] = Period(k, n, dueDates.Next(), 0, monthlyInterest, ref remaining);
        }

        return periods;
    }

    /// <summary>一次性还本付息: one period after n months with simple interest P·r·n.</summary>
    private static SchedulePeriod[] Bullet(ScheduleTerms terms)
    {
        long principal = terms.Principal;
        long interest = Fen.RoundHalfUp(principal * terms.AnnualRate * terms.TermMonths / 12m);
        DateOnly due = DueDates.For(terms.StartDate, terms.TermMonths);
        return [new SchedulePeriod(1, due, principal, interest, principal + interest, 0)];
    }

    /// <summary>Caps the principal part at what remains, gives the last period the remainder.</summary>
    private static SchedulePeriod Period(
        int k, int n, DateOnly dueDate, long part, long interest, ref long remaining)
    {
        long principalPart = k == n ? remaining : Math.Min(part, remaining);
        remaining -= principalPart;
        return new SchedulePeriod(k, dueDate, principalPart, interest, principalPart + interest, remaining);
    }

    /// <summary>round_half_up(a / b) for a ≥ 0, b > 0, in integers.</summary>
    private static long DivideHalfUp(long a, long b) => (a % b) * 2 >= b ? (a / b) + 1 : a / b;
}
