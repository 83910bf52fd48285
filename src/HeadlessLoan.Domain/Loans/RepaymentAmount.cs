namespace HeadlessLoan.Domain.Loans;

/// <summary>What a borrower asks to pay; the amount follows from the loan's periods on the day (<see cref="RepaymentAmount.For"/>).</summary>
public enum RepaymentKind
{
    /// <summary>Everything past due, plus the next period (the earliest unsettled one due on or after the day).</summary>
    NextDue,

    /// <summary>Only what is past due: to bring an overdue loan current.</summary>
    Overdue,

    /// <summary>The payoff quote's total: the loan closes.</summary>
    Payoff,

    /// <summary>An amount of the borrower's choosing, up to the payoff total.</summary>
    Amount,
}

/// <summary>The contract's names for <see cref="RepaymentKind"/>; matching is exact (ordinal).</summary>
public static class RepaymentKindNames
{
    public const string NextDue = "next_due";
    public const string Overdue = "overdue";
    public const string Payoff = "payoff";
    public const string Amount = "amount";

    private static readonly (RepaymentKind Kind, string Wire)[] Names =
        [(RepaymentKind.NextDue, NextDue), (RepaymentKind.Overdue, Overdue), (RepaymentKind.Payoff, Payoff), (RepaymentKind.Amount, Amount)];

    public static IReadOnlyList<string> All { get; } = Array.AsReadOnly(Names.Select(n => n.Wire).ToArray());

    public static string ToWire(this RepaymentKind kind) =>
        Names.FirstOrDefault(n => n.Kind == kind).Wire ?? throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown repayment kind.");

    public static bool TryParse(string? wire, out RepaymentKind kind)
    {
        foreach (var (k, w) in Names)
        {
            if (string.Equals(w, wire, StringComparison.Ordinal))
            {
                kind = k;
                return true;
            }
        }

        kind = default;
        return false;
    }
}

/// <summary>The amount to ask the borrower for, or a refusal with a stable code (the API's problem code).</summary>
public readonly record struct RepaymentAmountResult(long Amount, string? Refusal)
{
    public bool Allowed => Refusal is null;
}

/// <summary>The stable codes of refused repayment amounts.</summary>
public static class RepaymentAmountRefusals
{
    /// <summary>The loan owes nothing on the day: there is nothing to pay.</summary>
    public const string NothingOwed = "nothing_owed";

    /// <summary>An overdue repayment on a loan with nothing past due.</summary>
    public const string NothingOverdue = "nothing_overdue";

    /// <summary>Kind amount without an amount.</summary>
    public const string AmountRequired = "amount_required";

    /// <summary>An amount given with a kind whose amount follows from the loan.</summary>
    public const string AmountNotExpected = "amount_not_expected";

    /// <summary>An amount of zero or less.</summary>
    public const string AmountNotPositive = "amount_not_positive";

    /// <summary>More than closing the loan costs on the day; the rest would only become the borrower's credit.</summary>
    public const string AmountAbovePayoff = "amount_above_payoff";
}

/// <summary>How much a repayment of each kind asks for on a day, from the loan's periods, to the fen.</summary>
public static class RepaymentAmount
{
    /// <summary>
    /// <list type="bullet">
    /// <item><see cref="RepaymentKind.Overdue"/>: the outstanding (every component) of the periods due before
    /// <paramref name="on"/>; none is <c>nothing_overdue</c>.</item>
    /// <item><see cref="RepaymentKind.NextDue"/>: that, plus the outstanding of the earliest unsettled period due on or
    /// after <paramref name="on"/> (its full installment and fee, even when paid early), but never more than the payoff
    /// total: when that period is the last, paying it is paying off, which owes only the interest accrued so far.
    /// Zero is <c>nothing_owed</c>.</item>
    /// <item><see cref="RepaymentKind.Payoff"/>: <see cref="PayoffQuote.Of"/>'s total; zero is <c>nothing_owed</c>.</item>
    /// <item><see cref="RepaymentKind.Amount"/>: <paramref name="requestedAmount"/>, refused when missing
    /// (<c>amount_required</c>), not positive (<c>amount_not_positive</c>) or above the payoff total
    /// (<c>amount_above_payoff</c>).</item>
    /// </list>
    /// A requested amount with any other kind is refused (<c>amount_not_expected</c>): those amounts are ours to work out.
    /// </summary>
    public static RepaymentAmountResult For(
        RepaymentKind kind, IReadOnlyList<LoanPeriod> periods, decimal annualRate, DateOnly disbursedOn, DateOnly on, long? requestedAmount = null)
    {
        if (!Enum.IsDefined(kind))
        {
            throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown repayment kind.");
        }

        if (kind != RepaymentKind.Amount && requestedAmount is not null)
        {
            return Refuse(RepaymentAmountRefusals.AmountNotExpected);
        }

        var ordered = LoanPeriods.Ordered(periods, disbursedOn, on);
        var payoff = PayoffQuote.Of(ordered, annualRate, disbursedOn, on).Total;
        var overdue = ordered.Where(p => p.DueDate < on).Sum(p => p.Outstanding.Total);
        switch (kind)
        {
            case RepaymentKind.Overdue:
                return overdue > 0 ? Ask(overdue) : Refuse(RepaymentAmountRefusals.NothingOverdue);

            case RepaymentKind.NextDue:
                var next = ordered.FirstOrDefault(p => p.DueDate >= on && !p.Settled)?.Outstanding.Total ?? 0;
                var nextDue = Math.Min(checked(overdue + next), payoff);
                return nextDue > 0 ? Ask(nextDue) : Refuse(RepaymentAmountRefusals.NothingOwed);

            case RepaymentKind.Payoff:
                return payoff > 0 ? Ask(payoff) : Refuse(RepaymentAmountRefusals.NothingOwed);

            default:
                return requestedAmount switch
                {
                    null => Refuse(RepaymentAmountRefusals.AmountRequired),
                    <= 0 => Refuse(RepaymentAmountRefusals.AmountNotPositive),
                    var amount when amount > payoff => Refuse(RepaymentAmountRefusals.AmountAbovePayoff),
                    var amount => Ask(amount.Value),
                };
        }
    }

    /// <summary>
    /// What a repayment of a written-off loan asks for: the schedule no longer counts, only what was written off and
    /// not yet recovered (<paramref name="stillOwed"/>), all of it past due. Every kind but
    /// <see cref="RepaymentKind.Amount"/> asks for all of it (none is <c>nothing_owed</c>); an amount is at most it
    /// (<c>amount_above_payoff</c>).
    /// </summary>
    public static RepaymentAmountResult ForWrittenOff(RepaymentKind kind, long stillOwed, long? requestedAmount = null)
    {
        if (!Enum.IsDefined(kind))
        {
            throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown repayment kind.");
        }

        ArgumentOutOfRangeException.ThrowIfNegative(stillOwed);
        return kind switch
        {
            RepaymentKind.Amount => requestedAmount switch
            {
                null => Refuse(RepaymentAmountRefusals.AmountRequired),
                <= 0 => Refuse(RepaymentAmountRefusals.AmountNotPositive),
                var amount when amount > stillOwed => Refuse(RepaymentAmountRefusals.AmountAbovePayoff),
                var amount => Ask(amount.Value),
            },
            _ when requestedAmount is not null => Refuse(RepaymentAmountRefusals.AmountNotExpected),
            _ => stillOwed > 0 ? Ask(stillOwed) : Refuse(RepaymentAmountRefusals.NothingOwed),
        };
    }

    private static RepaymentAmountResult Ask(long amount) => new(amount, null);

    private static RepaymentAmountResult Refuse(string code) => new(0, code);
}
