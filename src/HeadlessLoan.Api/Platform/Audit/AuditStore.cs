using HeadlessLoan.Api.Platform.Database;
using Dapper;
using MySqlConnector;

namespace HeadlessLoan.Api.Platform.Audit;

/// <summary>The outcome of checking the chain: how many entries held, and the chain sequence at which it breaks, if it does.</summary>
public sealed record AuditVerification(bool Ok, long Checked, long? FirstBrokenSequence);

/// <summary>Reads the trail: pages for auditors, and verification of the hash chain.</summary>
public sealed class AuditStore(MySqlDataSource db)
{
    /// <summary>One page, newest first, plus one record more to tell whether another page follows.</summary>
    public async Task<IReadOnlyList<AuditRecord>> ListAsync(string? entityType, string? entityId, long? afterSeq, int limit, CancellationToken ct)
    {
        var where = new SqlWhere()
            .And(entityType is not null, "r.entity_type = @entityType")
            .And(entityId is not null, "r.entity_id = @entityId")
            .And(afterSeq is not null, "r.seq < @afterSeq");
        var sql = SelectRecord + where + " ORDER BY r.seq DESC LIMIT @take";
        await using var conn = await db.OpenConnectionAsync(ct);
        return (await conn.QueryAsync<AuditRecord>(new CommandDefinition(sql, new { entityType, entityId, afterSeq, take = limit + 1 }, cancellationToken: ct))).AsList();
    }

    /// <summary>
    /// Walks the chain in order: each entry must be at the next sequence, link to the previous entry's hash, point at
    /// an existing record and hash, with that record, to its stored hash. Returns at the first entry that does not:
    /// an altered record breaks at its entry, a deleted record at the entry pointing at it, a deleted entry at its
    /// sequence, entries reordered at the first of them. Records not chained yet are not checked.
    /// </summary>
    public async Task<AuditVerification> VerifyAsync(CancellationToken ct)
    {
        long expected = 1;
        var prevHash = AuditHash.Genesis;
        await using var conn = await db.OpenConnectionAsync(ct);
        await foreach (var row in conn.QueryUnbufferedAsync<ChainRow>(VerifySql, transaction: null).WithCancellation(ct))
        {
            if (row.Sequence != expected)
            {
                return new AuditVerification(false, expected - 1, expected);
            }

            if (row.ToRecord() is not { } record || !string.Equals(row.PrevHash, prevHash, StringComparison.Ordinal)
                || !string.Equals(AuditHash.Of(row.Sequence, row.PrevHash, record), row.Hash, StringComparison.Ordinal))
            {
                return new AuditVerification(false, expected - 1, row.Sequence);
            }

            prevHash = row.Hash;
            expected++;
        }

        return new AuditVerification(true, expected - 1, null);
    }

    /// <summary>A chain entry with its record, which is null when the record is gone.</summary>
    private sealed record ChainRow(
        long Sequence, long RecordSeq, string PrevHash, string Hash, long? Seq, DateTime? OccurredAt, string? ActorKind, string? ActorId,
        string? Action, string? EntityType, string? EntityId, string? BeforeJson, string? AfterJson, string? RequestId, bool? Flagged)
    {
        public AuditRecord? ToRecord() => Seq is { } seq
            ? new AuditRecord(seq, OccurredAt!.Value, ActorKind!, ActorId!, Action!, EntityType!, EntityId!, BeforeJson, AfterJson, RequestId, Flagged ?? false)
            : null;
    }

    private const string Columns = """
        r.seq, r.occurred_at, r.actor_kind, r.actor_id, r.action,
        r.entity_type, r.entity_id, r.before_json, r.after_json,
        r.request_id, r.flagged
        """;

    /// <summary>Records with their chain entries (null until chained), as <c>r</c> and <c>c</c>.</summary>
    internal const string SelectRecord = "SELECT " + Columns + """
        , c.sequence AS ChainSeq, c.prev_hash, c.hash
          FROM audit_records r
          LEFT JOIN audit_chain c ON c.record_seq = r.seq
        """;

    private const string VerifySql = "SELECT c.sequence, c.record_seq, c.prev_hash, c.hash, " + Columns + """

          FROM audit_chain c
          LEFT JOIN audit_records r ON r.seq = c.record_seq
         ORDER BY c.sequence
        """;
}
