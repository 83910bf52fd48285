using Dapper;
using HeadlessLoan.Api.Features.Loans;
using HeadlessLoan.Api.Platform;
using HeadlessLoan.Api.Platform.Audit;
using HeadlessLoan.Api.Platform.Auth;
using HeadlessLoan.Api.Platform.Database;
using HeadlessLoan.Api.Platform.Errors;
using HeadlessLoan.Api.Platform.RateLimiting;
using HeadlessLoan.Domain.Collections;
using HeadlessLoan.Domain.Ledger;
using HeadlessLoan.Domain.Loans;
using HeadlessLoan.Domain.Overdue;
using Microsoft.AspNetCore.Http.HttpResults;
using MySqlConnector;

namespace HeadlessLoan.Api.Features.Collections;

public sealed record WriteOffRequest(string? Reason);

public sealed record WriteOffResponse(
    Guid Id, Guid LoanId, Guid? WorkOrderId, string Status, string Reason, Guid ProposedBy, DateTimeOffset ProposedAt, Guid? DecidedBy,
    DateTimeOffset? DecidedAt, DateOnly? WrittenOffOn, LoanAmounts? WrittenOff, long Recovered);

public sealed record WriteOffListResponse(IReadOnlyList<WriteOffResponse> Items);

/// <summary>The states of a write-off; JSON names proposed, written_off, rejected, withdrawn, lapsed.</summary>
public enum WriteOffStatus { Proposed, WrittenOff, Rejected, Withdrawn, Lapsed }

/// <summary>
/// Write-offs of 损失 loans: proposed from a work order by its collector (or by a department head), approved by a
/// second person of a higher role than the proposer's (<see cref="WriteOffRules"/>), who writes the loan off then
/// (<see cref="LoanWriteOffs"/>: posted to the ledger in the approval's transaction); rejected by a supervisor or
/// withdrawn by the proposer instead. Audited each step. What the borrower pays afterwards is posted as a recovery.
/// </summary>
public static class WriteOffsApi
{
    private const int DefaultLimit = 50;
    private const int MaxLimit = 200;

    public static IEndpointRouteBuilder MapWriteOffsApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/v1/collection-work-orders/{workOrderId:guid}/write-off", Propose).WithTags("Collections").RequireRateLimiting(RateLimitPolicies.PerCaller)
            .WithName("ProposeWriteOff").WithSummary("Propose writing off the order's loan as a loss; a second person of a higher role approves it")
            .RequireAuthorization(Policies.Staff).ProducesAuthProblems(forbidden: true).ProducesProblems(400, 404, 409, 422, 429)
            .Validates<WriteOffRequest>((r, v, _) =>
            {
                if (v.Required(r.Reason, "reason"))
                {
                    v.Length(r.Reason!.Trim(), 5, 400, "reason");
                }
            });
        var group = app.MapGroup("/v1/write-offs").WithTags("Collections").RequireRateLimiting(RateLimitPolicies.PerCaller);
        group.MapGet("/", List).WithName("ListWriteOffs").WithSummary("Write-offs, newest first: a supervisor's every one, anyone else's their own proposals")
            .RequireAuthorization(Policies.Staff).ProducesAuthProblems(forbidden: true).ProducesProblems(400, 422, 429);
        group.MapGet("/{writeOffId:guid}", Get).WithName("GetWriteOff").WithSummary("A write-off, with what was written off and recovered since")
            .RequireAuthorization(Policies.Staff).ProducesAuthProblems(forbidden: true).ProducesProblems(404, 429);
        group.MapPost("/{writeOffId:guid}/approve", (Guid writeOffId, CurrentCaller caller, MySqlDataSource db, AuditTrail audit, LoanWriteOffs loans, TimeProvider clock, CancellationToken ct) =>
                DecideAsync(writeOffId, WriteOffStatus.WrittenOff, caller, db, audit, loans, clock, ct))
            .WithName("ApproveWriteOff").WithSummary("Approve a write-off proposed by someone of a lower role: the loan is written off now")
            .RequireAuthorization(Policies.Supervisor).ProducesAuthProblems(forbidden: true).ProducesProblems(400, 404, 409, 422, 429);
        group.MapPost("/{writeOffId:guid}/reject", (Guid writeOffId, CurrentCaller caller, MySqlDataSource db, AuditTrail audit, LoanWriteOffs loans, TimeProvider clock, CancellationToken ct) =>
                DecideAsync(writeOffId, WriteOffStatus.Rejected, caller, db, audit, loans, clock, ct))
            .WithName("RejectWriteOff").WithSummary("Refuse a proposed write-off: the loan stays as it is")
            .RequireAuthorization(Policies.Supervisor).ProducesAuthProblems(forbidden: true).ProducesProblems(400, 404, 409, 422, 429);
        group.MapPost("/{writeOffId:guid}/withdraw", (Guid writeOffId, CurrentCaller caller, MySqlDataSource db, AuditTrail audit, LoanWriteOffs loans, TimeProvider clock, CancellationToken ct) =>
                DecideAsync(writeOffId, WriteOffStatus.Withdrawn, caller, db, audit, loans, clock, ct))
            .WithName("WithdrawWriteOff").WithSummary("Withdraw your own proposed write-off")
            .RequireAuthorization(Policies.Staff).ProducesAuthProblems(forbidden: true).ProducesProblems(400, 404, 409, 422, 429);
        return app;
    }

    public static async Task<Results<Created<WriteOffResponse>, ProblemHttpResult>> Propose(
        Guid workOrderId, WriteOffRequest request, CurrentCaller caller, MySqlDataSource db, AuditTrail audit, TimeProvider clock, CancellationToken ct)
    {
        var now = DbTime.Now(clock);
        await using var change = await DbChange.BeginAsync(db, audit, ct);
        // A collector proposes on their own orders only; a supervisor on any.
        if (await WorkOrderStore.GetAsync(change.Connection, workOrderId, ct, tx: change.Transaction) is not { } order
            || !(caller.IsSupervisor || (caller.Roles.Contains(Roles.Collector) && order.AssignedTo == caller.Id)))
        {
            return Problems.NotFound("The work order");
        }

        if (order.Status == WorkOrderStatus.Closed && !caller.IsSupervisor)
        {
            return Problems.Conflict("work_order_closed", "The work order is closed.");
        }

        if (caller.Seniority >= Roles.MostSenior)
        {
            return Problems.Create(StatusCodes.Status403Forbidden, WriteOffRefusals.NotSenior,
                "Nobody holds a higher role than yours to approve a write-off; a collector or a department head proposes it.");
        }

        // The loan first, then the proposal: the order every change to a loan locks in.
        var loan = (await LoanWriteOffs.LockAsync(change, order.LoanId, ct))!;
        if (WriteOffRules.Refusal(LoanStatusNames.Parse(loan.Status), RiskClassNames.Parse(loan.RiskClass)) is { } refusal)
        {
            return Refused(refusal);
        }

        var row = new WriteOffRow(Guid.CreateVersion7(), order.LoanId, workOrderId, EnumNames.Wire(WriteOffStatus.Proposed), request.Reason!.Trim(), caller.Id,
            caller.Seniority, now, null, null, null, 0, 0, 0, 0, 0);
        var added = await change.ExecuteAsync("""
            INSERT IGNORE INTO loan_write_offs (id, loan_id, work_order_id, reason, status, proposed_by, proposer_seniority, proposed_at, pending_loan)
            VALUES (@Id, @LoanId, @WorkOrderId, @Reason, @Status, @ProposedBy, @ProposerSeniority, @ProposedAt, @LoanId)
            """, row, ct);
        if (added == 0)
        {
            return Problems.Conflict("write_off_pending", "A write-off of this loan waits for approval already; approve, reject or withdraw it first.");
        }

        var response = row.ToResponse();
        change.Record(new AuditEntry(caller.Actor, "write_off.proposed", "loan", order.LoanId.ToString(), null, response), now);
        await change.CommitAsync(ct);
        return TypedResults.Created($"/v1/write-offs/{row.Id}", response);
    }

    public static async Task<Results<Ok<WriteOffListResponse>, ProblemHttpResult>> List(
        WriteOffStatus? status, Guid? loanId, int? limit, CurrentCaller caller, MySqlDataSource db, CancellationToken ct)
    {
        var v = new RequestValidator();
        v.Range(limit, 1, MaxLimit, "limit");
        if (v.HasErrors)
        {
            return v.ToProblem();
        }

        await using var conn = await db.OpenConnectionAsync(ct);
        var rows = await conn.QueryAsync<WriteOffRow>(new CommandDefinition(Select + """
             WHERE (@status IS NULL OR w.status = @status) AND (@loanId IS NULL OR w.loan_id = @loanId) AND (@proposedBy IS NULL OR w.proposed_by = @proposedBy)
             ORDER BY w.proposed_at DESC, w.id DESC LIMIT @take
            """, new { status = status is { } s ? EnumNames.Wire(s) : null, loanId, proposedBy = caller.IsSupervisor ? (Guid?)null : caller.Id, take = limit ?? DefaultLimit },
            cancellationToken: ct));
        return TypedResults.Ok(new WriteOffListResponse(rows.Select(r => r.ToResponse()).ToArray()));
    }

    public static async Task<Results<Ok<WriteOffResponse>, ProblemHttpResult>> Get(Guid writeOffId, CurrentCaller caller, MySqlDataSource db, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        var row = await conn.QuerySingleOrDefaultAsync<WriteOffRow>(new CommandDefinition(Select + " WHERE w.id = @writeOffId", new { writeOffId }, cancellationToken: ct));
        return row is null || !(caller.IsSupervisor || row.ProposedBy == caller.Id) ? Problems.NotFound("The write-off") : TypedResults.Ok(row.ToResponse());
    }

    private static async Task<Results<Ok<WriteOffResponse>, ProblemHttpResult>> DecideAsync(
        Guid writeOffId, WriteOffStatus next, CurrentCaller caller, MySqlDataSource db, AuditTrail audit, LoanWriteOffs loans, TimeProvider clock, CancellationToken ct)
    {
        var now = DbTime.Now(clock);
        await using var change = await DbChange.BeginAsync(db, audit, ct);
        if (await change.ScalarAsync<Guid?>("SELECT loan_id FROM loan_write_offs WHERE id = @writeOffId", new { writeOffId }, ct) is not { } loanId)
        {
            return Problems.NotFound("The write-off");
        }

        // The loan first, then the write-off: the order every change to a loan locks in.
        var loan = (await LoanWriteOffs.LockAsync(change, loanId, ct))!;
        var row = (await change.QuerySingleOrDefaultAsync<WriteOffRow>(Select + " WHERE w.id = @writeOffId FOR UPDATE", new { writeOffId }, ct))!;
        if (DecisionRefusal(row, next, caller) is { } refused)
        {
            return refused;
        }

        var decided = row with { Status = EnumNames.Wire(next), DecidedBy = caller.Id, DecidedAt = now };
        if (next == WriteOffStatus.WrittenOff)
        {
            var (writtenOff, notAllowed) = await WriteOffAsync(change, decided, loans, caller, ChinaTime.Today(clock), now, ct);
            if (notAllowed is not null)
            {
                // The loan was repaid or reclassified since (judged under its lock just now): the proposal lapses, kept
                // so, and the refusal is the answer.
                await LapseAsync(change, row, caller.Actor, now, ct);
                await change.CommitAsync(ct);
                return Refused(notAllowed);
            }

            decided = writtenOff!;
        }

        await change.ExecuteAsync(DecidedSql, decided, ct);
        var response = decided.ToResponse();
        change.Record(new AuditEntry(caller.Actor, "write_off." + decided.Status, "loan", loanId.ToString(), new { status = row.Status, loanStatus = loan.Status }, response), now);
        await change.CommitAsync(ct);
        return TypedResults.Ok(response);
    }

    /// <summary>Why <paramref name="caller"/> may not move the proposal to <paramref name="next"/>, or null when they may.</summary>
    private static ProblemHttpResult? DecisionRefusal(WriteOffRow row, WriteOffStatus next, CurrentCaller caller)
    {
        if (next == WriteOffStatus.Withdrawn && row.ProposedBy != caller.Id)
        {
            return Problems.NotFound("The write-off"); // only its proposer withdraws it
        }

        if (row.Status != EnumNames.Wire(WriteOffStatus.Proposed))
        {
            return Problems.Conflict("write_off_not_pending", "The write-off was decided already.");
        }

        return next switch
        {
            WriteOffStatus.WrittenOff when WriteOffRules.ApprovalRefusal(row.ProposedBy, row.ProposerSeniority, caller.Id, caller.Seniority) is { } refusal => Refused(refusal),
            WriteOffStatus.Rejected when row.ProposedBy == caller.Id => Refused(WriteOffRefusals.SamePerson), // the proposer withdraws instead
            _ => null,
        };
    }

    /// <summary>The approval's write-off of the loan (<see cref="LoanWriteOffs.WriteOffAsync"/>): the proposal as decided with its figures, or the loan's refusal.</summary>
    private static async Task<(WriteOffRow? Decided, string? Refusal)> WriteOffAsync(
        DbChange change, WriteOffRow decided, LoanWriteOffs loans, CurrentCaller caller, DateOnly on, DateTime now, CancellationToken ct)
    {
        var (writtenOff, fromCredit, refusal) = await loans.WriteOffAsync(change, decided.LoanId, decided.Id, on, caller.Actor, now, ct);
        if (refusal is not null)
        {
            return (null, refusal);
        }

        // Credit recovered at the write-off is no payment: an open promise does not count it as kept.
        await change.ExecuteAsync("""
            UPDATE collection_promises p JOIN collection_work_orders w ON w.id = p.work_order_id
               SET p.paid_before = p.paid_before + @fromCredit
             WHERE w.loan_id = @loanId AND p.status = 'open'
            """, new { loanId = decided.LoanId, fromCredit }, ct);
        return (decided with
        {
            WrittenOffOn = on.ToDateTime(TimeOnly.MinValue), PrincipalWrittenOff = writtenOff!.Value.Principal, InterestWrittenOff = writtenOff.Value.Interest,
            PenaltyWrittenOff = writtenOff.Value.Penalty, FeeWrittenOff = writtenOff.Value.Fee, Recovered = fromCredit,
        }, null);
    }

    /// <summary>
    /// The daily pass's part: lapses the proposals whose loan is no longer an overdue loss loan (repaid, reclassified)
    /// and that nobody decided, so they leave the approvers' queue and the loan is free for a fresh proposal. The
    /// loans are locked first (in id order), then the proposals, judged again under those locks. Returns how many lapsed.
    /// </summary>
    public static async Task<int> LapseStaleAsync(DbChange change, DateTime now, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(change);
        var stale = (await change.QueryAsync<Guid>($"SELECT w.loan_id FROM loan_write_offs w JOIN loans l ON l.id = w.loan_id WHERE w.status = 'proposed' AND NOT {Eligible}",
            null, ct)).ToArray();
        if (stale.Length == 0)
        {
            return 0;
        }

        await change.QueryAsync<Guid>("SELECT id FROM loans WHERE id IN @stale ORDER BY id FOR UPDATE", new { stale }, ct);
        var rows = (await change.QueryAsync<WriteOffRow>(Select + $" WHERE w.loan_id IN @stale AND w.status = 'proposed' AND NOT {Eligible} FOR UPDATE",
            new { stale }, ct)).ToArray();
        foreach (var row in rows)
        {
            await LapseAsync(change, row, AuditActor.System, now, ct);
        }

        return rows.Length;
    }

    /// <summary>An overdue loan classified loss: what a proposal needs of its loan to stay pending.</summary>
    private static readonly string Eligible = $"(l.status = '{LoanStatusNames.Overdue}' AND l.risk_class = '{RiskClassNames.Loss}')";

    /// <summary>One proposal lapses (its loan locked before it, by the caller), recorded on the loan as every step is.</summary>
    private static async Task LapseAsync(DbChange change, WriteOffRow row, AuditActor actor, DateTime now, CancellationToken ct)
    {
        var lapsed = row with { Status = EnumNames.Wire(WriteOffStatus.Lapsed), DecidedAt = now };
        await change.ExecuteAsync(DecidedSql, lapsed, ct);
        change.Record(new AuditEntry(actor, "write_off.lapsed", "loan", row.LoanId.ToString(), new { status = row.Status }, lapsed.ToResponse()), now);
    }

    private const string DecidedSql = "UPDATE loan_write_offs SET status = @Status, decided_by = @DecidedBy, decided_at = @DecidedAt, pending_loan = NULL WHERE id = @Id";

    private static ProblemHttpResult Refused(string refusal) => refusal switch
    {
        WriteOffRefusals.NotLoss => Problems.Conflict(refusal, "Only a loan classified loss (损失) is written off."),
        LoanRefusals.NotOverdue => Problems.Conflict(refusal, "Only an overdue loan is written off."),
        WriteOffRefusals.SamePerson => Problems.SamePerson("A second person decides a write-off, not the one who proposed it."),
        WriteOffRefusals.NotSenior => Problems.Create(StatusCodes.Status403Forbidden, refusal, "A write-off is approved by someone of a higher role than the proposer's."),
        _ => throw new ArgumentOutOfRangeException(nameof(refusal), refusal, null),
    };

    // What was written off and recovered is the loan's (kept by the loans feature); the proposal is collections'.
    private const string Select = """
        SELECT w.id, w.loan_id, w.work_order_id, w.status, w.reason, w.proposed_by, w.proposer_seniority, w.proposed_at, w.decided_by, w.decided_at,
               IF(w.status = 'written_off', l.written_off_on, NULL) AS written_off_on,
               l.principal_written_off, l.interest_written_off, l.penalty_written_off, l.fee_written_off, l.recovered
          FROM loan_write_offs w JOIN loans l ON l.id = w.loan_id
        """;

    private sealed record WriteOffRow(
        Guid Id, Guid LoanId, Guid? WorkOrderId, string Status, string Reason, Guid ProposedBy, int ProposerSeniority, DateTime ProposedAt,
        Guid? DecidedBy, DateTime? DecidedAt, DateTime? WrittenOffOn, long PrincipalWrittenOff, long InterestWrittenOff, long PenaltyWrittenOff,
        long FeeWrittenOff, long Recovered)
    {
        public WriteOffResponse ToResponse()
        {
            var writtenOff = Status == EnumNames.Wire(WriteOffStatus.WrittenOff);
            return new WriteOffResponse(Id, LoanId, WorkOrderId, Status, Reason, ProposedBy, DbTime.ToOffset(ProposedAt), DecidedBy, DbTime.ToOffset(DecidedAt),
                WrittenOffOn is { } on ? DateOnly.FromDateTime(on) : null,
                writtenOff ? LoanAmounts.Of(new LoanComponents(PrincipalWrittenOff, InterestWrittenOff, PenaltyWrittenOff, FeeWrittenOff)) : null,
                writtenOff ? Recovered : 0);
        }
    }
}
