using HeadlessLoan.Domain.Applications;
using HeadlessLoan.Domain.Decisions;

using HeadlessLoan.Domain.Tests.Lifecycles;

namespace HeadlessLoan.Domain.Tests.Applications;

public sealed class ApplicationLifecycleTests
{
    /// <summary>The columns of <see cref="Table"/>, in this order.</summary>
    private static readonly ApplicationStatus[] Columns =
    [
        ApplicationStatus.Draft, ApplicationStatus.Submitted, ApplicationStatus.PendingApproval,
        ApplicationStatus.Approved, ApplicationStatus.Rejected, ApplicationStatus.Returned, ApplicationStatus.IntakeFailed,
    ];

    private const string NotDraft = "!application_not_draft";
    private const string NotSubmitted = "!application_not_submitted";
    private const string NotPending = "!application_not_pending";
    private const string NotParked = "!application_not_intake_failed";

    /// <summary>
    /// The whole lifecycle: for each event, what it does in each status of <see cref="Columns"/> — the wire name of the
    /// next status, or <c>!</c> and the refusal code.
    /// </summary>
    private static readonly Dictionary<ApplicationEvent, string[]> Rows = new()
    {
        //                                             draft         submitted           pending_approval    approved      rejected      returned      intake_failed
        [ApplicationEvent.EditDocuments] =            ["draft",      NotDraft,           NotDraft,           NotDraft,     NotDraft,     "returned",   NotDraft],
        [ApplicationEvent.Submit] =                   ["submitted",  NotDraft,           NotDraft,           NotDraft,     NotDraft,     "submitted",  NotDraft],
        [ApplicationEvent.LeaseForDecision] =         [NotSubmitted, "submitted",        NotSubmitted,       NotSubmitted, NotSubmitted, NotSubmitted, NotSubmitted],
        [ApplicationEvent.AutoApprove] =              [NotSubmitted, "approved",         NotSubmitted,       NotSubmitted, NotSubmitted, NotSubmitted, NotSubmitted],
        [ApplicationEvent.AutoReject] =               [NotSubmitted, "rejected",         NotSubmitted,       NotSubmitted, NotSubmitted, NotSubmitted, NotSubmitted],
        [ApplicationEvent.ReferToPeople] =            [NotSubmitted, "pending_approval", NotSubmitted,       NotSubmitted, NotSubmitted, NotSubmitted, NotSubmitted],
        [ApplicationEvent.ParkIntake] =               [NotSubmitted, "intake_failed",    NotSubmitted,       NotSubmitted, NotSubmitted, NotSubmitted, NotSubmitted],
        [ApplicationEvent.RetryIntake] =              [NotParked,    NotParked,          NotParked,          NotParked,    NotParked,    NotParked,    "submitted"],
        [ApplicationEvent.RouteForApproval] =         [NotPending,   NotPending,         "pending_approval", NotPending,   NotPending,   NotPending,   NotPending],
        [ApplicationEvent.ReviewTask] =               [NotPending,   NotPending,         "pending_approval", NotPending,   NotPending,   NotPending,   NotPending],
        [ApplicationEvent.Approve] =                  [NotPending,   NotPending,         "approved",         NotPending,   NotPending,   NotPending,   NotPending],
        [ApplicationEvent.Reject] =                   [NotPending,   NotPending,         "rejected",         NotPending,   NotPending,   NotPending,   NotPending],
        [ApplicationEvent.ReturnForDocuments] =       [NotPending,   NotPending,         "returned",         NotPending,   NotPending,   NotPending,   NotPending],
        [ApplicationEvent.AssignLoanOfficer] =        ["draft",      "submitted",        "pending_approval", "approved",   "rejected",   "returned",   "intake_failed"],
    };

    private static readonly LifecycleTable<ApplicationStatus, ApplicationEvent> Table = new(Columns, Rows);

    public static TheoryData<ApplicationStatus, ApplicationEvent> EveryPair() => Table.EveryPair();

    [Theory]
    [MemberData(nameof(EveryPair))]
    public void EveryStatusAndEventPairHasTheDecisionOfTheTable(ApplicationStatus status, ApplicationEvent happened)
    {
        var transition = ApplicationLifecycle.Next(status, happened);

        Assert.Equal(transition.Refusal is null, transition.Allowed);
        Table.AssertCell(status, happened, transition.Next, transition.Refusal, s => s.ToWire());
    }

    [Fact]
    public void TheTableHasExactlyOneCellPerPair() => Table.AssertOneCellPerPair();

    [Fact]
    public void WireNamesAreTheStoredOnesAndParseBack()
    {
        Assert.Equal(["draft", "submitted", "pending_approval", "approved", "rejected", "returned", "intake_failed"], ApplicationStatusNames.All);
        foreach (var status in Enum.GetValues<ApplicationStatus>())
        {
            Assert.True(ApplicationStatusNames.TryParse(status.ToWire(), out var parsed));
            Assert.Equal(status, parsed);
        }

        Assert.False(ApplicationStatusNames.TryParse("Draft", out _));
        Assert.False(ApplicationStatusNames.TryParse(null, out _));
        Assert.Throws<FormatException>(() => ApplicationStatusNames.Parse("cancelled"));
    }

    [Theory]
    [InlineData(ApplicationStatus.Draft, "documents")]
    [InlineData(ApplicationStatus.Submitted, "credit_check")]
    [InlineData(ApplicationStatus.PendingApproval, "approval")]
    [InlineData(ApplicationStatus.Approved, "approved")]
    [InlineData(ApplicationStatus.Rejected, "rejected")]
    [InlineData(ApplicationStatus.Returned, "documents")]
    [InlineData(ApplicationStatus.IntakeFailed, "credit_check")]
    public void EachStatusShowsItsStep(ApplicationStatus status, string step) => Assert.Equal(step, status.StepOf());

    [Fact]
    public void FromListsTheStatusesAnEventIsAllowedIn()
    {
        Assert.Equal([ApplicationStatus.Submitted], ApplicationLifecycle.From(ApplicationEvent.LeaseForDecision));
        Assert.Equal([ApplicationStatus.Draft, ApplicationStatus.Returned], ApplicationLifecycle.From(ApplicationEvent.Submit));
        Assert.Equal(Enum.GetValues<ApplicationStatus>(), ApplicationLifecycle.From(ApplicationEvent.AssignLoanOfficer));
    }

    [Theory]
    [InlineData(DecisionOutcome.AutoApproved, ApplicationEvent.AutoApprove)]
    [InlineData(DecisionOutcome.AutoRejected, ApplicationEvent.AutoReject)]
    [InlineData(DecisionOutcome.PendingApproval, ApplicationEvent.ReferToPeople)]
    public void EachCreditCheckOutcomeIsAnEvent(DecisionOutcome outcome, ApplicationEvent happened) =>
        Assert.Equal(happened, ApplicationLifecycle.EventOf(outcome));

    [Fact]
    public void UnknownValuesAreFaults()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => ApplicationLifecycle.Next((ApplicationStatus)99, ApplicationEvent.Submit));
        Assert.Throws<ArgumentOutOfRangeException>(() => ApplicationLifecycle.Next(ApplicationStatus.Draft, (ApplicationEvent)99));
        Assert.Throws<ArgumentOutOfRangeException>(() => ((ApplicationStatus)99).ToWire());
    }
}
