using System.Text.Json;
using HeadlessLoan.Api.Platform.Audit;
using HeadlessLoan.Api.Platform.Database;
using MySqlConnector;

namespace HeadlessLoan.Api.Features.Approvals;

/// <summary>One recorded change of the approval workflow: an event for other systems, with what it was before and after.</summary>
public sealed record ApprovalChange(
    AuditActor Actor, string Action, string EntityType, string EntityId, object? Before, object? After, bool Flagged = false);

/// <summary>
/// The one place where approval changes are recorded, always inside the transaction of the change itself: the outbox
/// event that announces it and the audit record, written through the same connection and transaction.
/// </summary>
public sealed class ApprovalRecorder(AuditTrail audit)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>The workflow's own jobs (the router, the escalation job) as an actor.</summary>
    public static AuditActor SystemActor { get; } = new(AuditActor.SystemKind, "approvals");

    public Task RecordAsync(MySqlConnection conn, MySqlTransaction tx, ApprovalChange change, DateTime now, CancellationToken ct)
    {
        var (auditSql, record) = audit.Prepare(new AuditEntry(change.Actor, change.Action, change.EntityType, change.EntityId,
            change.Before, change.After, change.Flagged));
        var payload = JsonSerializer.Serialize(new { actor = change.Actor, entity = change.EntityType, before = change.Before, after = change.After, flagged = change.Flagged }, Json);
        // The event and the audit record in one round trip.
        return DbChange.WriteTogetherAsync(conn, tx,
            [(DbChange.OutboxSql, new OutboxRow(change.Action, change.EntityId, payload, now)), (auditSql, record)], ct);
    }
}
