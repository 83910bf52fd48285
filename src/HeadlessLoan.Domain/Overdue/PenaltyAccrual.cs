using HeadlessLoan.Domain.Loans;

namespace HeadlessLoan.Domain.Overdue;

/// <summary>
/// What penalty a loan is charged on its overdue principal, fixed when it is made.
/// </summary>
/// <param name="DailyRate">The product's daily penalty rate (0.0005 = 0.05 % a day).</param>
/// <param name="AnnualCeiling">
/// The all-in annual ceiling kept with the loan at acceptance (<c>RatesOptions.AllInCeiling</c>: the LPR multiple, at
/// most 24 %). The penalty on a period is never more than this rate yields over the same days by the day count of
/// <see cref="InterestAccrual"/> (annual rate / 360 a day): the daily rate × 360 is held within the ceiling.
/// </param>
/// <param name="MaxTotal">The most penalty the loan is charged over its life, in fen (<see cref="ShareOfPrincipal"/> for a share of what was disbursed).</param>
public sealed record PenaltyTerms(decimal DailyRate, decimal AnnualCeiling, long MaxTotal)
{
    /// <summary>Why the terms are not usable, or null: no rate, ceiling or cap below zero.</summary>
    public string? Problem() =>
        DailyRate < 0 ? "dailyRate must not be negative"
        : AnnualCeiling < 0 ? "annualCeiling must not be negative"
        : MaxTotal < 0 ? "maxTotal must not be negative"
        : null;

    /// <summary>A cap of <paramref name="share"/> of <paramref name="principalDisbursed"/>, rounded down to the fen so the cap never passes the share.</summary>
    public static long ShareOfPrincipal(long principalDisbursed, decimal share)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(principalDisbursed);
        ArgumentOutOfRangeException.ThrowIfNegative(share);
        return (long)decimal.Floor(principalDisbursed * share);
    }
}

/// <summary>
/// Penalty interest, one period and one close of business at a time, to the fen.
/// <para>
/// A period earns penalty from its first overdue day (<see cref="DaysPastDue.FirstOverdueDay"/>) through the end of a
/// COB date on its overdue principal, by <see cref="InterestAccrual.Penalty"/> over that whole span, rounded once, and
/// held within the annual ceiling. A close charges what the span earned by its COB date less what it had earned by the
/// last closed date, so rounding is exact: while a period's overdue principal stays the same, N daily closes charge it
/// exactly round_half_up(principal × rate × N), what one computation over the N days gives, and no day is negative.
/// (Rounding each day on its own would drift by up to half a fen a day: 15 CNY at 0.03 % is 0.45 fen a day, never
/// charged; 0.5 fen would be charged as a whole fen every day.) When part of the principal is paid, the later days are
/// reckoned on what is left, each within a fen of principal × rate.
/// </para>
/// <para>
/// The loan's total penalty never passes <see cref="PenaltyTerms.MaxTotal"/>: <see cref="WithinCap"/> keeps what a
/// close charges within what the cap leaves.
/// </para>
/// </summary>
public static class PenaltyAccrual
{
    /// <summary>
    /// The penalty a period due on <paramref name="dueDate"/> has earned by the end of <paramref name="through"/> on
    /// <paramref name="overduePrincipal"/>: its overdue days at the daily rate, never more than the annual ceiling
    /// yields over them; 0 before it is overdue.
    /// </summary>
    public static long EarnedThrough(long overduePrincipal, DateOnly dueDate, DateOnly through, PenaltyTerms terms)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(overduePrincipal);
        Usable(terms);
        var from = DaysPastDue.FirstOverdueDay(dueDate);
        var to = through.AddDays(1);
        return Math.Min(
            InterestAccrual.Penalty(overduePrincipal, terms.DailyRate, from, to),
            InterestAccrual.Interest(overduePrincipal, terms.AnnualCeiling, from, to, scheduledInterest: long.MaxValue));
    }

    /// <summary>
    /// The penalty for the days after <paramref name="closedThrough"/> through <paramref name="cobDate"/> (one day
    /// when the closes run daily), before the loan's cap: what the span earned by the COB date less what it had earned
    /// by the last closed date.
    /// </summary>
    public static long ForDays(long overduePrincipal, DateOnly dueDate, DateOnly closedThrough, DateOnly cobDate, PenaltyTerms terms)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(closedThrough, cobDate);
        return EarnedThrough(overduePrincipal, dueDate, cobDate, terms) - EarnedThrough(overduePrincipal, dueDate, closedThrough, terms);
    }

    /// <summary>The penalty for <paramref name="cobDate"/> alone, before the loan's cap.</summary>
    public static long ForDay(long overduePrincipal, DateOnly dueDate, DateOnly cobDate, PenaltyTerms terms) =>
        ForDays(overduePrincipal, dueDate, cobDate.AddDays(-1), cobDate, terms);

    /// <summary>
    /// What of <paramref name="penalty"/> may be charged on a loan already charged <paramref name="chargedSoFar"/>:
    /// no more than the cap leaves, and nothing once the cap is reached (or passed, if it was lowered).
    /// </summary>
    public static long WithinCap(long penalty, long chargedSoFar, long maxTotal)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(penalty);
        ArgumentOutOfRangeException.ThrowIfNegative(chargedSoFar);
        ArgumentOutOfRangeException.ThrowIfNegative(maxTotal);
        return Math.Min(penalty, Math.Max(0, maxTotal - chargedSoFar));
    }

    private static void Usable(PenaltyTerms terms)
    {
        ArgumentNullException.ThrowIfNull(terms);
        if (terms.Problem() is { } problem)
        {
            throw new ArgumentException($"The penalty terms are not usable: {problem}.", nameof(terms));
        }
    }
}
