using System.Diagnostics;
using System.Security.Claims;
using Dapper;
using HeadlessLoan.Api.Platform.Auth;
using HeadlessLoan.Api.Platform.Database;
using MySqlConnector;

namespace HeadlessLoan.Api.Platform.Audit;

/// <summary>Who made a change: a member of staff, a channel, a borrower, or the system itself (a worker, start-up).</summary>
public sealed record AuditActor(string Kind, string Id)
{
    public const string StaffKind = "staff";
    public const string ChannelKind = "channel";
    public const string BorrowerKind = "borrower";
    public const string SystemKind = "system";

    public static readonly IReadOnlySet<string> Kinds = new HashSet<string>(StringComparer.Ordinal) { StaffKind, ChannelKind, BorrowerKind, SystemKind };

    public static AuditActor System { get; } = new(SystemKind, "system");

    public static AuditActor Staff(Guid id) => new(StaffKind, id.ToString());

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
/// The append is one plain <c>INSERT … VALUES</c>: no lock, no read of a chain head, so audited writers never wait for
/// each other. The hash chain is built after commit by <see cref="AuditChainer"/>, the trail's single sequencer.
/// </summary>
public sealed class AuditTrail(TimeProvider clock, IHttpContextAccessor http)
{
    public async Task AppendAsync(MySqlConnection connection, MySqlTransaction transaction, AuditEntry entry, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(connection);
        var (sql, record) = Prepare(entry);
        await connection.ExecuteAsync(new CommandDefinition(sql, record, transaction, cancellationToken: ct));
    }

    /// <summary>The statement and values that append <paramref name="entry"/>, for a caller that sends several writes at once.</summary>
    public (string Sql, AuditRecord Record) Prepare(AuditEntry entry) => Prepare(entry, CurrentRequestId());

    /// <summary>The request being served, to be given to <see cref="Prepare(AuditEntry, string?)"/> by work done for it elsewhere.</summary>
    public string? CurrentRequestId() => Activity.Current?.TraceId.ToString() ?? http.HttpContext?.TraceIdentifier;

    /// <summary>As <see cref="Prepare(AuditEntry)"/>, for a change made on behalf of the request <paramref name="requestId"/>.</summary>
    public (string Sql, AuditRecord Record) Prepare(AuditEntry entry, string? requestId)
    {
        ArgumentNullException.ThrowIfNull(entry);
        Validate(entry);
        var before = AuditJson.Canonical(entry.Before, nameof(entry.Before));
        var after = AuditJson.Canonical(entry.After, nameof(entry.After));

        // A plain INSERT … VALUES: an INSERT … SELECT would take the table's auto-increment lock for the whole
        // statement and queue every writer behind it.
        return (AppendSql, new AuditRecord(0, DbTime.Now(clock), entry.Actor.Kind, entry.Actor.Id, entry.Action, entry.EntityType, entry.EntityId,
            before, after, requestId is { Length: <= 64 } ? requestId : null, entry.Flagged));
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

    /// <summary>The append statement; its parameters are the properties of the <see cref="AuditRecord"/> that <see cref="Prepare"/> returns.</summary>
    public const string AppendSql = """
        INSERT INTO audit_records
          (occurred_at, actor_kind, actor_id, action, entity_type, entity_id, before_json, after_json, request_id, flagged)
        VALUES
          (@OccurredAt, @ActorKind, @ActorId, @Action, @EntityType, @EntityId, @BeforeJson, @AfterJson, @RequestId, @Flagged)
        """;
}
