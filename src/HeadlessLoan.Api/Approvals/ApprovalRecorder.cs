using System.Text.Json;
using Dapper;
using HeadlessLoan.Api.Audit;
using MySqlConnector;

namespace HeadlessLoan.Api.Approvals;

/// <summary>Who made a change: a member of staff, or the system (the router, the escalation job).</summary>
public sealed record ChangeActor(string Kind, string Id)
{
    public static ChangeActor System { get; } = new("system", "approvals");

    public static ChangeActor Staff(Guid id) => new("staff", id.ToString());
}

/// <summary>One recorded change of the approval workflow: an event for other systems, with what it was before and after.</summary>
public sealed record ApprovalChange(
    ChangeActor Actor, string Action, string EntityType, string EntityId, object? Before, object? After, bool Flagged = false);

/// <summary>
/// The one place where approval changes are recorded, always inside the transaction of the change itself: the outbox
/// event that announces it and the audit record, written through the same connection and transaction.
/// </summary>
public sealed class ApprovalRecorder(AuditTrail audit)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public async Task RecordAsync(MySqlConnection conn, MySqlTransaction tx, ApprovalChange change, DateTime now, CancellationToken ct)
    {
        await conn.ExecuteAsync(new CommandDefinition(
            "INSERT INTO outbox_events (event_type, entity_id, payload, occurred_at) VALUES (@type, @id, @payload, @now)",
            new
            {
                type = change.Action,
                id = change.EntityId,
                payload = JsonSerializer.Serialize(new { actor = change.Actor, entity = change.EntityType, before = change.Before, after = change.After, flagged = change.Flagged }, Json),
                now,
            },
            tx, cancellationToken: ct));
        await audit.AppendAsync(conn, tx, new AuditEntry(new AuditActor(change.Actor.Kind, change.Actor.Id), change.Action,
            change.EntityType, change.EntityId, change.Before, change.After, change.Flagged), ct);
    }
}
