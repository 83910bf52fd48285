using HeadlessLoan.Domain.Loans;
using HeadlessLoan.Domain.Overdue;

namespace HeadlessLoan.Domain.Collections;

/// <summary>The stable codes of refused write-offs.</summary>
public static class WriteOffRefusals
{
    /// <summary>Only a loan classified 损失 (loss) is written off.</summary>
    public const string NotLoss = "loan_not_loss";

    /// <summary>Nobody approves their own proposal.</summary>
    public const string SamePerson = "four_eyes_same_person";

    /// <summary>The approver holds a role no higher than the proposer's.</summary>
    public const string NotSenior = "write_off_needs_senior_approver";
}

/// <summary>
/// When a loan may be given up as a loss, and who may decide it: an overdue loan classified 损失 (the 2023 rules'
/// fifth tier: more than 360 days past due by default, or so classified by hand), proposed by one person and
/// approved by a second whose role is higher than the proposer's was when they proposed.
/// </summary>
public static class WriteOffRules
{
    /// <summary>Why the loan cannot be written off now, or null when it can.</summary>
    public static string? Refusal(LoanStatus status, RiskClass riskClass) =>
        LoanLifecycle.Next(status, LoanEvent.WriteOff).Refusal ?? (riskClass == RiskClass.Loss ? null : WriteOffRefusals.NotLoss);

    /// <summary>Why <paramref name="approver"/> may not approve a proposal of <paramref name="proposer"/>, or null when they may.</summary>
    public static string? ApprovalRefusal(Guid proposer, int proposerSeniority, Guid approver, int approverSeniority) =>
        proposer == approver ? WriteOffRefusals.SamePerson
        : approverSeniority <= proposerSeniority ? WriteOffRefusals.NotSenior
        : null;

    /// <summary>What may still be recovered of a written-off loan, and how a payment of <paramref name="amount"/> splits into recovery and the borrower's credit.</summary>
    public static (long Recovered, long Credit) Recovery(long writtenOff, long recoveredBefore, long amount)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(writtenOff);
        ArgumentOutOfRangeException.ThrowIfNegative(recoveredBefore);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(amount);
        var recovered = Math.Min(amount, Math.Max(0, writtenOff - recoveredBefore));
        return (recovered, amount - recovered);
    }
}
