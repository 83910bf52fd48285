using Dapper;
using MySqlConnector;

namespace HeadlessLoan.Api.Audit;

/// <summary>The outcome of checking every chain: the smallest trail sequence at which one breaks, if any.</summary>
public sealed record AuditVerification(bool Ok, long Checked, long? FirstBrokenSequence);

/// <summary>Reads the trail: pages for auditors, and verification of every entity chain against its head.</summary>
public sealed class AuditStore(MySqlDataSource db)
{
    /// <summary>One page, newest first, plus one record more to tell whether another page follows.</summary>
    public async Task<IReadOnlyList<AuditRecord>> ListAsync(string? entityType, string? entityId, long? afterSeq, int limit, CancellationToken ct)
    {
        var where = new List<string>();
        if (entityType is not null)
        {
            where.Add("entity_type = @entityType");
        }

        if (entityId is not null)
        {
            where.Add("entity_id = @entityId");
        }

        if (afterSeq is not null)
        {
            where.Add("seq < @afterSeq");
        }

        var sql = SelectRecord + (where.Count > 0 ? " WHERE " + string.Join(" AND ", where) : "") + " ORDER BY seq DESC LIMIT @take";
        await using var conn = await db.OpenConnectionAsync(ct);
        return (await conn.QueryAsync<AuditRecord>(new CommandDefinition(sql, new { entityType, entityId, afterSeq, take = limit + 1 }, cancellationToken: ct))).AsList();
    }

    /// <summary>
    /// Walks every chain in order: each record must follow the previous one (entity_seq + 1, prev_hash = its hash) and
    /// hash to its stored hash, and the last one must be the chain's head. An altered record breaks at itself; a deleted
    /// or moved one at the record after it, or at the head's record when it was the last; a deleted chain at its head.
    /// </summary>
    public async Task<AuditVerification> VerifyAsync(CancellationToken ct)
    {
        long? firstBroken = null;
        long checkedCount = 0;
        void Broken(long seq) => firstBroken = firstBroken is { } f ? Math.Min(f, seq) : seq;

        await using var conn = await db.OpenConnectionAsync(ct);
        ChainRow? previous = null;
        await foreach (var row in conn.QueryUnbufferedAsync<ChainRow>(VerifySql, transaction: null).WithCancellation(ct))
        {
            var sameChain = previous is not null && previous.EntityType == row.EntityType && previous.EntityId == row.EntityId;
            if (previous is not null && !sameChain)
            {
                CheckHead(previous, Broken);
            }

            var (expectedSeq, expectedPrev) = sameChain ? (previous!.EntitySeq + 1, previous.Hash) : (1, AuditHash.Genesis);
            var record = row.ToRecord();
            if (row.EntitySeq != expectedSeq || !string.Equals(row.PrevHash, expectedPrev, StringComparison.Ordinal)
                || !string.Equals(AuditHash.Of(record), row.Hash, StringComparison.Ordinal))
            {
                Broken(row.Seq);
            }

            checkedCount++;
            previous = row;
        }

        if (previous is not null)
        {
            CheckHead(previous, Broken);
        }

        // Heads whose whole chain is gone.
        foreach (var orphan in await conn.QueryAsync<long>(new CommandDefinition(OrphanHeadsSql, cancellationToken: ct)))
        {
            Broken(orphan);
        }

        return new AuditVerification(firstBroken is null, checkedCount, firstBroken);
    }

    private static void CheckHead(ChainRow last, Action<long> broken)
    {
        if (last.HeadSeq is not { } headSeq || headSeq != last.EntitySeq || !string.Equals(last.HeadHash, last.Hash, StringComparison.Ordinal))
        {
            // The head is ahead when the chain lost its tail: the missing record is the head's.
            broken(last.HeadSeq > last.EntitySeq && last.HeadRecordSeq is { } missing ? missing : last.Seq);
        }
    }

    /// <summary>A record with its chain's head, as the verification walks them.</summary>
    private sealed record ChainRow(
        long Seq, DateTime OccurredAt, string ActorKind, string ActorId, string Action, string EntityType, string EntityId,
        int EntitySeq, string? BeforeJson, string? AfterJson, string? RequestId, bool Flagged, string PrevHash, string Hash,
        int? HeadSeq, long? HeadRecordSeq, string? HeadHash)
    {
        public AuditRecord ToRecord() => new(Seq, OccurredAt, ActorKind, ActorId, Action, EntityType, EntityId, EntitySeq,
            BeforeJson, AfterJson, RequestId, Flagged, PrevHash, Hash);
    }

    private const string Columns = """
        r.seq AS Seq, r.occurred_at AS OccurredAt, r.actor_kind AS ActorKind, r.actor_id AS ActorId, r.action AS Action,
        r.entity_type AS EntityType, r.entity_id AS EntityId, r.entity_seq AS EntitySeq, r.before_json AS BeforeJson,
        r.after_json AS AfterJson, r.request_id AS RequestId, r.flagged AS Flagged, r.prev_hash AS PrevHash, r.hash AS Hash
        """;

    private const string SelectRecord = "SELECT " + Columns + " FROM audit_records r";

    // The unique chain index gives the order without sorting.
    private const string VerifySql = "SELECT " + Columns + """
        , h.entity_seq AS HeadSeq, h.record_seq AS HeadRecordSeq, h.hash AS HeadHash
          FROM audit_records r
          LEFT JOIN audit_heads h ON h.entity_type = r.entity_type AND h.entity_id = r.entity_id
         ORDER BY r.entity_type, r.entity_id, r.entity_seq
        """;

    private const string OrphanHeadsSql = """
        SELECT h.record_seq FROM audit_heads h
         WHERE h.entity_seq > 0
           AND NOT EXISTS (SELECT 1 FROM audit_records r WHERE r.entity_type = h.entity_type AND r.entity_id = h.entity_id)
        """;
}
