using HeadlessLoan.Domain.Applications;
using HeadlessLoan.Domain.Approvals;

namespace HeadlessLoan.Domain.Tests.Approvals;

public sealed class ApprovalRoundTests
{
    [Theory]
    [InlineData(1, 1, 1, RoundProgressKind.Wait, 0)] // one of two approvers of the only step
    [InlineData(1, 1, 0, RoundProgressKind.Finished, 0)] // the only step complete
    [InlineData(1, 2, 0, RoundProgressKind.OpenStep, 2)]
    [InlineData(1, 2, 2, RoundProgressKind.Wait, 0)]
    [InlineData(2, 3, 0, RoundProgressKind.OpenStep, 3)]
    [InlineData(3, 3, 1, RoundProgressKind.Wait, 0)]
    [InlineData(3, 3, 0, RoundProgressKind.Finished, 0)] // the last step complete
    public void AnApprovalWaitsForTheStepThenOpensTheNextOrFinishesApproved(int stepNo, int stepCount, int left, RoundProgressKind kind, int next)
    {
        var progress = ApprovalRound.AfterVerdict(Verdict.Approve, stepNo, stepCount, left);

        Assert.Equal(kind, progress.Kind);
        Assert.Equal(next, progress.NextStep);
        if (kind == RoundProgressKind.Finished)
        {
            Assert.Equal(RoundOutcome.Approved, progress.Outcome);
        }
    }

    [Theory]
    [InlineData(Verdict.Reject, RoundOutcome.Rejected)]
    [InlineData(Verdict.Return, RoundOutcome.Returned)]
    public void ARejectionOrAReturnEndsTheRoundAtAnyStep(Verdict verdict, RoundOutcome outcome)
    {
        for (var step = 1; step <= 3; step++)
        {
            foreach (var left in new[] { 0, 2 })
            {
                Assert.Equal(RoundProgress.Finish(outcome), ApprovalRound.AfterVerdict(verdict, step, 3, left));
            }
        }
    }

    [Fact]
    public void OnlyAnApprovalNeedsTheStepCount()
    {
        Assert.True(ApprovalRound.NeedsStepCount(Verdict.Approve));
        Assert.False(ApprovalRound.NeedsStepCount(Verdict.Reject));
        Assert.False(ApprovalRound.NeedsStepCount(Verdict.Return));
    }

    [Fact]
    public void ASpecialApprovalFinishesApproved() =>
        Assert.Equal(RoundProgress.Finish(RoundOutcome.Approved), ApprovalRound.SpecialApproval());

    [Theory]
    [InlineData(0, 1, 0)]
    [InlineData(2, 1, 0)]
    [InlineData(1, 1, -1)]
    public void ImpossibleRoundsAreFaults(int stepNo, int stepCount, int left) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => ApprovalRound.AfterVerdict(Verdict.Approve, stepNo, stepCount, left));

    /// <summary>Each end of a round is an event the lifecycle allows from pending approval, leading to the status of its name.</summary>
    [Theory]
    [InlineData(RoundOutcome.Approved, "approved")]
    [InlineData(RoundOutcome.Rejected, "rejected")]
    [InlineData(RoundOutcome.Returned, "returned")]
    public void EachOutcomeLeadsThePendingApplicationToTheStatusOfItsName(RoundOutcome outcome, string wire)
    {
        var transition = ApplicationLifecycle.Next(ApplicationStatus.PendingApproval, ApprovalRound.EventOf(outcome));

        Assert.True(transition.Allowed);
        Assert.Equal(wire, transition.Next.ToWire());
        Assert.Equal(wire, outcome.ToWire());
    }
}
