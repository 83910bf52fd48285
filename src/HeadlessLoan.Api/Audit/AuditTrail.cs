using System.Diagnostics;
using System.Security.Claims;
using Dapper;
using HeadlessLoan.Api.Auth;
using HeadlessLoan.Api.Infrastructure.Database;
using MySqlConnector;

namespace HeadlessLoan.Api.Audit;

/// <summary>Who made a change: a member of staff, a channel, a borrower, or the system itself (a worker, start-up).</summary>
public sealed record AuditActor(string Kind, string Id)
{
    public const string StaffKind = "staff";
    public const string ChannelKind = "channel";
    public const string BorrowerKind = "borrower";
    public const string SystemKind = "system";

    public static readonly IReadOnlySet<string> Kinds = new HashSet<string>(StringComparer.Ordinal) { StaffKind, ChannelKind, BorrowerKind, SystemKind };

    public static AuditActor System { get; } = new(SystemKind, "system");

    /// <summary>The authenticated caller; an anonymous one cannot change anything that is audited.</summary>
    public static AuditActor From(ClaimsPrincipal user)
    {
        var kind = user.Kind();
        var id = user.Id();
        if (user.Identity?.IsAuthenticated != true || id is null || kind is not (Caller.Staff or Caller.Channel or Caller.Borrower))
        {
            throw new InvalidOperationException("Only an authenticated staff member, channel or borrower can be recorded as an actor.");
        }

        return new AuditActor(kind, id);
    }
}

/// <summary>
/// One decision or state change. <paramref name="Before"/> and <paramref name="After"/> are serialised canonically
/// (JSON objects, keys sorted) by the trail; pass them free of personal data — known personal or secret fields
/// are masked anyway. <paramref name="Flagged"/> marks what reports must show, e.g. a special approval or an unmasking.
/// </summary>
public sealed record AuditEntry(AuditActor Actor, string Action, string EntityType, string EntityId,
    object? Before, object? After, bool Flagged = false);

/// <summary>
/// Appends audit records inside the caller's transaction, so a change and its record commit or roll back together.
/// Each entity has its own hash chain: the writer locks only that entity's chain head, so writers of different
/// entities never wait for each other (a single global chain would serialise every change in the system).
/// </summary>
public sealed class AuditTrail(TimeProvider clock, IHttpContextAccessor http)
{
    public async Task AppendAsync(MySqlConnection connection, MySqlTransaction transaction, AuditEntry entry, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(entry);
        Validate(entry);
        var before = AuditJson.Canonical(entry.Before, nameof(entry.Before));
        var after = AuditJson.Canonical(entry.After, nameof(entry.After));
        var requestId = Activity.Current?.TraceId.ToString() ?? http.HttpContext?.TraceIdentifier;

        // Round trip 1: create the entity's head on first use and lock it either way (an exclusive lock on one
        // primary-key row: no gap locks, so new entities never collide); the locking read sees the latest committed tip.
        var head = await connection.QuerySingleAsync<(int EntitySeq, string Hash)>(new CommandDefinition(LockHeadSql,
            new { type = entry.EntityType, id = entry.EntityId, genesis = AuditHash.Genesis }, transaction, cancellationToken: ct));

        // Round trip 2: the record after the head, and the head moved to it. A plain INSERT … VALUES: an INSERT … SELECT
        // would take the table's auto-increment lock for the whole statement and queue every writer behind it.
        var record = new AuditRecord(0, DbTime.Now(clock), entry.Actor.Kind, entry.Actor.Id, entry.Action, entry.EntityType, entry.EntityId,
            head.EntitySeq + 1, before, after, requestId is { Length: <= 64 } ? requestId : null, entry.Flagged, head.Hash, "");
        await connection.ExecuteAsync(new CommandDefinition(AppendSql, record with { Hash = AuditHash.Of(record) }, transaction, cancellationToken: ct));
    }

    private static void Validate(AuditEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry.Actor);
        if (!AuditActor.Kinds.Contains(entry.Actor.Kind))
        {
            throw new ArgumentException($"Unknown actor kind '{entry.Actor.Kind}'.", nameof(entry));
        }

        Check(entry.Actor.Id, 64, "actor id");
        Check(entry.Action, 64, "action");
        Check(entry.EntityType, 32, "entity type");
        Check(entry.EntityId, 64, "entity id");

        static void Check(string value, int max, string what)
        {
            if (string.IsNullOrEmpty(value) || value.Length > max)
            {
                throw new ArgumentException($"The audit {what} must be 1–{max} characters.", nameof(entry));
            }
        }
    }

    private const string LockHeadSql = """
        INSERT INTO audit_heads (entity_type, entity_id, entity_seq, record_seq, hash) VALUES (@type, @id, 0, 0, @genesis)
            ON DUPLICATE KEY UPDATE entity_seq = entity_seq;
        SELECT entity_seq, hash FROM audit_heads WHERE entity_type = @type AND entity_id = @id FOR UPDATE;
        """;

    private const string AppendSql = """
        INSERT INTO audit_records
          (occurred_at, actor_kind, actor_id, action, entity_type, entity_id, entity_seq, before_json, after_json, request_id, flagged, prev_hash, hash)
        VALUES
          (@OccurredAt, @ActorKind, @ActorId, @Action, @EntityType, @EntityId, @EntitySeq, @BeforeJson, @AfterJson, @RequestId, @Flagged, @PrevHash, @Hash);
        UPDATE audit_heads SET entity_seq = @EntitySeq, record_seq = LAST_INSERT_ID(), hash = @Hash
         WHERE entity_type = @EntityType AND entity_id = @EntityId;
        """;
}
