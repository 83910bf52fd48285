using Dapper;
using HeadlessLoan.Api.Features.Loans;
using HeadlessLoan.Api.Platform.Database;
using HeadlessLoan.Domain.Collections;
using HeadlessLoan.Domain.Loans;
using MySqlConnector;

namespace HeadlessLoan.Api.Features.Collections;

/// <summary>The stored names of collection_work_orders.status.</summary>
public static class WorkOrderStatus
{
    public const string Open = "open";

    /// <summary>The borrower promised to pay by a date; back to open if the promise is broken.</summary>
    public const string Promised = "promised";

    public const string Closed = "closed";
}

public sealed record WorkOrderRow(
    Guid Id, Guid LoanId, Guid BorrowerId, string RegionCode, string Status, string Reason, int Priority, int DaysPastDue, long OverdueAmount,
    Guid? AssignedTo, DateTime OpenedOn, DateTime? ClosedAt, string? CloseReason, DateTime CreatedAt, DateTime UpdatedAt);

public sealed record ContactRow(Guid Id, Guid CollectorId, string Channel, string Result, string? Note, DateTime ContactedAt);

public sealed record PromiseRow(Guid Id, long Amount, DateTime PromisedOn, string Status, Guid CreatedBy, DateTime CreatedAt, DateTime? SettledAt);

/// <summary>A loan as the daily pass sees it: how long and how much it is overdue, and what it has been paid in all.</summary>
public sealed record OverdueLoan(Guid LoanId, Guid BorrowerId, Guid ProductId, string RegionCode, int DaysOverdue, long OverdueAmount);

/// <summary>The SQL of collections.</summary>
public static class WorkOrderStore
{
    private const string Columns = """
        id, loan_id, borrower_id, region_code, status, reason, priority, days_past_due, overdue_amount, assigned_to, opened_on, closed_at,
        close_reason, created_at, updated_at
        """;

    /// <summary>What the loan's periods have been paid in all, every component: what a promise is measured against.</summary>
    /// <summary>What a loan has been paid in all: what its schedule settled, and what was recovered after a write-off.</summary>
    public static readonly string PaidSql = "SELECT " + PaidOf("@loanId");

    /// <summary>
    /// What the loan <paramref name="loanId"/> (an SQL expression) has been paid, as subqueries: a locking read around
    /// it locks neither the loan nor its periods (the loan is locked first, by whoever changes it).
    /// </summary>
    private static string PaidOf(string loanId) => $"""
        CAST((SELECT COALESCE(SUM(q.principal_paid + q.interest_paid + q.fee_paid + q.penalty_paid), 0) FROM loan_periods q WHERE q.loan_id = {loanId})
             + (SELECT r.recovered FROM loans r WHERE r.id = {loanId}) AS SIGNED)
        """;

    /// <summary>
    /// A loan collections still pursue: overdue, or written off with something still to recover (a write-off gives the
    /// debt up in the books, not the claim).
    /// </summary>
    public static readonly string StillCollectedSql = $"""
        (l.status = '{LoanStatusNames.Overdue}' OR (l.status = '{LoanStatusNames.WrittenOff}' AND {LoanWriteOffs.StillOwedSql("l")} > 0))
        """;

    private const string Owed = "q.principal_due + q.interest_due + q.fee_due + q.penalty_due - q.principal_paid - q.interest_paid - q.fee_paid - q.penalty_paid";

    /// <summary>
    /// Loans collections pursue (overdue by the last close, or written off and not yet recovered) with days counted from
    /// the oldest unpaid due date to <paramref name="today"/> and what is owed of them (everything fallen due unpaid;
    /// for a written-off loan what is still to recover): those overdue at least <paramref name="minDays"/>, or with an
    /// open order; or <paramref name="only"/> that loan, if pursued.
    /// </summary>
    public static async Task<IReadOnlyList<OverdueLoan>> OverdueLoansAsync(DbChange change, DateTime today, int minDays, CancellationToken ct, Guid? only = null) =>
        (await change.QueryAsync<OverdueLoan>($"""
            SELECT l.id AS loan_id, l.borrower_id, l.product_id, a.declared_region_code AS region_code,
                   DATEDIFF(@today, (SELECT MIN(q.due_date) FROM loan_periods q WHERE q.loan_id = l.id AND q.due_date < @today AND ({Owed}) > 0)) AS days_overdue,
                   CAST(IF(l.status = '{LoanStatusNames.WrittenOff}', {LoanWriteOffs.StillOwedSql("l")},
                           (SELECT COALESCE(SUM({Owed}), 0) FROM loan_periods q WHERE q.loan_id = l.id AND q.due_date < @today)) AS SIGNED) AS overdue_amount
              FROM loans l JOIN applications a ON a.id = l.application_id
             WHERE {StillCollectedSql} AND l.borrower_id IS NOT NULL
               AND (l.id = @only OR (@only IS NULL AND ((l.status = '{LoanStatusNames.Overdue}' AND l.days_past_due + 1 >= @minDays)
                                                        OR EXISTS (SELECT 1 FROM collection_work_orders w WHERE w.open_loan = l.id))))
            """, new { today, minDays, only }, ct)).ToArray();

    /// <summary>Opens orders (the open-loan key keeps it to one per loan) in one statement; returns how many it opened.</summary>
    public static Task<int> OpenAsync(DbChange change, IEnumerable<(Guid Id, OverdueLoan Loan, int Priority)> orders, string reason, DateTime today, Guid? by, DateTime now, CancellationToken ct)
    {
        var rows = orders.Select(o => new
        {
            id = o.Id, loanId = o.Loan.LoanId, borrowerId = o.Loan.BorrowerId, region = o.Loan.RegionCode, priority = o.Priority,
            dpd = o.Loan.DaysOverdue, owed = o.Loan.OverdueAmount,
        }).ToArray();
        return rows.Length == 0 ? Task.FromResult(0) : change.ExecuteAsync("""
            INSERT IGNORE INTO collection_work_orders (id, loan_id, open_loan, borrower_id, region_code, status, reason, priority, days_past_due, overdue_amount,
                                                       opened_on, created_by, created_at, updated_at)
            SELECT r.id, r.loan_id, r.loan_id, r.borrower_id, r.region, 'open', @reason, r.priority, r.dpd, r.owed, @today, @by, @now, @now
              FROM JSON_TABLE(@rows, '$[*]' COLUMNS (
                     id CHAR(36) CHARACTER SET ascii PATH '$.id', loan_id CHAR(36) CHARACTER SET ascii PATH '$.loanId',
                     borrower_id CHAR(36) CHARACTER SET ascii PATH '$.borrowerId', region CHAR(6) CHARACTER SET ascii PATH '$.region',
                     priority INT PATH '$.priority', dpd INT PATH '$.dpd', owed BIGINT PATH '$.owed')) r
            """, new { rows = JsonRows.Of(rows), reason, today, by, now }, ct);
    }

    /// <summary>The open orders' standing, refreshed from their loans in one statement.</summary>
    public static Task RefreshAsync(DbChange change, IEnumerable<(Guid LoanId, int DaysOverdue, long Owed, int Priority)> standing, DateTime now, CancellationToken ct)
    {
        var rows = standing.Select(s => new { loanId = s.LoanId, dpd = s.DaysOverdue, owed = s.Owed, priority = s.Priority }).ToArray();
        return rows.Length == 0 ? Task.CompletedTask : change.ExecuteAsync("""
            UPDATE collection_work_orders w JOIN JSON_TABLE(@rows, '$[*]' COLUMNS (
                     loan_id CHAR(36) CHARACTER SET ascii PATH '$.loanId', dpd INT PATH '$.dpd', owed BIGINT PATH '$.owed', priority INT PATH '$.priority')) r
                ON w.open_loan = r.loan_id
               SET w.days_past_due = r.dpd, w.overdue_amount = r.owed, w.priority = r.priority, w.updated_at = @now
            """, new { rows = JsonRows.Of(rows), now }, ct);
    }

    /// <summary>Broken promises per loan with an open order.</summary>
    public static async Task<IReadOnlyDictionary<Guid, int>> BrokenPromisesAsync(DbChange change, CancellationToken ct) =>
        (await change.QueryAsync<(Guid LoanId, long Broken)>("""
            SELECT w.loan_id, COUNT(*) FROM collection_promises p JOIN collection_work_orders w ON w.id = p.work_order_id
             WHERE w.status <> 'closed' AND p.status = 'broken' GROUP BY w.loan_id
            """, null, ct)).ToDictionary(b => b.LoanId, b => (int)b.Broken);

    /// <summary>
    /// Closes the orders whose loan collections no longer pursue (paid up, paid off, a written-off loan recovered in
    /// full: <c>loan_recovered</c>); returns them.
    /// </summary>
    public static async Task<IReadOnlyList<Guid>> CloseSettledAsync(DbChange change, DateTime now, CancellationToken ct)
    {
        var ids = (await change.QueryAsync<Guid>($"""
            SELECT w.id FROM collection_work_orders w JOIN loans l ON l.id = w.loan_id
             WHERE w.status <> 'closed' AND NOT {StillCollectedSql} FOR UPDATE
            """, null, ct)).ToArray();
        if (ids.Length > 0)
        {
            await change.ExecuteAsync($"""
                UPDATE collection_work_orders w JOIN loans l ON l.id = w.loan_id
                   SET w.status = 'closed', w.open_loan = NULL, w.close_reason = IF(l.status = '{LoanStatusNames.WrittenOff}', 'loan_recovered', CONCAT('loan_', l.status)),
                       w.closed_at = @now, w.updated_at = @now
                 WHERE w.id IN @ids
                """, new { ids, now }, ct);
        }

        return ids;
    }

    /// <summary>Open promises whose date has passed, with what their loan has been paid since: (promise, order, kept).</summary>
    public static async Task<IReadOnlyList<(Guid PromiseId, Guid OrderId, bool Kept)>> DuePromisesAsync(DbChange change, DateTime today, CancellationToken ct) =>
        (await change.QueryAsync<(Guid PromiseId, Guid OrderId, long Amount, long PaidBefore, long PaidNow)>($"""
            SELECT p.id, p.work_order_id, p.amount, p.paid_before, {PaidOf("w.loan_id")}
              FROM collection_promises p JOIN collection_work_orders w ON w.id = p.work_order_id
             WHERE p.status = 'open' AND p.promised_on < @today FOR UPDATE
            """, new { today }, ct)).Select(p => (p.PromiseId, p.OrderId, WorkOrderRules.Kept(p.PaidNow - p.PaidBefore, p.Amount))).ToArray();

    public static Task SettlePromiseAsync(DbChange change, Guid promiseId, Guid orderId, bool kept, DateTime now, CancellationToken ct) =>
        change.ExecuteAsync("""
            UPDATE collection_promises SET status = @status, settled_at = @now WHERE id = @promiseId AND status = 'open';
            UPDATE collection_work_orders SET status = 'open', updated_at = @now WHERE id = @orderId AND status = 'promised';
            """, new { promiseId, orderId, status = kept ? "kept" : "broken", now }, ct);

    public static async Task<IReadOnlyList<UnassignedOrder>> UnassignedAsync(DbChange change, CancellationToken ct) =>
        (await change.QueryAsync<(Guid Id, string RegionCode, int Priority)>(
            "SELECT id, region_code, priority FROM collection_work_orders WHERE status <> 'closed' AND assigned_to IS NULL FOR UPDATE", null, ct))
        .Select(o => new UnassignedOrder(o.Id, o.RegionCode, o.Priority)).ToArray();

    /// <summary>The active collectors, locked, with their open orders.</summary>
    public static async Task<IReadOnlyList<CollectorSlot>> CollectorSlotsAsync(DbChange change, CancellationToken ct) =>
        (await change.QueryAsync<(Guid StaffId, string Regions, long Open, DateTime? LastAssignedAt)>("""
            SELECT c.staff_id, c.regions, (SELECT COUNT(*) FROM collection_work_orders w WHERE w.assigned_to = c.staff_id AND w.status <> 'closed'), c.last_assigned_at
              FROM collectors c WHERE c.active = 1 ORDER BY c.staff_id FOR UPDATE
            """, null, ct)).Select(c => new CollectorSlot(c.StaffId, Regions(c.Regions), (int)c.Open, c.LastAssignedAt)).ToArray();

    public static async Task AssignAsync(DbChange change, IReadOnlyList<(Guid OrderId, Guid CollectorId)> assigned, DateTime now, CancellationToken ct)
    {
        if (assigned.Count == 0)
        {
            return;
        }

        var rows = JsonRows.Of(assigned.Select(a => new { orderId = a.OrderId, collectorId = a.CollectorId }));
        await change.ExecuteAsync("""
            UPDATE collection_work_orders w JOIN JSON_TABLE(@rows, '$[*]' COLUMNS (
                     order_id CHAR(36) CHARACTER SET ascii PATH '$.orderId', collector_id CHAR(36) CHARACTER SET ascii PATH '$.collectorId')) r
                ON w.id = r.order_id
               SET w.assigned_to = r.collector_id, w.updated_at = @now;
            UPDATE collectors SET last_assigned_at = @now WHERE staff_id IN (SELECT collector_id FROM JSON_TABLE(@rows, '$[*]' COLUMNS (
                     collector_id CHAR(36) CHARACTER SET ascii PATH '$.collectorId')) r);
            """, new { rows, now }, ct);
    }

    public static IReadOnlyList<string> Regions(string stored) => stored.Split(',', StringSplitOptions.RemoveEmptyEntries);

    public static async Task<WorkOrderRow?> GetAsync(MySqlConnection conn, Guid id, CancellationToken ct, bool forUpdate = false, MySqlTransaction? tx = null) =>
        await conn.QuerySingleOrDefaultAsync<WorkOrderRow>(new CommandDefinition(
            $"SELECT {Columns} FROM collection_work_orders WHERE id = @id" + (forUpdate ? " FOR UPDATE" : ""), new { id }, tx, cancellationToken: ct));

    public static Task<WorkOrderRow?> LockAsync(DbChange change, Guid id, CancellationToken ct) => GetAsync(change.Connection, id, ct, forUpdate: true, change.Transaction);

    /// <summary>A page of orders, most urgent first (priority, then id, for the cursor), optionally only one collector's and one status.</summary>
    public static async Task<IReadOnlyList<WorkOrderRow>> ListAsync(MySqlDataSource db, Guid? assignedTo, string? status, (int Priority, Guid Id)? after, int take, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return (await conn.QueryAsync<WorkOrderRow>(new CommandDefinition($"""
            SELECT {Columns} FROM collection_work_orders
             WHERE (@assignedTo IS NULL OR assigned_to = @assignedTo) AND (@status IS NULL OR status = @status)
               AND (@afterPriority IS NULL OR priority < @afterPriority OR (priority = @afterPriority AND id > @afterId))
             ORDER BY priority DESC, id LIMIT @take
            """, new { assignedTo, status, afterPriority = after?.Priority, afterId = after?.Id, take }, cancellationToken: ct))).ToArray();
    }

    public static async Task<(IReadOnlyList<ContactRow> Contacts, IReadOnlyList<PromiseRow> Promises)> HistoryAsync(MySqlDataSource db, Guid orderId, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        var contacts = await conn.QueryAsync<ContactRow>(new CommandDefinition(
            "SELECT id, collector_id, channel, result, note, contacted_at FROM collection_contacts WHERE work_order_id = @orderId ORDER BY contacted_at DESC, id DESC",
            new { orderId }, cancellationToken: ct));
        var promises = await conn.QueryAsync<PromiseRow>(new CommandDefinition(
            "SELECT id, amount, promised_on, status, created_by, created_at, settled_at FROM collection_promises WHERE work_order_id = @orderId ORDER BY created_at DESC, id DESC",
            new { orderId }, cancellationToken: ct));
        return (contacts.ToArray(), promises.ToArray());
    }
}
