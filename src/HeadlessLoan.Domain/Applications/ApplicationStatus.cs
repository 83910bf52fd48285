namespace HeadlessLoan.Domain.Applications;

/// <summary>Where an application stands in its lifecycle; <see cref="ApplicationLifecycle.Next"/> says how it moves.</summary>
public enum ApplicationStatus
{
    /// <summary>Created; documents and consent are being added.</summary>
    Draft,

    /// <summary>Complete and handed to the automatic credit check.</summary>
    Submitted,

    /// <summary>Referred by the credit check to people; an approval round decides it.</summary>
    PendingApproval,

    Approved,

    Rejected,

    /// <summary>Sent back by a reviewer for more documents: editable like a draft, and submitted again.</summary>
    Returned,

    /// <summary>The credit check failed on it too often and stopped trying; staff look into it and retry it.</summary>
    IntakeFailed,
}

/// <summary>
/// The stored and answered names of <see cref="ApplicationStatus"/> and of the step each status shows. The names are
/// the database's and the contract's: they never change, whatever the enum members are called.
/// </summary>
public static class ApplicationStatusNames
{
    public const string Draft = "draft";
    public const string Submitted = "submitted";
    public const string PendingApproval = "pending_approval";
    public const string Approved = "approved";
    public const string Rejected = "rejected";
    public const string Returned = "returned";
    public const string IntakeFailed = "intake_failed";

    public const string StepDocuments = "documents";
    public const string StepCreditCheck = "credit_check";
    public const string StepApproval = "approval";
    public const string StepApproved = "approved";
    public const string StepRejected = "rejected";

    /// <summary>Every status name, in lifecycle order (the values a status filter accepts).</summary>
    public static IReadOnlyList<string> All { get; } =
        Array.AsReadOnly([Draft, Submitted, PendingApproval, Approved, Rejected, Returned, IntakeFailed]);

    public static string ToWire(this ApplicationStatus status) => status switch
    {
        ApplicationStatus.Draft => Draft,
        ApplicationStatus.Submitted => Submitted,
        ApplicationStatus.PendingApproval => PendingApproval,
        ApplicationStatus.Approved => Approved,
        ApplicationStatus.Rejected => Rejected,
        ApplicationStatus.Returned => Returned,
        ApplicationStatus.IntakeFailed => IntakeFailed,
        _ => throw new ArgumentOutOfRangeException(nameof(status), status, "Unknown application status."),
    };

    /// <summary>The step an application in <paramref name="status"/> shows: it follows from the status alone.</summary>
    public static string StepOf(this ApplicationStatus status) => status switch
    {
        ApplicationStatus.Draft or ApplicationStatus.Returned => StepDocuments,
        ApplicationStatus.Submitted or ApplicationStatus.IntakeFailed => StepCreditCheck,
        ApplicationStatus.PendingApproval => StepApproval,
        ApplicationStatus.Approved => StepApproved,
        ApplicationStatus.Rejected => StepRejected,
        _ => throw new ArgumentOutOfRangeException(nameof(status), status, "Unknown application status."),
    };

    public static bool TryParse(string? wire, out ApplicationStatus status)
    {
        switch (wire)
        {
            case Draft: status = ApplicationStatus.Draft; return true;
            case Submitted: status = ApplicationStatus.Submitted; return true;
            case PendingApproval: status = ApplicationStatus.PendingApproval; return true;
            case Approved: status = ApplicationStatus.Approved; return true;
            case Rejected: status = ApplicationStatus.Rejected; return true;
            case Returned: status = ApplicationStatus.Returned; return true;
            case IntakeFailed: status = ApplicationStatus.IntakeFailed; return true;
            default: status = default; return false;
        }
    }

    /// <summary>A stored status; anything else in the column is a fault, not input.</summary>
    public static ApplicationStatus Parse(string wire) =>
        TryParse(wire, out var status) ? status : throw new FormatException($"'{wire}' is not an application status.");
}
