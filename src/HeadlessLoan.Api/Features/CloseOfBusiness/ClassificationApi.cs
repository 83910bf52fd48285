using System.Globalization;
using HeadlessLoan.Api.Features.Loans;
using HeadlessLoan.Api.Platform.Audit;
using HeadlessLoan.Api.Platform.Auth;
using HeadlessLoan.Api.Platform.Database;
using HeadlessLoan.Api.Platform.Errors;
using HeadlessLoan.Api.Platform.RateLimiting;
using HeadlessLoan.Domain.Loans;
using HeadlessLoan.Domain.Overdue;
using Microsoft.AspNetCore.Http.HttpResults;
using MySqlConnector;

namespace HeadlessLoan.Api.Features.CloseOfBusiness;

public sealed record ClassFloorBody(RiskClass? RiskClass, int? MinDaysPastDue);

public sealed record ClassificationTableRequest(IReadOnlyList<ClassFloorBody>? Floors, string? Note);

public sealed record ClassFloorResponse(string RiskClass, int MinDaysPastDue);

public sealed record ClassificationTableResponse(int Version, IReadOnlyList<ClassFloorResponse> Floors, string Note, Guid? CreatedBy, DateTimeOffset CreatedAt);

public sealed record RiskClassOverrideRequest(Guid? LoanId, RiskClass? RiskClass, string? Reason);

public sealed record RiskClassOverrideResponse(
    Guid Id, Guid LoanId, string RiskClass, string Reason, string Status, Guid RequestedBy, DateTimeOffset RequestedAt, Guid? DecidedBy, DateTimeOffset? DecidedAt);

public sealed record RiskClassOverrideListResponse(IReadOnlyList<RiskClassOverrideResponse> Items);

/// <summary>
/// The five-tier classification: the versioned table of floors the close of business classifies by, and manual
/// classes over it, asked for by one supervisor and approved by another, audited each step.
/// </summary>
public static class ClassificationApi
{
    public static IEndpointRouteBuilder MapClassificationApi(this IEndpointRouteBuilder app)
    {
        var table = app.MapGroup("/v1/risk-classification").WithTags("Close of business").RequireRateLimiting(RateLimitPolicies.PerCaller);
        table.MapGet("/", GetTable).WithName("GetRiskClassification").WithSummary("The classification table in force, or a given version")
            .RequireAuthorization(Policies.Staff).ProducesAuthProblems(forbidden: true).ProducesProblems(400, 404, 429);
        table.MapPut("/", PutTable).WithName("ChangeRiskClassification").WithSummary("Replace the classification table: writes a new version")
            .RequireAuthorization(Policies.Admin).ProducesAuthProblems(forbidden: true).ProducesProblems(400, 422, 429)
            .Validates<ClassificationTableRequest>((r, v, _) =>
            {
                v.Required(r.Floors, "floors");
                if (v.Required(r.Note, "note"))
                {
                    v.Length(r.Note!.Trim(), 1, 200, "note");
                }
            });
        var overrides = app.MapGroup("/v1/risk-class-overrides").WithTags("Close of business").RequireRateLimiting(RateLimitPolicies.PerCaller);
        overrides.MapGet("/", ListOverrides).WithName("ListRiskClassOverrides").WithSummary("A loan's manual classes, newest first")
            .RequireAuthorization(Policies.Staff).ProducesAuthProblems(forbidden: true).ProducesProblems(400, 404, 422, 429);
        overrides.MapPost("/", RequestOverride).WithName("RequestRiskClassOverride").WithSummary("Ask for a manual risk class; another supervisor approves it")
            .RequireAuthorization(Policies.Supervisor).ProducesAuthProblems(forbidden: true).ProducesProblems(400, 404, 409, 422, 429)
            .Validates<RiskClassOverrideRequest>((r, v, _) =>
            {
                v.Required(r.LoanId, "loanId");
                v.Required(r.RiskClass, "riskClass");

                if (v.Required(r.Reason, "reason"))
                {
                    v.Length(r.Reason!.Trim(), 5, 400, "reason");
                }
            });
        overrides.MapPost("/{overrideId:guid}/approve", (Guid overrideId, CurrentCaller caller, MySqlDataSource db, AuditTrail audit, TimeProvider clock, CancellationToken ct) =>
                DecideAsync(overrideId, Decision.Approve, caller, db, audit, clock, ct))
            .WithName("ApproveRiskClassOverride").WithSummary("Approve a manual risk class another supervisor asked for: it stands from now on")
            .RequireAuthorization(Policies.Supervisor).ProducesAuthProblems(forbidden: true).ProducesProblems(400, 404, 409, 422, 429);
        overrides.MapPost("/{overrideId:guid}/reject", (Guid overrideId, CurrentCaller caller, MySqlDataSource db, AuditTrail audit, TimeProvider clock, CancellationToken ct) =>
                DecideAsync(overrideId, Decision.Reject, caller, db, audit, clock, ct))
            .WithName("RejectRiskClassOverride").WithSummary("Refuse a manual risk class that waits for approval")
            .RequireAuthorization(Policies.Supervisor).ProducesAuthProblems(forbidden: true).ProducesProblems(400, 404, 409, 422, 429);
        overrides.MapPost("/{overrideId:guid}/withdraw", (Guid overrideId, CurrentCaller caller, MySqlDataSource db, AuditTrail audit, TimeProvider clock, CancellationToken ct) =>
                DecideAsync(overrideId, Decision.Withdraw, caller, db, audit, clock, ct))
            .WithName("WithdrawRiskClassOverride").WithSummary("Withdraw a standing manual risk class: the next close classifies the loan by the table")
            .RequireAuthorization(Policies.Supervisor).ProducesAuthProblems(forbidden: true).ProducesProblems(400, 404, 409, 422, 429);
        return app;
    }

    private enum Decision { Approve, Reject, Withdraw }

    public static async Task<Results<Ok<ClassificationTableResponse>, ProblemHttpResult>> GetTable(int? version, MySqlDataSource db, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        var row = await Dapper.SqlMapper.QuerySingleOrDefaultAsync<TableRow>(conn, new Dapper.CommandDefinition(
            "SELECT version, floors, note, created_by, created_at FROM risk_classification_tables WHERE (@version IS NULL OR version = @version) ORDER BY version DESC LIMIT 1",
            new { version }, cancellationToken: ct));
        return row is null ? Problems.NotFound("The classification table version") : TypedResults.Ok(row.ToResponse());
    }

    public static async Task<Results<Ok<ClassificationTableResponse>, ProblemHttpResult>> PutTable(
        ClassificationTableRequest request, CurrentCaller caller, MySqlDataSource db, AuditTrail audit, TimeProvider clock, CancellationToken ct)
    {
        var floors = new List<ClassFloor>();
        foreach (var (floor, i) in request.Floors!.Select((f, i) => (f, i)))
        {
            if (floor.RiskClass is not { } riskClass || floor.MinDaysPastDue is not { } days || days < 0 || days > 36_500)
            {
                return Problems.Unprocessable("classification_invalid", "The classification table is not usable.", $"floors[{i}]",
                    "each floor is a riskClass (normal, special_mention, substandard, doubtful, loss) and minDaysPastDue 0 to 36500");
            }

            floors.Add(new ClassFloor(riskClass, days));
        }

        var now = DbTime.Now(clock);
        await using var change = await DbChange.BeginAsync(db, audit, ct);
        var latest = await change.ScalarAsync<int>("SELECT COALESCE(MAX(version), 0) FROM risk_classification_tables FOR UPDATE", null, ct);
        var table = new ClassificationTable(latest + 1, floors);
        if (table.Problem() is { } problem)
        {
            return Problems.Unprocessable("classification_invalid", "The classification table is not usable.", "floors", problem);
        }

        var stored = string.Join(',', floors.Select(f => f.Class.ToWire() + ":" + f.MinDaysPastDue.ToString(CultureInfo.InvariantCulture)));
        await change.ExecuteAsync("INSERT INTO risk_classification_tables (version, floors, note, created_by, created_at) VALUES (@version, @stored, @note, @by, @now)",
            new { version = table.Version, stored, note = request.Note!.Trim(), by = caller.Id, now }, ct);
        var response = new TableRow(table.Version, stored, request.Note.Trim(), caller.Id, now).ToResponse();
        change.Record(new AuditEntry(caller.Actor, "risk_classification.changed", "risk_classification", table.Version.ToString(CultureInfo.InvariantCulture), null, response), now);
        await change.CommitAsync(ct);
        return TypedResults.Ok(response);
    }

    public static async Task<Results<Ok<RiskClassOverrideListResponse>, ProblemHttpResult>> ListOverrides(Guid loanId, MySqlDataSource db, CancellationToken ct)
    {
        // loanId is a required query parameter: a missing or malformed one is answered 400 before this runs.
        await using var conn = await db.OpenConnectionAsync(ct);
        if (await Dapper.SqlMapper.ExecuteScalarAsync<int>(conn, new Dapper.CommandDefinition("SELECT COUNT(*) FROM loans WHERE id = @loanId", new { loanId }, cancellationToken: ct)) == 0)
        {
            return Problems.NotFound("The loan");
        }

        var rows = await Dapper.SqlMapper.QueryAsync<OverrideRow>(conn, new Dapper.CommandDefinition(
            OverrideColumns + " WHERE loan_id = @loanId ORDER BY requested_at DESC, id DESC", new { loanId }, cancellationToken: ct));
        return TypedResults.Ok(new RiskClassOverrideListResponse(rows.Select(r => r.ToResponse()).ToArray()));
    }

    public static async Task<Results<Created<RiskClassOverrideResponse>, ProblemHttpResult>> RequestOverride(
        RiskClassOverrideRequest request, CurrentCaller caller, MySqlDataSource db, AuditTrail audit, TimeProvider clock, CancellationToken ct)
    {
        var now = DbTime.Now(clock);
        var loanId = request.LoanId!.Value;
        await using var change = await DbChange.BeginAsync(db, audit, ct);
        var status = await change.ScalarAsync<string?>("SELECT status FROM loans WHERE id = @loanId FOR UPDATE", new { loanId }, ct);
        if (status is null)
        {
            return Problems.NotFound("The loan");
        }

        if (status is not (LoanStatusNames.Active or LoanStatusNames.Overdue))
        {
            return Problems.Conflict("loan_not_classified", "Only an active or overdue loan is classified.");
        }

        var id = Guid.CreateVersion7();
        var riskClass = request.RiskClass!.Value.ToWire();
        var added = await change.ExecuteAsync("""
            INSERT IGNORE INTO risk_class_overrides (id, loan_id, risk_class, reason, status, requested_by, requested_at, pending_loan)
            VALUES (@id, @loanId, @riskClass, @reason, 'awaiting_approval', @by, @now, @loanId)
            """, new { id, loanId, riskClass, reason = request.Reason!.Trim(), by = caller.Id, now }, ct);
        if (added == 0)
        {
            return Problems.Conflict("override_pending", "A manual class for this loan waits for approval already; approve or reject it first.");
        }

        var response = new OverrideRow(id, loanId, riskClass, request.Reason.Trim(), "awaiting_approval", caller.Id, now, null, null).ToResponse();
        change.Record(new AuditEntry(caller.Actor, "risk_class_override.requested", "loan", loanId.ToString(), null, response), now);
        await change.CommitAsync(ct);
        return TypedResults.Created($"/v1/risk-class-overrides?loanId={loanId}", response);
    }

    private static async Task<Results<Ok<RiskClassOverrideResponse>, ProblemHttpResult>> DecideAsync(
        Guid overrideId, Decision decision, CurrentCaller caller, MySqlDataSource db, AuditTrail audit, TimeProvider clock, CancellationToken ct)
    {
        var now = DbTime.Now(clock);
        await using var change = await DbChange.BeginAsync(db, audit, ct);
        if (await change.ScalarAsync<Guid?>("SELECT loan_id FROM risk_class_overrides WHERE id = @overrideId", new { overrideId }, ct) is not { } loanId)
        {
            return Problems.NotFound("The override");
        }

        // The loan first, then the override: the order every change to a loan locks in.
        var loan = await change.QuerySingleOrDefaultAsync<(string Status, string RiskClass)>("SELECT status, risk_class FROM loans WHERE id = @loanId FOR UPDATE", new { loanId }, ct);
        var row = (await change.QuerySingleOrDefaultAsync<OverrideRow>(OverrideColumns + " WHERE id = @overrideId FOR UPDATE", new { overrideId }, ct))!;

        var expected = decision == Decision.Withdraw ? "standing" : "awaiting_approval";
        if (row.Status != expected)
        {
            return Problems.Conflict("override_not_" + (decision == Decision.Withdraw ? "standing" : "pending"),
                decision == Decision.Withdraw ? "Only a standing override is withdrawn." : "The override was decided already.");
        }

        if (decision == Decision.Approve && row.RequestedBy == caller.Id)
        {
            return Problems.SamePerson("A second person approves a manual class, not the one who asked for it.");
        }

        var next = decision switch { Decision.Approve => "standing", Decision.Reject => "rejected", _ => "withdrawn" };
        // An approval replaces the override standing before it; the loan's class is the override's at once.
        if (decision == Decision.Approve)
        {
            await change.ExecuteAsync("UPDATE risk_class_overrides SET status = 'withdrawn', standing_loan = NULL, decided_at = COALESCE(decided_at, @now) WHERE standing_loan = @loanId",
                new { loanId, now }, ct);
        }

        await change.ExecuteAsync("""
            UPDATE risk_class_overrides SET status = @next, pending_loan = NULL, standing_loan = IF(@next = 'standing', loan_id, NULL),
                   decided_by = IF(@decision = 'withdraw', decided_by, @by), decided_at = IF(@decision = 'withdraw', decided_at, @now)
             WHERE id = @overrideId
            """, new { overrideId, next, by = caller.Id, now, decision = decision.ToString().ToLowerInvariant() }, ct);
        if (decision == Decision.Approve && loan.RiskClass != row.RiskClass)
        {
            await LoanClasses.SetAsync(change, loanId, row.RiskClass, now, ct);
            change.Outbox("loan.risk_class_changed", loanId, new { loanId, from = loan.RiskClass, to = row.RiskClass, byOverride = overrideId }, now);
        }

        var response = (row with { Status = next, DecidedBy = decision == Decision.Withdraw ? row.DecidedBy : caller.Id, DecidedAt = decision == Decision.Withdraw ? row.DecidedAt : now }).ToResponse();
        change.Audit(new AuditEntry(caller.Actor, "risk_class_override." + next, "loan", loanId.ToString(), new { status = row.Status, riskClass = loan.RiskClass }, response));
        await change.CommitAsync(ct);
        return TypedResults.Ok(response);
    }

    private const string OverrideColumns = "SELECT id, loan_id, risk_class, reason, status, requested_by, requested_at, decided_by, decided_at FROM risk_class_overrides";

    private sealed record OverrideRow(Guid Id, Guid LoanId, string RiskClass, string Reason, string Status, Guid RequestedBy, DateTime RequestedAt, Guid? DecidedBy, DateTime? DecidedAt)
    {
        public RiskClassOverrideResponse ToResponse() => new(Id, LoanId, RiskClass, Reason, Status, RequestedBy, DbTime.ToOffset(RequestedAt), DecidedBy, DbTime.ToOffset(DecidedAt));
    }

    private sealed record TableRow(int Version, string Floors, string Note, Guid? CreatedBy, DateTime CreatedAt)
    {
        public ClassificationTableResponse ToResponse() => new(Version,
            Floors.Split(',').Select(f => f.Split(':')).Select(f => new ClassFloorResponse(f[0], int.Parse(f[1], CultureInfo.InvariantCulture))).ToArray(),
            Note, CreatedBy, DbTime.ToOffset(CreatedAt));
    }
}
