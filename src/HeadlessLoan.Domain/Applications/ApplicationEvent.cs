namespace HeadlessLoan.Domain.Applications;

/// <summary>What can happen to an application; each is decided against its status by <see cref="ApplicationLifecycle.Next"/>.</summary>
public enum ApplicationEvent
{
    /// <summary>A document upload or a consent: the applicant is still putting the application together.</summary>
    EditDocuments,

    /// <summary>Submit of a complete draft, or submit again after a return for documents.</summary>
    Submit,

    /// <summary>The credit check leases a submitted application so that only one worker decides it.</summary>
    LeaseForDecision,

    /// <summary>The credit check approves on its own.</summary>
    AutoApprove,

    /// <summary>The credit check rejects on its own.</summary>
    AutoReject,

    /// <summary>The credit check cannot decide alone and refers the application to people.</summary>
    ReferToPeople,

    /// <summary>The credit check failed on the application as many times as it may: it stops trying until staff retry it.</summary>
    ParkIntake,

    /// <summary>Staff hand a parked application back to the credit check, with its attempts counted afresh.</summary>
    RetryIntake,

    /// <summary>An approval round is opened under the policy.</summary>
    RouteForApproval,

    /// <summary>A reviewer claims or decides a task of the round without ending it.</summary>
    ReviewTask,

    /// <summary>The round ends approved: its last step approved, or a special approval.</summary>
    Approve,

    /// <summary>A reviewer rejects: the round ends.</summary>
    Reject,

    /// <summary>A reviewer returns the application for documents: the round ends and the applicant edits again.</summary>
    ReturnForDocuments,

    /// <summary>Staff assign a loan officer; the status does not matter to who looks after the application.</summary>
    AssignLoanOfficer,
}
