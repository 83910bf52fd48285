using Dapper;
using HeadlessLoan.Api.Platform;
using HeadlessLoan.Api.Platform.Audit;
using HeadlessLoan.Api.Platform.Database;
using HeadlessLoan.Domain.CreditLines;
using MySqlConnector;

namespace HeadlessLoan.Api.Features.CreditLines;

public sealed record CreditLineRulesRow(
    int Version, decimal InitialFactor, int RaiseAfterOnTime, decimal RaiseShare, decimal CutShare, long MaxLimit, long RoundTo, string Note, Guid? CreatedBy,
    DateTime CreatedAt)
{
    public CreditLineRules ToDomain() => new(Version, InitialFactor, RaiseAfterOnTime, RaiseShare, CutShare, MaxLimit, RoundTo);
}

public sealed record CreditLineRow(Guid BorrowerId, long CreditLimit, int OnTimeStreak, int RulesVersion, DateTime CreatedAt, DateTime UpdatedAt)
{
    public CreditLine ToDomain() => new(CreditLimit, OnTimeStreak, RulesVersion);
}

public sealed record CreditLineChangeRow(Guid Id, long? FromLimit, long ToLimit, string Reason, int RulesVersion, Guid? LoanId, DateTime ChangedAt);

/// <summary>
/// Borrowers' credit lines, moved by the rules in force (<see cref="CreditLinePolicy"/>) inside the change of what moved
/// them (an acceptance, a repayment, the close of business), each move recorded with its reason and audited. The
/// caller holds a lock of the borrower's loan, so one borrower's line is moved by one change at a time per loan; the
/// line's row is locked as well, for borrowers with several loans.
/// </summary>
[FeatureApi]
public sealed class CreditLines(MySqlDataSource db)
{
    private static readonly AuditActor Rules = new(AuditActor.SystemKind, "credit-line-rules");

    /// <summary>Sets the borrower's first line from <paramref name="approvedAmount"/>, unless they have one; false when they had.</summary>
    public static async Task<bool> FirstApprovalAsync(DbChange change, Guid borrowerId, long approvedAmount, Guid loanId, DateTime now, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(change);
        if (await LockAsync(change, borrowerId, ct) is not null)
        {
            return false;
        }

        var rules = (await CurrentRulesAsync(change, ct)).ToDomain();
        var first = CreditLinePolicy.First(rules, approvedAmount);
        change.Write("""
            INSERT INTO credit_lines (borrower_id, credit_limit, on_time_streak, rules_version, created_at, updated_at)
            VALUES (@borrowerId, @limit, 0, @version, @now, @now)
            """, new { borrowerId, limit = first.Line.Limit, version = rules.Version, now });
        HoldChange(change, borrowerId, null, first, loanId, now);
        return true;
    }

    /// <summary>
    /// Moves the lines of the borrowers in <paramref name="moves"/> for <paramref name="happened"/> by the rules in force,
    /// one move after the other in the order given (a borrower named twice moves twice): the lines are locked in one
    /// statement and the rules read once, whatever the number (the close of business moves a batch's so). Nothing for
    /// a borrower with no line.
    /// </summary>
    public static async Task RecordManyAsync(DbChange change, IReadOnlyList<(Guid BorrowerId, Guid? LoanId)> moves, CreditLineEvent happened, DateTime now, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(change);
        ArgumentNullException.ThrowIfNull(moves);
        if (moves.Count == 0)
        {
            return;
        }

        // In borrower order, as every batch locks them, so two batches never wait on each other crosswise.
        var lines = (await change.QueryAsync<CreditLineRow>(SelectLine + " WHERE borrower_id IN @borrowers ORDER BY borrower_id FOR UPDATE",
            new { borrowers = moves.Select(m => m.BorrowerId).Distinct().ToArray() }, ct)).ToDictionary(l => l.BorrowerId, l => l.ToDomain());
        if (lines.Count == 0)
        {
            return;
        }

        var rules = (await CurrentRulesAsync(change, ct)).ToDomain();
        foreach (var (borrowerId, loanId) in moves)
        {
            if (!lines.TryGetValue(borrowerId, out var line))
            {
                continue;
            }

            var next = CreditLinePolicy.Next(line, rules, happened);
            change.Write("UPDATE credit_lines SET credit_limit = @limit, on_time_streak = @streak, rules_version = @version, updated_at = @now WHERE borrower_id = @borrowerId",
                new { borrowerId, limit = next.Line.Limit, streak = next.Line.OnTimeStreak, version = next.Line.RulesVersion, now });
            if (next.Moved)
            {
                HoldChange(change, borrowerId, line.Limit, next, loanId, now);
            }

            lines[borrowerId] = next.Line;
        }
    }

    public async Task<(CreditLineRow Line, IReadOnlyList<CreditLineChangeRow> Changes)?> GetAsync(Guid borrowerId, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var results = await conn.QueryMultipleAsync(new CommandDefinition($"""
            {SelectLine} WHERE borrower_id = @borrowerId;
            SELECT id, from_limit, to_limit, reason, rules_version, loan_id, changed_at FROM credit_line_changes
             WHERE borrower_id = @borrowerId ORDER BY changed_at DESC, id DESC LIMIT 50
            """, new { borrowerId }, cancellationToken: ct));
        var line = await results.ReadSingleOrDefaultAsync<CreditLineRow>();
        var changes = (await results.ReadAsync<CreditLineChangeRow>()).AsList();
        return line is null ? null : (line, changes);
    }

    /// <summary>The borrower's line alone (one statement), or null when they have none.</summary>
    public async Task<CreditLine?> LineAsync(Guid borrowerId, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        var row = await conn.QuerySingleOrDefaultAsync<CreditLineRow>(new CommandDefinition(SelectLine + " WHERE borrower_id = @borrowerId", new { borrowerId },
            cancellationToken: ct));
        return row?.ToDomain();
    }

    public async Task<CreditLineRulesRow?> RulesAsync(int? version, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return await conn.QuerySingleOrDefaultAsync<CreditLineRulesRow>(new CommandDefinition(
            SelectRules + (version is null ? " ORDER BY version DESC LIMIT 1" : " WHERE version = @version"), new { version }, cancellationToken: ct));
    }

    /// <summary>Writes the next version of the rules; lines move by it from their next event on.</summary>
    public async Task<CreditLineRulesRow> ChangeRulesAsync(CreditLineRules rules, string note, AuditActor actor, Guid staffId, DateTime now, AuditTrail audit, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(rules);
        await using var change = await DbChange.BeginAsync(db, audit, ct);
        var version = await change.ScalarAsync<int>("SELECT COALESCE(MAX(version), 0) + 1 FROM credit_line_rules FOR UPDATE", null, ct);
        var row = new CreditLineRulesRow(version, rules.InitialFactor, rules.RaiseAfterOnTime, rules.RaiseShare, rules.CutShare, rules.MaxLimit, rules.RoundTo, note,
            staffId, now);
        change.Write("""
            INSERT INTO credit_line_rules (version, initial_factor, raise_after_on_time, raise_share, cut_share, max_limit, round_to, note, created_by, created_at)
            VALUES (@Version, @InitialFactor, @RaiseAfterOnTime, @RaiseShare, @CutShare, @MaxLimit, @RoundTo, @Note, @CreatedBy, @CreatedAt)
            """, row);
        change.Record(new AuditEntry(actor, "credit_line_rules.changed", "credit_line_rules", version.ToString(System.Globalization.CultureInfo.InvariantCulture), null, row), now);
        await change.CommitAsync(ct);
        return row;
    }

    private static Task<CreditLineRow?> LockAsync(DbChange change, Guid borrowerId, CancellationToken ct) =>
        change.QuerySingleOrDefaultAsync<CreditLineRow>(SelectLine + " WHERE borrower_id = @borrowerId FOR UPDATE", new { borrowerId }, ct);

    private static async Task<CreditLineRulesRow> CurrentRulesAsync(DbChange change, CancellationToken ct) =>
        await change.QuerySingleOrDefaultAsync<CreditLineRulesRow>(SelectRules + " ORDER BY version DESC LIMIT 1", null, ct)
        ?? throw new InvalidOperationException("No credit line rules: migration 0024 seeds version 1.");

    private static void HoldChange(DbChange change, Guid borrowerId, long? from, CreditLineChange moved, Guid? loanId, DateTime now)
    {
        var row = new { id = Guid.CreateVersion7(), borrowerId, from, to = moved.Line.Limit, reason = moved.Reason, version = moved.Line.RulesVersion, loanId, now };
        change.Write("""
            INSERT INTO credit_line_changes (id, borrower_id, from_limit, to_limit, reason, rules_version, loan_id, changed_at)
            VALUES (@id, @borrowerId, @from, @to, @reason, @version, @loanId, @now)
            """, row);
        change.Record(new AuditEntry(Rules, "credit_line." + moved.Reason, "borrower", borrowerId.ToString(), new { limit = from },
            new { limit = moved.Line.Limit, reason = moved.Reason, rulesVersion = moved.Line.RulesVersion, loanId }), now);
    }

    private const string SelectLine = "SELECT borrower_id, credit_limit, on_time_streak, rules_version, created_at, updated_at FROM credit_lines";

    private const string SelectRules = """
        SELECT version, initial_factor, raise_after_on_time, raise_share, cut_share, max_limit, round_to, note, created_by, created_at FROM credit_line_rules
        """;
}
