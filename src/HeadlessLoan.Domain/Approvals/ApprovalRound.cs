using HeadlessLoan.Domain.Applications;

namespace HeadlessLoan.Domain.Approvals;

/// <summary>What a reviewer says on a task.</summary>
public enum Verdict { Approve, Reject, Return }

/// <summary>How an approval round ends; its wire name is the application status it leads to.</summary>
public enum RoundOutcome { Approved, Rejected, Returned }

public enum RoundProgressKind
{
    /// <summary>Other approvers of the step have still to approve.</summary>
    Wait,

    /// <summary>The step is complete and another follows: <see cref="RoundProgress.NextStep"/> opens.</summary>
    OpenStep,

    /// <summary>The round is over with <see cref="RoundProgress.Outcome"/>.</summary>
    Finished,
}

/// <summary>Where a round goes after a verdict.</summary>
public readonly record struct RoundProgress(RoundProgressKind Kind, int NextStep = 0, RoundOutcome Outcome = default)
{
    public static RoundProgress Wait { get; } = new(RoundProgressKind.Wait);

    public static RoundProgress Open(int step) => new(RoundProgressKind.OpenStep, NextStep: step);

    public static RoundProgress Finish(RoundOutcome outcome) => new(RoundProgressKind.Finished, Outcome: outcome);
}

/// <summary>
/// The course of one approval round: a step ends when all its approvers approved, the round when its last step ended
/// or when anyone rejects or returns. Pure: the store counts the step's tasks under its locks and persists the answer.
/// </summary>
public static class ApprovalRound
{
    /// <summary>Only an approval needs to know how many tasks of the step are left; a rejection or a return ends the round anyway.</summary>
    public static bool NeedsStepCount(Verdict verdict) => verdict == Verdict.Approve;

    /// <summary>
    /// After <paramref name="verdict"/> on a task of step <paramref name="stepNo"/> (1-based) of <paramref name="stepCount"/>,
    /// with <paramref name="undecidedInStep"/> tasks of that step not approved once this verdict is recorded.
    /// </summary>
    public static RoundProgress AfterVerdict(Verdict verdict, int stepNo, int stepCount, int undecidedInStep)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(stepNo, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(stepNo, stepCount);
        ArgumentOutOfRangeException.ThrowIfNegative(undecidedInStep);
        return verdict switch
        {
            Verdict.Approve when undecidedInStep > 0 => RoundProgress.Wait,
            Verdict.Approve when stepNo < stepCount => RoundProgress.Open(stepNo + 1),
            Verdict.Approve => RoundProgress.Finish(RoundOutcome.Approved),
            Verdict.Reject => RoundProgress.Finish(RoundOutcome.Rejected),
            Verdict.Return => RoundProgress.Finish(RoundOutcome.Returned),
            _ => throw new ArgumentOutOfRangeException(nameof(verdict), verdict, "Unknown verdict."),
        };
    }

    /// <summary>A special approval ends the round approved whatever steps remain.</summary>
    public static RoundProgress SpecialApproval() => RoundProgress.Finish(RoundOutcome.Approved);

    /// <summary>What the round's end is to the application's lifecycle.</summary>
    public static ApplicationEvent EventOf(RoundOutcome outcome) => outcome switch
    {
        RoundOutcome.Approved => ApplicationEvent.Approve,
        RoundOutcome.Rejected => ApplicationEvent.Reject,
        RoundOutcome.Returned => ApplicationEvent.ReturnForDocuments,
        _ => throw new ArgumentOutOfRangeException(nameof(outcome), outcome, "Unknown round outcome."),
    };

    /// <summary>As stored on the round and as the application's decision: the name of the status the round leads to.</summary>
    public static string ToWire(this RoundOutcome outcome) => outcome switch
    {
        RoundOutcome.Approved => ApplicationStatusNames.Approved,
        RoundOutcome.Rejected => ApplicationStatusNames.Rejected,
        RoundOutcome.Returned => ApplicationStatusNames.Returned,
        _ => throw new ArgumentOutOfRangeException(nameof(outcome), outcome, "Unknown round outcome."),
    };
}
