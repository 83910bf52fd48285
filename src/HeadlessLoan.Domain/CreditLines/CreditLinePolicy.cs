namespace HeadlessLoan.Domain.CreditLines;

/// <summary>
/// How a borrower's credit line is set and moves, one version of the rules (they are versioned, and every line says
/// which version last moved it). Amounts in fen; percentages as fractions (0.2 = 20 %).
/// </summary>
/// <param name="Version">The rules' version.</param>
/// <param name="InitialFactor">The first line: the first approved amount times this.</param>
/// <param name="RaiseAfterOnTime">A raise after this many on-time repayments in a row.</param>
/// <param name="RaiseShare">A raise adds this share of the line.</param>
/// <param name="CutShare">An overdue loan takes this share off the line.</param>
/// <param name="MaxLimit">No line above this.</param>
/// <param name="RoundTo">Lines are multiples of this (100 yuan = 10,000 fen by default), rounded down.</param>
public sealed record CreditLineRules(int Version, decimal InitialFactor, int RaiseAfterOnTime, decimal RaiseShare, decimal CutShare, long MaxLimit, long RoundTo = 10_000)
{
    /// <summary>Why the rules are not usable, or null: every setting within its range.</summary>
    public string? Problem() =>
        Version < 1 ? "version must be at least 1"
        : InitialFactor is <= 0 or > 10 ? "initialFactor must be above 0 and at most 10"
        : RaiseAfterOnTime is < 1 or > 120 ? "raiseAfterOnTime must be between 1 and 120"
        : RaiseShare is < 0 or > 1 ? "raiseShare must be between 0 and 1"
        : CutShare is < 0 or > 1 ? "cutShare must be between 0 and 1"
        : MaxLimit < RoundTo ? "maxLimit must be at least one roundTo"
        : RoundTo < 1 ? "roundTo must be at least 1 fen"
        : null;
}

/// <summary>A borrower's credit line: its limit and the on-time repayments in a row since it last moved.</summary>
public sealed record CreditLine(long Limit, int OnTimeStreak, int RulesVersion);

/// <summary>What happened that may move a credit line.</summary>
public enum CreditLineEvent
{
    /// <summary>A period paid in full on or before its due date.</summary>
    OnTimeRepayment,

    /// <summary>A loan of the borrower fell overdue.</summary>
    WentOverdue,
}

/// <summary>Why a line moved: the audited reason of a change.</summary>
public static class CreditLineReasons
{
    public const string FirstApproval = "first_approval";
    public const string OnTimeStreak = "on_time_streak";
    public const string Overdue = "overdue";
}

/// <summary>A line after an event, and the reason it moved (null when its limit did not).</summary>
public sealed record CreditLineChange(CreditLine Line, string? Reason)
{
    public bool Moved => Reason is not null;
}

/// <summary>The credit line rules as pure functions: the first line, and each event's effect, to the fen.</summary>
public static class CreditLinePolicy
{
    /// <summary>The first line, from the first approved amount.</summary>
    public static CreditLineChange First(CreditLineRules rules, long approvedAmount)
    {
        ArgumentNullException.ThrowIfNull(rules);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(approvedAmount);
        return new CreditLineChange(new CreditLine(Bounded(rules, approvedAmount * rules.InitialFactor), 0, rules.Version), CreditLineReasons.FirstApproval);
    }

    /// <summary>
    /// An on-time repayment adds to the streak; the streak reaching <see cref="CreditLineRules.RaiseAfterOnTime"/>
    /// raises the line by <see cref="CreditLineRules.RaiseShare"/> (up to the maximum) and starts a new streak. Going
    /// overdue cuts it by <see cref="CreditLineRules.CutShare"/> and ends the streak.
    /// </summary>
    public static CreditLineChange Next(CreditLine line, CreditLineRules rules, CreditLineEvent happened)
    {
        ArgumentNullException.ThrowIfNull(line);
        ArgumentNullException.ThrowIfNull(rules);
        switch (happened)
        {
            case CreditLineEvent.OnTimeRepayment:
                var streak = line.OnTimeStreak + 1;
                if (streak < rules.RaiseAfterOnTime)
                {
                    return new CreditLineChange(line with { OnTimeStreak = streak }, null);
                }

                var raised = Bounded(rules, line.Limit * (1 + rules.RaiseShare));
                return new CreditLineChange(new CreditLine(Math.Max(raised, line.Limit), 0, rules.Version),
                    raised > line.Limit ? CreditLineReasons.OnTimeStreak : null);

            case CreditLineEvent.WentOverdue:
                var cut = RoundDown(rules, line.Limit * (1 - rules.CutShare));
                return new CreditLineChange(new CreditLine(Math.Min(cut, line.Limit), 0, rules.Version), cut < line.Limit ? CreditLineReasons.Overdue : null);

            default:
                throw new ArgumentOutOfRangeException(nameof(happened), happened, "Unknown credit line event.");
        }
    }

    /// <summary>What of the line is free: the limit less the principal still owed on the borrower's loans, never negative.</summary>
    public static long Available(CreditLine line, long principalOwed)
    {
        ArgumentNullException.ThrowIfNull(line);
        return Math.Max(0, line.Limit - principalOwed);
    }

    private static long Bounded(CreditLineRules rules, decimal amount) => Math.Min(RoundDown(rules, amount), RoundDown(rules, rules.MaxLimit));

    private static long RoundDown(CreditLineRules rules, decimal amount) => (long)decimal.Floor(amount / rules.RoundTo) * rules.RoundTo;
}
