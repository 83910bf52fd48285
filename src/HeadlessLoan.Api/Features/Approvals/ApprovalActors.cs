using HeadlessLoan.Api.Platform.Audit;

namespace HeadlessLoan.Api.Features.Approvals;

public static class ApprovalActors
{
    /// <summary>The workflow's own jobs (the router, the escalation job) as an actor.</summary>
    public static AuditActor System { get; } = new(AuditActor.SystemKind, "approvals");
}
