using HeadlessLoan.Domain.Ledger;

namespace HeadlessLoan.Domain.Loans;

/// <summary>
/// The period a day falls in: the first one due after it. It runs from the previous due date (the disbursement date for
/// the first period) to its own due date; a period due on the day itself is due, not running. Payoff, prepayment and the
/// repayment amounts all reckon the day's interest from here, so they agree to the fen.
/// </summary>
internal readonly record struct RunningPeriod(int Index, DateOnly Start, long PrincipalNotYetDue)
{
    /// <summary>
    /// The period running on <paramref name="on"/> in <paramref name="ordered"/>, or null once the last due date is
    /// reached. <see cref="PrincipalNotYetDue"/> is the unpaid principal of it and every later period: what the borrower
    /// still has in hand and pays interest on (principal past due earns penalty interest instead).
    /// </summary>
    public static RunningPeriod? Of(IReadOnlyList<LoanPeriod> ordered, DateOnly disbursedOn, DateOnly on)
    {
        for (var i = 0; i < ordered.Count; i++)
        {
            if (ordered[i].DueDate > on)
            {
                long notYetDue = 0;
                for (var k = i; k < ordered.Count; k++)
                {
                    notYetDue = checked(notYetDue + ordered[k].Outstanding.Principal);
                }

                return new RunningPeriod(i, i == 0 ? disbursedOn : ordered[i - 1].DueDate, notYetDue);
            }
        }

        return null;
    }

    /// <summary>Interest accrued on the running period from its start to <paramref name="on"/>, by <see cref="InterestAccrual.Interest"/>.</summary>
    public long AccruedInterest(LoanPeriod period, decimal annualRate, DateOnly on) =>
        InterestAccrual.Interest(PrincipalNotYetDue, annualRate, Start, on, period.Due.Interest);
}

/// <summary>Checks on a loan's periods that every servicing calculation relies on.</summary>
internal static class LoanPeriods
{
    /// <summary>
    /// <paramref name="periods"/> in due-date order, after checking what a stored schedule always satisfies: due dates
    /// distinct and after the disbursement, period numbers distinct (the allocator keys on them), no amount negative,
    /// nothing paid beyond what falls due, and a day not before the disbursement. Anything else is a fault in the caller's
    /// data, not a borrower's input.
    /// </summary>
    public static IReadOnlyList<LoanPeriod> Ordered(IReadOnlyList<LoanPeriod> periods, DateOnly disbursedOn, DateOnly on)
    {
        ArgumentNullException.ThrowIfNull(periods);
        ArgumentOutOfRangeException.ThrowIfLessThan(on, disbursedOn);
        if (periods.Any(p => p is null) || periods.Select(p => p.Period).Distinct().Count() != periods.Count)
        {
            throw new ArgumentException("A schedule's periods are there and numbered once each.", nameof(periods));
        }

        var ordered = periods.OrderBy(p => p.DueDate).ThenBy(p => p.Period).ToArray();
        for (var i = 0; i < ordered.Length; i++)
        {
            var period = ordered[i];
            if (period.DueDate <= (i == 0 ? disbursedOn : ordered[i - 1].DueDate))
            {
                throw new ArgumentException("Due dates are distinct and after the disbursement.", nameof(periods));
            }

            if (!Within(period.Paid, period.Due))
            {
                throw new ArgumentException(
                    $"Period {period.Period}: no amount is negative and nothing is paid beyond what falls due.", nameof(periods));
            }
        }

        return ordered;
    }

    private static bool Within(LoanComponents paid, LoanComponents due) =>
        paid.Principal >= 0 && paid.Interest >= 0 && paid.Penalty >= 0 && paid.Fee >= 0
        && paid.Principal <= due.Principal && paid.Interest <= due.Interest && paid.Penalty <= due.Penalty && paid.Fee <= due.Fee;
}
