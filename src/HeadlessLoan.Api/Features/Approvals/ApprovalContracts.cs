using HeadlessLoan.Api.Platform;
namespace HeadlessLoan.Api.Features.Approvals;

public enum TaskDecision { Approve, Reject, Return }

/// <summary>What a member of staff is to an applicant; which kinds bar deciding is configured (<c>Approvals:BlockingRelationKinds</c>).</summary>
public enum RelationKind { Self, Family, Business, Other }

public sealed record ApprovalStepBody(string? Role, int? Approvers);

public sealed record ApprovalRuleBody(Guid? ProductId, long? AmountFrom, long? AmountBelow, int? ScoreFrom, int? ScoreBelow, IReadOnlyList<ApprovalStepBody>? Steps);

public sealed record ChangeApprovalPolicyRequest(string? Note, IReadOnlyList<ApprovalRuleBody>? Rules);

public sealed record ApprovalStepResponse(string Role, int Approvers);

public sealed record ApprovalRuleResponse(
    int Position, Guid? ProductId, long? AmountFrom, long? AmountBelow, int? ScoreFrom, int? ScoreBelow, IReadOnlyList<ApprovalStepResponse> Steps);

public sealed record ApprovalPolicyResponse(int Version, string Note, DateTimeOffset CreatedAt, Guid? CreatedBy, IReadOnlyList<ApprovalRuleResponse> Rules);

public sealed record DecideTaskRequest(TaskDecision? Decision, string? ReasonCode, string? Comment);

/// <summary>The application behind a task, personal data masked.</summary>
public sealed record ApprovalTaskApplication(
    Guid Id, string Status, long Amount, Guid ProductId, string Name, string RegionCode, int? BureauScore, DateTimeOffset? SubmittedAt);

public sealed record ApprovalTaskResponse(
    Guid Id,
    Guid ApplicationId,
    int Round,
    int StepNumber,
    int StepCount,
    int Slot,
    string Role,
    string Status,
    Guid? ClaimedBy,
    DateTimeOffset? ClaimedAt,
    Guid? DecidedBy,
    DateTimeOffset? DecidedAt,
    string? Decision,
    string? ReasonCode,
    string? Comment,
    bool Escalated,
    DateTimeOffset? EscalatedAt,
    DateTimeOffset CreatedAt,
    long AgeSeconds,
    ApprovalTaskApplication Application);

public sealed record ApprovalTaskListResponse(IReadOnlyList<ApprovalTaskResponse> Items, string? NextCursor);

/// <summary>One task of the application's history, as staff see it: who decided what, when and why.</summary>
public sealed record ApprovalHistoryItem(
    Guid TaskId, int Round, int StepNumber, int Slot, string Role, string Status, Guid? DecidedBy, DateTimeOffset? DecidedAt,
    string? Decision, string? ReasonCode, string? Comment, DateTimeOffset CreatedAt);

public sealed record ApprovalTaskDetailResponse(ApprovalTaskResponse Task, IReadOnlyList<ApprovalHistoryItem> History);

/// <summary>The applicant's personal data in clear, for the roles that need it; every answer is recorded.</summary>
public sealed record UnmaskedApplicantResponse(
    Guid ApplicationId, string DeclaredName, string DeclaredAddress, string? IdNumber, string? IdName, string? CardNumber);

public sealed record SpecialApprovalRequest(string? Reason);

public sealed record SpecialApprovalResponse(Guid ApplicationId, string Status, Guid ApprovedBy, string Reason, bool Flagged, DateTimeOffset ApprovedAt);

public sealed record AssignLoanOfficerRequest(Guid? StaffId);

public sealed record LoanOfficerResponse(Guid ApplicationId, Guid StaffId, DateTimeOffset AssignedAt);

public sealed record CreateStaffRelationRequest(RelationKind? Kind, Guid? BorrowerId, string? IdNumber, string? Note);

public sealed record StaffRelationResponse(
    Guid Id, Guid StaffId, RelationKind Kind, Guid? BorrowerId, string MatchedBy, string? Note, DateTimeOffset CreatedAt, Guid CreatedBy);

public sealed record StaffRelationListResponse(IReadOnlyList<StaffRelationResponse> Items);

/// <summary>Shown to everyone who may read a pending application, the borrower included: never who approves.</summary>
[FeatureApi]
public sealed record ApprovalProgressResponse(int StepNumber, int StepCount, DateTimeOffset WaitingSince, int EstimatedWaitMinutes);
