namespace HeadlessLoan.Domain.Applications;

/// <summary>
/// The outcome of an event: the status it leads to, or a refusal with a stable code (the problem code the API answers
/// with where the refusal reaches a caller).
/// </summary>
public readonly record struct ApplicationTransition(ApplicationStatus Next, string? Refusal)
{
    public bool Allowed => Refusal is null;
}

/// <summary>The stable codes of refused transitions.</summary>
public static class ApplicationRefusals
{
    /// <summary>Edits and submit need a draft or a returned application.</summary>
    public const string NotDraft = "application_not_draft";

    /// <summary>Only a submitted application is leased and decided by the credit check.</summary>
    public const string NotSubmitted = "application_not_submitted";

    /// <summary>Approval work needs an application waiting for approval.</summary>
    public const string NotPending = "application_not_pending";

    /// <summary>Only an application the credit check gave up on is retried.</summary>
    public const string NotIntakeFailed = "application_not_intake_failed";
}

/// <summary>
/// The application lifecycle as one pure function: every status × event pair has a decision here and nowhere else.
/// Stores lock the row, ask, and persist what it says.
/// </summary>
public static class ApplicationLifecycle
{
    public static ApplicationTransition Next(ApplicationStatus status, ApplicationEvent happened) => happened switch
    {
        ApplicationEvent.EditDocuments => IsEditable(status) ? Stay(status) : Refuse(status, ApplicationRefusals.NotDraft),
        ApplicationEvent.Submit => IsEditable(status) ? To(ApplicationStatus.Submitted) : Refuse(status, ApplicationRefusals.NotDraft),
        ApplicationEvent.LeaseForDecision => FromSubmitted(status, status),
        ApplicationEvent.AutoApprove => FromSubmitted(status, ApplicationStatus.Approved),
        ApplicationEvent.AutoReject => FromSubmitted(status, ApplicationStatus.Rejected),
        ApplicationEvent.ReferToPeople => FromSubmitted(status, ApplicationStatus.PendingApproval),
        ApplicationEvent.ParkIntake => FromSubmitted(status, ApplicationStatus.IntakeFailed),
        ApplicationEvent.RetryIntake => Known(status) == ApplicationStatus.IntakeFailed
            ? To(ApplicationStatus.Submitted)
            : Refuse(status, ApplicationRefusals.NotIntakeFailed),
        ApplicationEvent.RouteForApproval or ApplicationEvent.ReviewTask => FromPending(status, status),
        ApplicationEvent.Approve => FromPending(status, ApplicationStatus.Approved),
        ApplicationEvent.Reject => FromPending(status, ApplicationStatus.Rejected),
        ApplicationEvent.ReturnForDocuments => FromPending(status, ApplicationStatus.Returned),
        ApplicationEvent.AssignLoanOfficer => Stay(status),
        _ => throw new ArgumentOutOfRangeException(nameof(happened), happened, "Unknown application event."),
    };

    /// <summary>Whether <paramref name="happened"/> may happen now.</summary>
    public static bool Allows(ApplicationStatus status, ApplicationEvent happened) => Next(status, happened).Allowed;

    /// <summary>
    /// The statuses from which <paramref name="happened"/> is allowed: for statements that change rows they have not
    /// locked first and so put the rule in their WHERE clause.
    /// </summary>
    public static IReadOnlyList<ApplicationStatus> From(ApplicationEvent happened) =>
        Enum.GetValues<ApplicationStatus>().Where(s => Allows(s, happened)).ToArray();

    /// <summary>What the credit check's outcome is, as an event of the lifecycle.</summary>
    public static ApplicationEvent EventOf(Decisions.DecisionOutcome outcome) => outcome switch
    {
        Decisions.DecisionOutcome.AutoApproved => ApplicationEvent.AutoApprove,
        Decisions.DecisionOutcome.AutoRejected => ApplicationEvent.AutoReject,
        Decisions.DecisionOutcome.PendingApproval => ApplicationEvent.ReferToPeople,
        _ => throw new ArgumentOutOfRangeException(nameof(outcome), outcome, "Unknown decision outcome."),
    };

    private static bool IsEditable(ApplicationStatus status) => Known(status) is ApplicationStatus.Draft or ApplicationStatus.Returned;

    private static ApplicationTransition FromSubmitted(ApplicationStatus status, ApplicationStatus next) =>
        Known(status) == ApplicationStatus.Submitted ? To(next) : Refuse(status, ApplicationRefusals.NotSubmitted);

    private static ApplicationTransition FromPending(ApplicationStatus status, ApplicationStatus next) =>
        Known(status) == ApplicationStatus.PendingApproval ? To(next) : Refuse(status, ApplicationRefusals.NotPending);

    private static ApplicationTransition Stay(ApplicationStatus status) => To(Known(status));

    private static ApplicationTransition To(ApplicationStatus next) => new(next, null);

    private static ApplicationTransition Refuse(ApplicationStatus status, string code) => new(status, code);

    private static ApplicationStatus Known(ApplicationStatus status) =>
        Enum.IsDefined(status) ? status : throw new ArgumentOutOfRangeException(nameof(status), status, "Unknown application status.");
}
