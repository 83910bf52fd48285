using System.Globalization;
using Dapper;
using HeadlessLoan.Api.Features.Contact;
using HeadlessLoan.Api.Platform;
using HeadlessLoan.Api.Platform.Audit;
using HeadlessLoan.Api.Platform.Auth;
using HeadlessLoan.Api.Platform.Database;
using HeadlessLoan.Api.Platform.Errors;
using HeadlessLoan.Api.Platform.RateLimiting;
using HeadlessLoan.Domain.Collections;
using HeadlessLoan.Domain.Loans;
using HeadlessLoan.Domain.Reminders;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using MySqlConnector;

namespace HeadlessLoan.Api.Features.Collections;

public sealed record WorkOrderResponse(
    Guid Id, Guid LoanId, Guid BorrowerId, string RegionCode, string Status, string Reason, int Priority, int DaysOverdue, long OverdueAmount,
    Guid? AssignedTo, DateOnly OpenedOn, DateTimeOffset? ClosedAt, string? CloseReason, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

public sealed record WorkOrderListResponse(IReadOnlyList<WorkOrderResponse> Items, string? NextCursor);

public sealed record ContactAttemptResponse(Guid Id, Guid CollectorId, string Channel, string Result, string? Note, DateTimeOffset ContactedAt);

public sealed record PromiseResponse(Guid Id, long Amount, DateOnly PromisedOn, string Status, Guid CreatedBy, DateTimeOffset CreatedAt, DateTimeOffset? SettledAt);

public sealed record WorkOrderDetailResponse(WorkOrderResponse Order, IReadOnlyList<ContactAttemptResponse> ContactAttempts, IReadOnlyList<PromiseResponse> Promises);

public sealed record OpenWorkOrderRequest(Guid? LoanId, string? Note);

/// <summary>How a collector reached (or tried to reach) the borrower; JSON names call, sms, wechat, visit.</summary>
public enum CollectionContactChannel { Call, Sms, Wechat, Visit }

/// <summary>JSON names connected, no_answer, busy, refused, wrong_number.</summary>
public enum CollectionContactResult { Connected, NoAnswer, Busy, Refused, WrongNumber }

public sealed record ContactAttemptRequest(CollectionContactChannel? Channel, CollectionContactResult? Result, string? Note);

public sealed record PromiseRequest(long? Amount, DateOnly? PromisedOn);

public sealed record CollectorRequest(IReadOnlyList<string>? Regions, bool? Active);

public sealed record CollectorResponse(Guid StaffId, IReadOnlyList<string> Regions, bool Active, DateTimeOffset? LastAssignedAt, DateTimeOffset UpdatedAt);

public sealed record CollectorListResponse(IReadOnlyList<CollectorResponse> Items);

/// <summary>
/// Collection work orders for collectors (their own only) and their supervisors (department heads and admins, every
/// order), contact attempts held to the contact rules, promises to pay, and who collects where.
/// </summary>
public static class CollectionsApi
{
    private const int DefaultLimit = 50;
    private const int MaxLimit = 200;

    public static IEndpointRouteBuilder MapCollectionsApi(this IEndpointRouteBuilder app)
    {
        var orders = app.MapGroup("/v1/collection-work-orders").WithTags("Collections").RequireRateLimiting(RateLimitPolicies.PerCaller);
        orders.MapGet("/", List).WithName("ListCollectionWorkOrders").WithSummary("Work orders, most urgent first: a collector's own, or every one for a supervisor")
            .RequireAuthorization(Policies.Staff).ProducesAuthProblems(forbidden: true).ProducesProblems(400, 422, 429);
        orders.MapGet("/{workOrderId:guid}", Get).WithName("GetCollectionWorkOrder").WithSummary("A work order with its contact attempts and promises")
            .RequireAuthorization(Policies.Staff).ProducesAuthProblems(forbidden: true).ProducesProblems(404, 429);
        orders.MapPost("/", Open).WithName("OpenCollectionWorkOrder").WithSummary("Open a work order for a loan by hand")
            .RequireAuthorization(Policies.Supervisor).ProducesAuthProblems(forbidden: true).ProducesProblems(400, 404, 409, 422, 429)
            .Validates<OpenWorkOrderRequest>((r, v, _) =>
            {
                v.Required(r.LoanId, "loanId");
                v.Length(r.Note, 0, 500, "note");
            });
        orders.MapPost("/{workOrderId:guid}/contact-attempts", LogContact).WithName("LogCollectionContactAttempt")
            .WithSummary("Log a contact attempt; a call is counted against the borrower's daily cap, and the rules may refuse it")
            .RequireAuthorization(Policies.Staff).ProducesAuthProblems(forbidden: true).ProducesProblems(400, 404, 409, 422, 429)
            .Validates<ContactAttemptRequest>((r, v, _) =>
            {
                v.Required(r.Channel, "channel");
                v.Required(r.Result, "result");

                v.Length(r.Note, 0, 500, "note");
            });
        orders.MapPost("/{workOrderId:guid}/promises", Promise).WithName("RecordCollectionPromise")
            .WithSummary("Record the borrower's promise to pay an amount by a date")
            .RequireAuthorization(Policies.Staff).ProducesAuthProblems(forbidden: true).ProducesProblems(400, 404, 409, 422, 429)
            .Validates<PromiseRequest>((r, v, _) =>
            {
                if (v.Required(r.Amount, "amount"))
                {
                    v.Range(r.Amount, 1L, 100_000_000_00L, "amount");
                }

                v.Required(r.PromisedOn, "promisedOn");
            });
        var collectors = app.MapGroup("/v1/collectors").WithTags("Collections").RequireRateLimiting(RateLimitPolicies.PerCaller);
        collectors.MapGet("/", ListCollectors).WithName("ListCollectors").WithSummary("Who collects, and in which regions")
            .RequireAuthorization(Policies.Supervisor).ProducesAuthProblems(forbidden: true).ProducesProblems(429);
        collectors.MapPut("/{staffId:guid}", PutCollector).WithName("SetCollector").WithSummary("Set the regions a collector works, or take them off assignment")
            .RequireAuthorization(Policies.Supervisor).ProducesAuthProblems(forbidden: true).ProducesProblems(400, 404, 422, 429)
            .Validates<CollectorRequest>((r, v, _) =>
            {
                v.Required(r.Active, "active");
                if (v.Required(r.Regions, "regions") && (r.Regions!.Count > 40 || r.Regions.Any(code => code is not { Length: 2 or 4 or 6 } || !code.All(char.IsAsciiDigit))))
                {
                    v.Add("regions", "at most 40 region-code prefixes of 2, 4 or 6 digits (11, 1101, 110101); empty for every region");
                }
            });
        return app;
    }

    /// <summary>Department heads and admins see and open every order; a collector only theirs; other staff none.</summary>
    private static bool Supervises(CurrentCaller caller) => caller.IsSupervisor;

    private static bool Collects(CurrentCaller caller) => caller.Roles.Contains(Roles.Collector);

    private static ProblemHttpResult NotACollector() =>
        Problems.Create(StatusCodes.Status403Forbidden, "forbidden", "Work orders are for collectors and their supervisors.");

    public static async Task<Results<Ok<WorkOrderListResponse>, ProblemHttpResult>> List(
        string? status, Guid? assignedTo, int? limit, string? after, CurrentCaller caller, MySqlDataSource db, CancellationToken ct)
    {
        if (!Supervises(caller) && !Collects(caller))
        {
            return NotACollector();
        }

        var v = new RequestValidator();
        v.Range(limit, 1, MaxLimit, "limit");
        if (status is not null && status is not (WorkOrderStatus.Open or WorkOrderStatus.Promised or WorkOrderStatus.Closed))
        {
            v.Add("status", "must be open, promised or closed");
        }

        var position = ParseCursor(after, v);
        if (v.HasErrors)
        {
            return v.ToProblem();
        }

        var take = limit ?? DefaultLimit;
        var rows = await WorkOrderStore.ListAsync(db, Supervises(caller) ? assignedTo : caller.Id, status, position, take + 1, ct);
        var page = rows.Take(take).Select(ToResponse).ToArray();
        return TypedResults.Ok(new WorkOrderListResponse(page, rows.Count > take ? Cursor(rows[take - 1]) : null));
    }

    public static async Task<Results<Ok<WorkOrderDetailResponse>, ProblemHttpResult>> Get(Guid workOrderId, CurrentCaller caller, MySqlDataSource db, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        if (await WorkOrderStore.GetAsync(conn, workOrderId, ct) is not { } order || !MaySee(caller, order))
        {
            return Problems.NotFound("The work order");
        }

        return TypedResults.Ok(await DetailAsync(db, order, ct));
    }

    public static async Task<Results<Created<WorkOrderDetailResponse>, ProblemHttpResult>> Open(
        OpenWorkOrderRequest request, CurrentCaller caller, MySqlDataSource db, AuditTrail audit, IOptions<CollectionsOptions> options, TimeProvider clock, CancellationToken ct)
    {
        var now = DbTime.Now(clock);
        var today = ChinaTime.Today(clock).ToDateTime(TimeOnly.MinValue);
        await using var change = await DbChange.BeginAsync(db, audit, ct);
        var loan = await change.QuerySingleOrDefaultAsync<(Guid LoanId, Guid? BorrowerId, Guid ProductId, string RegionCode, string Status, bool StillCollected)>($"""
            SELECT l.id, l.borrower_id, l.product_id, a.declared_region_code, l.status, {WorkOrderStore.StillCollectedSql}
              FROM loans l JOIN applications a ON a.id = l.application_id WHERE l.id = @loanId FOR UPDATE
            """, new { loanId = request.LoanId }, ct);
        if (loan.LoanId == Guid.Empty)
        {
            return Problems.NotFound("The loan");
        }

        if (loan.BorrowerId is not { } borrowerId || !(loan.Status == LoanStatusNames.Active || loan.StillCollected))
        {
            return Problems.Conflict("loan_not_collectable", "Only an active or overdue loan of a borrower, or a written-off one not yet recovered, is collected.");
        }

        var standing = (await WorkOrderStore.OverdueLoansAsync(change, today, int.MaxValue, ct, only: loan.LoanId)).SingleOrDefault();
        var target = new OverdueLoan(loan.LoanId, borrowerId, loan.ProductId, loan.RegionCode, Math.Max(0, standing?.DaysOverdue ?? 0), standing?.OverdueAmount ?? 0);
        var id = Guid.CreateVersion7();
        if (await WorkOrderStore.OpenAsync(change, [(id, target, WorkOrderRules.Priority(target.DaysOverdue, target.OverdueAmount))], "manual", today, caller.Id, now, ct) == 0)
        {
            return Problems.Conflict("work_order_open", "The loan has an open work order already.");
        }

        await CollectionsJob.AssignAsync(change, options.Value.Assignment, now, ct);
        var order = (await WorkOrderStore.LockAsync(change, id, ct))!;
        change.Record(new AuditEntry(caller.Actor, "collection_work_order.opened", "collection_work_order", id.ToString(), null,
            new { reason = "manual", loanId = loan.LoanId, note = request.Note, assignedTo = order.AssignedTo }), now);
        await change.CommitAsync(ct);
        return TypedResults.Created($"/v1/collection-work-orders/{id}", new WorkOrderDetailResponse(ToResponse(order), [], []));
    }

    public static async Task<Results<Created<ContactAttemptResponse>, ProblemHttpResult>> LogContact(
        Guid workOrderId, ContactAttemptRequest request, CurrentCaller caller, MySqlDataSource db, AuditTrail audit, IOptions<ContactOptions> contact,
        TimeProvider clock, CancellationToken ct)
    {
        var now = DbTime.Now(clock);
        var at = DbTime.ToOffset(now);
        await using var change = await DbChange.BeginAsync(db, audit, ct);
        if (await WorkOrderStore.LockAsync(change, workOrderId, ct) is not { } order || order.AssignedTo != caller.Id)
        {
            return Problems.NotFound("The work order"); // only its collector logs contact on it
        }

        if (order.Status == WorkOrderStatus.Closed)
        {
            return Problems.Conflict("work_order_closed", "The work order is closed.");
        }

        var rules = contact.Value.Rules();
        var borrower = (await ContactGuard.LockAsync(change, [order.BorrowerId], now, ct))[order.BorrowerId];
        if (borrower.DoNotContact)
        {
            return Problems.Conflict("do_not_contact", "The borrower is not to be contacted.");
        }

        if (rules.IsQuiet(at))
        {
            return Problems.Conflict("quiet_hours", $"No contact in the quiet hours; from {rules.NextAllowed(at).ToOffset(ContactRules.ChinaOffset):yyyy-MM-dd HH:mm} China time.");
        }

        var id = Guid.CreateVersion7();
        var channel = EnumNames.Wire(request.Channel!.Value);
        var result = EnumNames.Wire(request.Result!.Value);
        if (request.Channel == CollectionContactChannel.Call)
        {
            if (rules.NextCallAllowed(at, borrower.CallsToday) is var allowed && allowed > at)
            {
                return Problems.Conflict("call_limit_reached",
                    $"The borrower has had the calls the rules allow for now (at most {rules.MaxConnectedCallsPerDay} connected a day, every caller counted); next from {allowed.ToOffset(ContactRules.ChinaOffset):yyyy-MM-dd HH:mm} China time.");
            }

            await ContactGuard.RecordCallAsync(change, order.BorrowerId, ContactSources.Collector, id, now, ct);
            await ContactGuard.SetConnectedAsync(change, ContactSources.Collector, id, request.Result == CollectionContactResult.Connected, ct);
        }

        await change.ExecuteAsync("""
            INSERT INTO collection_contacts (id, work_order_id, collector_id, channel, result, note, contacted_at)
            VALUES (@id, @workOrderId, @collectorId, @channel, @result, @note, @now)
            """, new { id, workOrderId, collectorId = caller.Id, channel, result, note = request.Note, now }, ct);
        var response = new ContactAttemptResponse(id, caller.Id, channel, result, request.Note, at);
        change.Audit(new AuditEntry(caller.Actor, "collection_contact.logged", "collection_work_order", workOrderId.ToString(), null, response));
        await change.CommitAsync(ct);
        return TypedResults.Created($"/v1/collection-work-orders/{workOrderId}", response);
    }

    public static async Task<Results<Created<PromiseResponse>, ProblemHttpResult>> Promise(
        Guid workOrderId, PromiseRequest request, CurrentCaller caller, MySqlDataSource db, AuditTrail audit, IOptions<CollectionsOptions> options,
        TimeProvider clock, CancellationToken ct)
    {
        var now = DbTime.Now(clock);
        var today = ChinaTime.Today(clock);
        if (request.PromisedOn < today || request.PromisedOn > today.AddDays(options.Value.MaxPromiseDays))
        {
            return Problems.Unprocessable("validation_failed", "The request has invalid fields.", "promisedOn",
                $"must be from today to {options.Value.MaxPromiseDays} days ahead ({today:yyyy-MM-dd} to {today.AddDays(options.Value.MaxPromiseDays):yyyy-MM-dd})");
        }

        await using var change = await DbChange.BeginAsync(db, audit, ct);
        if (await WorkOrderStore.LockAsync(change, workOrderId, ct) is not { } order || order.AssignedTo != caller.Id)
        {
            return Problems.NotFound("The work order");
        }

        if (order.Status != WorkOrderStatus.Open)
        {
            return Problems.Conflict(order.Status == WorkOrderStatus.Closed ? "work_order_closed" : "promise_open",
                order.Status == WorkOrderStatus.Closed ? "The work order is closed." : "A promise is open on this order; it is kept or broken first.");
        }

        var id = Guid.CreateVersion7();
        var paidBefore = await change.ScalarAsync<long>(WorkOrderStore.PaidSql, new { loanId = order.LoanId }, ct);
        await change.ExecuteAsync("""
            INSERT INTO collection_promises (id, work_order_id, amount, promised_on, paid_before, status, created_by, created_at)
            VALUES (@id, @workOrderId, @amount, @promisedOn, @paidBefore, 'open', @by, @now);
            UPDATE collection_work_orders SET status = 'promised', updated_at = @now WHERE id = @workOrderId;
            """, new { id, workOrderId, amount = request.Amount, promisedOn = request.PromisedOn!.Value.ToDateTime(TimeOnly.MinValue), paidBefore, by = caller.Id, now }, ct);
        var response = new PromiseResponse(id, request.Amount!.Value, request.PromisedOn.Value, "open", caller.Id, DbTime.ToOffset(now), null);
        change.Record(new AuditEntry(caller.Actor, "collection_promise.recorded", "collection_promise", id.ToString(), null, response), now);
        await change.CommitAsync(ct);
        return TypedResults.Created($"/v1/collection-work-orders/{workOrderId}", response);
    }

    public static async Task<Ok<CollectorListResponse>> ListCollectors(MySqlDataSource db, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        var rows = await conn.QueryAsync<(Guid StaffId, string Regions, bool Active, DateTime? LastAssignedAt, DateTime UpdatedAt)>(new CommandDefinition(
            "SELECT staff_id, regions, active, last_assigned_at, updated_at FROM collectors ORDER BY staff_id", cancellationToken: ct));
        return TypedResults.Ok(new CollectorListResponse(rows.Select(r => new CollectorResponse(r.StaffId, WorkOrderStore.Regions(r.Regions), r.Active,
            DbTime.ToOffset(r.LastAssignedAt), DbTime.ToOffset(r.UpdatedAt))).ToArray()));
    }

    public static async Task<Results<Ok<CollectorResponse>, ProblemHttpResult>> PutCollector(
        Guid staffId, CollectorRequest request, CurrentCaller caller, MySqlDataSource db, AuditTrail audit, TimeProvider clock, CancellationToken ct)
    {
        var now = DbTime.Now(clock);
        await using var change = await DbChange.BeginAsync(db, audit, ct);
        var roles = await change.ScalarAsync<string?>("SELECT roles FROM staff_users WHERE id = @staffId AND disabled = 0", new { staffId }, ct);
        if (roles is null)
        {
            return Problems.NotFound("The staff member");
        }

        if (!roles.Split(',').Contains(Roles.Collector))
        {
            return Problems.Unprocessable("not_a_collector", "Only a member of staff with the collector role collects.", "staffId", "does not hold the collector role");
        }

        var regions = string.Join(',', request.Regions!.Distinct());
        await change.ExecuteAsync("""
            INSERT INTO collectors (staff_id, regions, active, updated_by, updated_at) VALUES (@staffId, @regions, @active, @by, @now)
            ON DUPLICATE KEY UPDATE regions = VALUES(regions), active = VALUES(active), updated_by = VALUES(updated_by), updated_at = VALUES(updated_at)
            """, new { staffId, regions, active = request.Active, by = caller.Id, now }, ct);
        var last = await change.ScalarAsync<DateTime?>("SELECT last_assigned_at FROM collectors WHERE staff_id = @staffId", new { staffId }, ct);
        var response = new CollectorResponse(staffId, WorkOrderStore.Regions(regions), request.Active!.Value, DbTime.ToOffset(last), DbTime.ToOffset(now));
        change.Audit(new AuditEntry(caller.Actor, "collector.set", "staff", staffId.ToString(), null, response));
        await change.CommitAsync(ct);
        return TypedResults.Ok(response);
    }

    private static bool MaySee(CurrentCaller caller, WorkOrderRow order) => Supervises(caller) || (Collects(caller) && order.AssignedTo == caller.Id);

    private static async Task<WorkOrderDetailResponse> DetailAsync(MySqlDataSource db, WorkOrderRow order, CancellationToken ct)
    {
        var (contacts, promises) = await WorkOrderStore.HistoryAsync(db, order.Id, ct);
        return new WorkOrderDetailResponse(ToResponse(order),
            contacts.Select(c => new ContactAttemptResponse(c.Id, c.CollectorId, c.Channel, c.Result, c.Note, DbTime.ToOffset(c.ContactedAt))).ToArray(),
            promises.Select(p => new PromiseResponse(p.Id, p.Amount, DateOnly.FromDateTime(p.PromisedOn), p.Status, p.CreatedBy, DbTime.ToOffset(p.CreatedAt),
                DbTime.ToOffset(p.SettledAt))).ToArray());
    }

    private static WorkOrderResponse ToResponse(WorkOrderRow o) => new(o.Id, o.LoanId, o.BorrowerId, o.RegionCode, o.Status, o.Reason, o.Priority, o.DaysPastDue,
        o.OverdueAmount, o.AssignedTo, DateOnly.FromDateTime(o.OpenedOn), DbTime.ToOffset(o.ClosedAt), o.CloseReason, DbTime.ToOffset(o.CreatedAt), DbTime.ToOffset(o.UpdatedAt));

    private static string Cursor(WorkOrderRow o) => o.Priority.ToString(CultureInfo.InvariantCulture) + "_" + o.Id.ToString("N");

    private static (int Priority, Guid Id)? ParseCursor(string? after, RequestValidator v)
    {
        if (after is null)
        {
            return null;
        }

        var parts = after.Split('_');
        if (parts.Length == 2 && int.TryParse(parts[0], NumberStyles.Integer, CultureInfo.InvariantCulture, out var priority) && Guid.TryParseExact(parts[1], "N", out var id))
        {
            return (priority, id);
        }

        v.Add("after", "is not a cursor this list gave");
        return null;
    }
}
