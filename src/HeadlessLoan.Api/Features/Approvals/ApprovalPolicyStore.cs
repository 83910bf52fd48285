using Dapper;
using HeadlessLoan.Api.Platform.Audit;
using HeadlessLoan.Api.Platform.Database;
using HeadlessLoan.Domain.Approvals;
using MySqlConnector;

namespace HeadlessLoan.Api.Features.Approvals;

/// <summary>One version of the approval policy: its rules in order.</summary>
public sealed record ApprovalPolicy(int Version, string Note, DateTime CreatedAt, Guid? CreatedBy, IReadOnlyList<ApprovalRule> Rules);

/// <summary>SQL for approval policies. A change writes a whole new version; versions are never edited.</summary>
public sealed class ApprovalPolicyStore(MySqlDataSource db, AuditTrail audit, TimeProvider clock)
{
    /// <summary>Writes version 1 from <paramref name="rules"/> when no policy exists yet; false when one did.</summary>
    public async Task<bool> SeedAsync(IReadOnlyList<ApprovalRule> rules, CancellationToken ct)
    {
        var now = DbTime.Now(clock);
        await using var change = await DbChange.BeginAsync(db, audit, ct);
        var (conn, tx) = (change.Connection, change.Transaction);
        try
        {
            var inserted = await conn.ExecuteAsync(new CommandDefinition("""
                INSERT INTO approval_policy_versions (version, note, created_at, created_by)
                SELECT 1, 'Default policy', @now, NULL FROM DUAL WHERE NOT EXISTS (SELECT 1 FROM approval_policy_versions)
                """, new { now }, tx, cancellationToken: ct));
            if (inserted == 0)
            {
                return false;
            }

            await InsertRulesAsync(conn, tx, 1, rules, ct);
            change.Record(new AuditEntry(ApprovalActors.System, "approval_policy.created", "approval_policy", "1", null, new { version = 1, rules = Describe(rules) }), now);
            await change.CommitAsync(ct);
            return true;
        }
        catch (MySqlException e) when (e.ErrorCode == MySqlErrorCode.DuplicateKeyEntry)
        {
            return false; // another instance seeded it at the same moment
        }
    }

    /// <summary>The current version, or a given one.</summary>
    public async Task<ApprovalPolicy?> GetAsync(int? version, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return await ReadAsync(conn, null, version, ct);
    }

    /// <summary>Writes the next version; the previous one is locked meanwhile, so concurrent changes get consecutive versions.</summary>
    public async Task<ApprovalPolicy> ChangeAsync(IReadOnlyList<ApprovalRule> rules, string note, Guid actor, CancellationToken ct)
    {
        var now = DbTime.Now(clock);
        await using var change = await DbChange.BeginAsync(db, audit, ct);
        var (conn, tx) = (change.Connection, change.Transaction);
        var current = await conn.ExecuteScalarAsync<int?>(new CommandDefinition(
            "SELECT MAX(version) FROM approval_policy_versions FOR UPDATE", transaction: tx, cancellationToken: ct));
        var before = current is { } v ? await ReadAsync(conn, tx, v, ct) : null;
        var version = (current ?? 0) + 1;
        await conn.ExecuteAsync(new CommandDefinition(
            "INSERT INTO approval_policy_versions (version, note, created_at, created_by) VALUES (@version, @note, @now, @actor)",
            new { version, note, now, actor }, tx, cancellationToken: ct));
        await InsertRulesAsync(conn, tx, version, rules, ct);
        change.Record(new AuditEntry(
            AuditActor.Staff(actor), "approval_policy.changed", "approval_policy", version.ToString(System.Globalization.CultureInfo.InvariantCulture),
            before is null ? null : new { before.Version, rules = Describe(before.Rules) }, new { version, note, rules = Describe(rules) }), now);
        await change.CommitAsync(ct);
        return new ApprovalPolicy(version, note, now, actor, rules);
    }

    internal static async Task<ApprovalPolicy?> ReadAsync(MySqlConnection conn, MySqlTransaction? tx, int? version, CancellationToken ct)
    {
        await using var results = await conn.QueryMultipleAsync(new CommandDefinition("""
            SELECT version, note, created_at, created_by FROM approval_policy_versions
             WHERE version = COALESCE(@version, (SELECT MAX(version) FROM approval_policy_versions));
            SELECT product_id, amount_from, amount_below, score_from,
                   score_below, steps
              FROM approval_policy_rules
             WHERE policy_version = COALESCE(@version, (SELECT MAX(version) FROM approval_policy_versions))
             ORDER BY position
            """, new { version }, tx, cancellationToken: ct));
        var head = await results.ReadSingleOrDefaultAsync<PolicyHead>();
        var rules = (await results.ReadAsync<RuleRow>()).Select(r => new ApprovalRule(
            r.ProductId, r.AmountFrom, r.AmountBelow, r.ScoreFrom, r.ScoreBelow, ApprovalRouting.ParseSteps(r.Steps))).ToList();
        return head is null ? null : new ApprovalPolicy(head.Version, head.Note, head.CreatedAt, head.CreatedBy, rules);
    }

    private static async Task InsertRulesAsync(MySqlConnection conn, MySqlTransaction tx, int version, IReadOnlyList<ApprovalRule> rules, CancellationToken ct) =>
        await conn.ExecuteAsync(new CommandDefinition("""
            INSERT INTO approval_policy_rules (policy_version, position, product_id, amount_from, amount_below, score_from, score_below, steps)
            VALUES (@version, @position, @ProductId, @AmountFrom, @AmountBelow, @ScoreFrom, @ScoreBelow, @Steps)
            """, rules.Select((r, i) => new
        {
            version,
            position = i + 1,
            r.ProductId,
            r.AmountFrom,
            r.AmountBelow,
            r.ScoreFrom,
            r.ScoreBelow,
            Steps = ApprovalRouting.FormatSteps(r.Steps),
        }), tx, cancellationToken: ct));

    /// <summary>The rules as recorded in events: plain values, steps as stored.</summary>
    private static List<RuleRow> Describe(IReadOnlyList<ApprovalRule> rules) =>
        rules.Select(r => new RuleRow(r.ProductId, r.AmountFrom, r.AmountBelow, r.ScoreFrom, r.ScoreBelow, ApprovalRouting.FormatSteps(r.Steps))).ToList();

    private sealed record PolicyHead(int Version, string Note, DateTime CreatedAt, Guid? CreatedBy);

    private sealed record RuleRow(Guid? ProductId, long? AmountFrom, long? AmountBelow, int? ScoreFrom, int? ScoreBelow, string Steps);
}
