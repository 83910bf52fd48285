using Dapper;
using HeadlessLoan.Api.Features.Applications;
using HeadlessLoan.Api.Platform.Audit;
using HeadlessLoan.Api.Platform.Database;
using HeadlessLoan.Api.Platform.Paging;
using HeadlessLoan.Domain.Applications;
using HeadlessLoan.Domain.Approvals;
using Microsoft.Extensions.Options;
using MySqlConnector;

namespace HeadlessLoan.Api.Features.Approvals;

/// <summary>A task with what a reviewer needs to pick it: the application's amount, product, masked name and score.</summary>
public sealed record TaskRow(
    Guid Id, Guid ApplicationId, int Round, int StepNo, int Slot, string Role, string Status, Guid? ClaimedBy, DateTime? ClaimedAt,
    Guid? DecidedBy, DateTime? DecidedAt, string? Decision, string? ReasonCode, string? Comment, DateTime? EscalatedAt, DateTime CreatedAt,
    string Steps, long Amount, Guid ProductId, byte[] DeclaredNameEnc, string DeclaredRegionCode, int? BureauScore, DateTime? SubmittedAt, string ApplicationStatus);

/// <summary>Who is asking: a member of staff and the roles in their token.</summary>
public sealed record Reviewer(Guid Id, IReadOnlyCollection<string> Roles);

public sealed record TaskQuery(bool Mine, string? Status, string? Role, Guid? ApplicationId, bool? Escalated, ListPosition? After, int Limit);

public enum TaskResultKind { Done, NotFound, Refused, Claimed, Closed, NotClaimedByYou }

/// <summary>What a change to a task came to; when done, the task as it now is (<paramref name="Task"/>).</summary>
public sealed record TaskResult(TaskResultKind Kind, FourEyesRefusal Refusal = FourEyesRefusal.None, string? ApplicationOutcome = null, TaskRow? Task = null);

/// <summary>
/// SQL for approval tasks. Every change locks the application row first, then the task (the same order everywhere,
/// so changes to one application queue behind each other instead of deadlocking), checks the rules under those
/// locks, and commits the change with its record in one transaction.
/// </summary>
public sealed class ApprovalTaskStore(MySqlDataSource db, AuditTrail audit, IOptions<ApprovalsOptions> options, TimeProvider clock)
{
    public const string Open = "open";
    public const string Claimed = "claimed";

    public async Task<IReadOnlyList<TaskRow>> ListAsync(Reviewer reviewer, TaskQuery q, CancellationToken ct)
    {
        var where = new SqlWhere()
            .And(q.Mine, "t.claimed_by = @me")
            .And(!q.Mine, "t.role IN @roles")
            .And(!q.Mine, "t.status = COALESCE(@status, 'open')")
            .And(q.Mine && q.Status is not null, "t.status = @status")
            .And(q.Role is not null, "t.role = @role")
            .And(q.ApplicationId is not null, "t.application_id = @applicationId")
            .And(q.Escalated is true, "t.escalated_at IS NOT NULL")
            .And(q.Escalated is false, "t.escalated_at IS NULL")
            .And(q.After is not null, "(t.created_at > @afterAt OR (t.created_at = @afterAt AND t.id > @afterId))");
        await using var conn = await db.OpenConnectionAsync(ct);
        return (await conn.QueryAsync<TaskRow>(new CommandDefinition(
            SelectTask + where + " ORDER BY t.created_at, t.id LIMIT @take",
            new
            {
                me = reviewer.Id,
                roles = reviewer.Roles,
                status = q.Status,
                role = q.Role,
                applicationId = q.ApplicationId,
                afterAt = q.After?.CreatedAt,
                afterId = q.After?.Id,
                take = q.Limit + 1,
            }, cancellationToken: ct))).AsList();
    }

    public async Task<TaskRow?> GetAsync(Guid taskId, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return await conn.QuerySingleOrDefaultAsync<TaskRow>(new CommandDefinition(SelectTask + " WHERE t.id = @taskId", new { taskId }, cancellationToken: ct));
    }

    /// <summary>Every task of the task's application, all rounds, in order: staff see who decided what.</summary>
    public async Task<IReadOnlyList<TaskRow>> HistoryAsync(Guid applicationId, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return (await conn.QueryAsync<TaskRow>(new CommandDefinition(
            SelectTask + " WHERE t.application_id = @applicationId ORDER BY t.round, t.step_no, t.slot", new { applicationId }, cancellationToken: ct))).AsList();
    }

    public Task<TaskResult> ClaimAsync(Guid taskId, Reviewer reviewer, CancellationToken ct) =>
        ChangeTaskAsync(taskId, reviewer, fourEyes: true, async (change, locked, now) =>
        {
            if (locked.Task.ClaimedBy == reviewer.Id)
            {
                return new TaskResult(TaskResultKind.Done); // claiming again is harmless
            }

            await change.ExecuteAsync(
                "UPDATE approval_tasks SET status = 'claimed', claimed_by = @me, claimed_at = @now WHERE id = @taskId", new { taskId, me = reviewer.Id, now }, ct);
            change.Record(new AuditEntry(
                AuditActor.Staff(reviewer.Id), "approval_task.claimed", "approval_task", taskId.ToString(),
                new { status = Open }, new { status = Claimed, claimedBy = reviewer.Id }), now);
            return new TaskResult(TaskResultKind.Done);
        }, ct);

    public Task<TaskResult> ReleaseAsync(Guid taskId, Reviewer reviewer, CancellationToken ct) =>
        ChangeTaskAsync(taskId, reviewer, fourEyes: false, async (change, locked, now) =>
        {
            if (locked.Task.Status != Claimed || locked.Task.ClaimedBy != reviewer.Id)
            {
                return new TaskResult(TaskResultKind.NotClaimedByYou);
            }

            await change.ExecuteAsync("UPDATE approval_tasks SET status = 'open', claimed_by = NULL, claimed_at = NULL WHERE id = @taskId", new { taskId }, ct);
            change.Record(new AuditEntry(
                AuditActor.Staff(reviewer.Id), "approval_task.released", "approval_task", taskId.ToString(),
                new { status = Claimed, claimedBy = reviewer.Id }, new { status = Open }), now);
            return new TaskResult(TaskResultKind.Done);
        }, ct);

    /// <summary>
    /// Decides a task that is open or claimed by the reviewer. Approving the step's last open task opens the next step or,
    /// after the last step, approves the application; a rejection or a return ends the round and cancels its other tasks.
    /// </summary>
    public Task<TaskResult> DecideAsync(Guid taskId, Reviewer reviewer, Verdict verdict, string? reasonCode, string? comment, CancellationToken ct) =>
        ChangeTaskAsync(taskId, reviewer, fourEyes: true, (change, locked, now) => ApplyVerdictAsync(change, locked, now, reviewer, verdict, reasonCode, comment, ct), ct);

    private static async Task<TaskResult> ApplyVerdictAsync(
        DbChange change, Locked locked, DateTime now, Reviewer reviewer, Verdict verdict, string? reasonCode, string? comment, CancellationToken ct)
    {
        var (conn, tx) = (change.Connection, change.Transaction);
        var task = locked.Task;
        var taskId = task.Id;
        var status = verdict switch { Verdict.Approve => "approved", Verdict.Reject => "rejected", _ => "returned" };
        await conn.ExecuteAsync(new CommandDefinition("""
            UPDATE approval_tasks
               SET status = @status, decision = @decision, reason_code = @reasonCode, comment = @comment, decided_by = @me, decided_at = @now,
                   claimed_by = @me, claimed_at = COALESCE(claimed_at, @now)
             WHERE id = @taskId
            """, new { taskId, status, decision = Wire(verdict), reasonCode, comment, me = reviewer.Id, now }, tx, cancellationToken: ct));
        var actor = AuditActor.Staff(reviewer.Id);
        change.Record(new AuditEntry(
            actor, "approval_task.decided", "approval_task", taskId.ToString(),
            new { status = task.Status, claimedBy = task.ClaimedBy },
            new { status, decision = Wire(verdict), reasonCode, comment, decidedBy = reviewer.Id }), now);

        var steps = ApprovalRouting.ParseSteps(task.Steps);
        var left = ApprovalRound.NeedsStepCount(verdict)
            ? await conn.ExecuteScalarAsync<int>(new CommandDefinition(
                "SELECT COUNT(*) FROM approval_tasks WHERE application_id = @ApplicationId AND round = @Round AND step_no = @StepNo AND status <> 'approved'",
                task, tx, cancellationToken: ct))
            : 0;
        var progress = ApprovalRound.AfterVerdict(verdict, task.StepNo, steps.Count, left);
        if (progress.Kind == RoundProgressKind.OpenStep)
        {
            var next = steps[progress.NextStep - 1];
            await OpenStepAsync(conn, tx, task.ApplicationId, task.Round, progress.NextStep, next, now, ct);
            change.Record(new AuditEntry(
                actor, "approval.step_opened", "application", task.ApplicationId.ToString(),
                new { step = task.StepNo }, new { step = progress.NextStep, next.Role, next.Approvers }), now);
        }
        else if (progress.Kind == RoundProgressKind.Finished)
        {
            var (code, message) = ApprovalReasons.For(progress.Outcome, reasonCode);
            Finish(change, locked.Application, task.Round, progress.Outcome, code, message, actor, now);
        }

        return new TaskResult(TaskResultKind.Done, ApplicationOutcome: progress.Kind == RoundProgressKind.Finished ? progress.Outcome.ToWire() : null);
    }

    /// <summary>
    /// An admin's or department head's override: approves a pending application whatever steps remain, with a mandatory
    /// reason, flagged on the round and in the record. The party rules still apply (nobody overrides for themself).
    /// </summary>
    public async Task<TaskResult> SpecialApproveAsync(Guid applicationId, Reviewer reviewer, string reason, CancellationToken ct)
    {
        var now = DbTime.Now(clock);
        await using var change = await DbChange.BeginAsync(db, audit, ct);
        var (conn, tx) = (change.Connection, change.Transaction);
        if (await LockApplicationAsync(conn, tx, applicationId, ct) is not { } app)
        {
            return new TaskResult(TaskResultKind.NotFound);
        }

        var end = ApprovalRound.SpecialApproval();
        var transition = ApplicationLifecycle.Next(app.State, ApprovalRound.EventOf(end.Outcome));
        if (!transition.Allowed || app.Round == 0 || !app.Routed)
        {
            return new TaskResult(TaskResultKind.Closed);
        }

        var facts = new FourEyesFacts(reviewer.Id, reviewer.Roles, "", app.LoanOfficerId, await RelationKindsAsync(conn, tx, app, reviewer.Id, ct), []);
        if (FourEyes.Check(facts, options.Value.BlockingRelationKinds, checkRole: false, checkOtherTasks: false) is not FourEyesRefusal.None and var refusal)
        {
            return new TaskResult(TaskResultKind.Refused, refusal);
        }

        await conn.ExecuteAsync(new CommandDefinition(
            "UPDATE approval_rounds SET special = 1, special_by = @me, special_reason = @reason WHERE application_id = @applicationId AND round = @round",
            new { applicationId, round = app.Round, me = reviewer.Id, reason }, tx, cancellationToken: ct));
        var actor = AuditActor.Staff(reviewer.Id);
        change.Record(new AuditEntry(
            actor, "application.special_approved", "application", applicationId.ToString(),
            new { status = app.Status, round = app.Round }, new { status = transition.Next.ToWire(), reason, approvedBy = reviewer.Id }, true), now);
        var (code, message) = ApprovalReasons.For(end.Outcome, null);
        Finish(change, app, app.Round, end.Outcome, code, message, actor, now);
        await change.CommitAsync(ct);
        return new TaskResult(TaskResultKind.Done, ApplicationOutcome: end.Outcome.ToWire());
    }

    /// <summary>
    /// Marks open and claimed tasks older than the cut-off as escalated, once each, with an event per task. Rows are taken
    /// with <c>SKIP LOCKED</c>, so instances running the job at the same moment share the work instead of repeating it.
    /// </summary>
    public async Task<int> EscalateAsync(DateTime olderThan, int batch, CancellationToken ct)
    {
        var now = DbTime.Now(clock);
        await using var change = await DbChange.BeginAsync(db, audit, ct);
        var (conn, tx) = (change.Connection, change.Transaction);
        var due = (await conn.QueryAsync<(Guid Id, Guid ApplicationId, string Role, DateTime CreatedAt)>(new CommandDefinition("""
            SELECT id, application_id, role, created_at FROM approval_tasks
             WHERE status IN ('open', 'claimed') AND escalated_at IS NULL AND created_at < @olderThan
             ORDER BY created_at LIMIT @batch
               FOR UPDATE SKIP LOCKED
            """, new { olderThan, batch }, tx, cancellationToken: ct))).AsList();
        if (due.Count == 0)
        {
            return 0;
        }

        await conn.ExecuteAsync(new CommandDefinition(
            "UPDATE approval_tasks SET escalated_at = @now WHERE id IN @ids", new { now, ids = due.Select(d => d.Id).ToList() }, tx, cancellationToken: ct));
        foreach (var task in due)
        {
            change.Record(new AuditEntry(
                ApprovalActors.System, "approval_task.escalated", "approval_task", task.Id.ToString(),
                new { escalated = false }, new { escalated = true, task.ApplicationId, task.Role, waitingSince = task.CreatedAt }), now);
        }

        await change.CommitAsync(ct);
        return due.Count;
    }

    /// <summary>
    /// One change to one task in its own transaction: the application row and the task locked (in that order), the
    /// refusals checked under those locks (all four-eyes rules, or only the role), then <paramref name="change"/>;
    /// committed when it succeeds.
    /// </summary>
    private async Task<TaskResult> ChangeTaskAsync(
        Guid taskId, Reviewer reviewer, bool fourEyes, Func<DbChange, Locked, DateTime, Task<TaskResult>> apply, CancellationToken ct)
    {
        var now = DbTime.Now(clock);
        await using var change = await DbChange.BeginAsync(db, audit, ct);
        var (conn, tx) = (change.Connection, change.Transaction);
        if (await LockAsync(conn, tx, taskId, ct) is not { } locked)
        {
            return new TaskResult(TaskResultKind.NotFound);
        }

        var refused = fourEyes
            ? await CheckAsync(conn, tx, locked, reviewer, ct)
            : reviewer.Roles.Contains(locked.Task.Role, StringComparer.Ordinal) ? null : new TaskResult(TaskResultKind.Refused, FourEyesRefusal.RoleMismatch);
        if (refused is not null)
        {
            return refused;
        }

        var result = await apply(change, locked, now);
        if (result.Kind != TaskResultKind.Done)
        {
            return result;
        }

        // The task as it now is, for the answer: read in the change, which may commit only after the answer is written.
        result = result with { Task = await change.QuerySingleOrDefaultAsync<TaskRow>(SelectTask + " WHERE t.id = @taskId", new { taskId }, ct) };
        await change.CommitAsync(ct);
        return result;
    }

    /// <summary>Creates one task per approver of a step.</summary>
    internal static Task<int> OpenStepAsync(MySqlConnection conn, MySqlTransaction tx, Guid applicationId, int round, int stepNo, ApprovalStep step, DateTime now, CancellationToken ct) =>
        conn.ExecuteAsync(new CommandDefinition("""
            INSERT INTO approval_tasks (id, application_id, round, step_no, slot, role, status, created_at)
            VALUES (@id, @applicationId, @round, @stepNo, @slot, @role, 'open', @now)
            """, Enumerable.Range(1, step.Approvers).Select(slot => new { id = Guid.CreateVersion7(), applicationId, round, stepNo, slot, role = step.Role, now }),
            tx, cancellationToken: ct));

    /// <summary>
    /// Ends the round: its open tasks cancelled, its outcome recorded, the application moved on and the record of its
    /// change, all held by the change and sent with its commit.
    /// </summary>
    private static void Finish(
        DbChange change, LockedApplication app, int round, RoundOutcome outcome, string code, string message, AuditActor actor, DateTime now)
    {
        var end = ApplicationTransitions.PrepareRoundEnd(app.State, app.Id, outcome, code, message, now);
        change.Write(
            "UPDATE approval_tasks SET status = 'cancelled' WHERE application_id = @applicationId AND round = @round AND status IN ('open', 'claimed')",
            new { applicationId = app.Id, round });
        change.Write(
            "UPDATE approval_rounds SET outcome = @outcome, decided_at = @now WHERE application_id = @applicationId AND round = @round",
            new { applicationId = app.Id, round, outcome = outcome.ToWire(), now });
        change.Write(end.Sql, end.Values);
        change.Record(new AuditEntry(
            actor, "application." + outcome.ToWire(), "application", app.Id.ToString(),
            new { status = end.Change.From.ToWire(), round },
            new { status = end.Change.To.ToWire(), decision = outcome.ToWire(), reasons = new[] { new { code, message } } }), now);
    }

    /// <summary>Refusals in the order the caller should hear them: role, state, another holder, then the four-eyes rules.</summary>
    private async Task<TaskResult?> CheckAsync(MySqlConnection conn, MySqlTransaction tx, Locked locked, Reviewer reviewer, CancellationToken ct)
    {
        var (app, task) = (locked.Application, locked.Task);
        if (!reviewer.Roles.Contains(task.Role, StringComparer.Ordinal))
        {
            return new TaskResult(TaskResultKind.Refused, FourEyesRefusal.RoleMismatch);
        }

        if (task.Status is not (Open or Claimed) || !ApplicationLifecycle.Allows(app.State, ApplicationEvent.ReviewTask) || app.Round != task.Round)
        {
            return new TaskResult(TaskResultKind.Closed);
        }

        if (task.ClaimedBy is { } holder && holder != reviewer.Id)
        {
            return new TaskResult(TaskResultKind.Claimed);
        }

        var others = (await conn.QueryAsync<Guid>(new CommandDefinition("""
            SELECT COALESCE(decided_by, claimed_by) FROM approval_tasks
             WHERE application_id = @ApplicationId AND round = @Round AND id <> @Id AND status IN ('claimed', 'approved', 'rejected', 'returned')
            """, task, tx, cancellationToken: ct))).ToList();
        var facts = new FourEyesFacts(reviewer.Id, reviewer.Roles, task.Role, app.LoanOfficerId, await RelationKindsAsync(conn, tx, app, reviewer.Id, ct), others);
        return FourEyes.Check(facts, options.Value.BlockingRelationKinds) is not FourEyesRefusal.None and var refusal
            ? new TaskResult(TaskResultKind.Refused, refusal)
            : null;
    }

    private static async Task<IReadOnlyCollection<string>> RelationKindsAsync(MySqlConnection conn, MySqlTransaction tx, LockedApplication app, Guid staffId, CancellationToken ct) =>
        (await conn.QueryAsync<string>(new CommandDefinition("""
            SELECT kind FROM staff_relations
             WHERE staff_id = @staffId
               AND ((borrower_id IS NOT NULL AND borrower_id = @borrowerId) OR (id_number_hash IS NOT NULL AND id_number_hash = @idNumberHash))
            """, new { staffId, borrowerId = app.BorrowerId, idNumberHash = app.IdNumberHash }, tx, cancellationToken: ct))).ToList();

    /// <summary>The application row first, then the task: the lock order every change here keeps.</summary>
    private static async Task<Locked?> LockAsync(MySqlConnection conn, MySqlTransaction tx, Guid taskId, CancellationToken ct)
    {
        var applicationId = await conn.ExecuteScalarAsync<Guid?>(new CommandDefinition(
            "SELECT application_id FROM approval_tasks WHERE id = @taskId", new { taskId }, tx, cancellationToken: ct));
        if (applicationId is null || await LockApplicationAsync(conn, tx, applicationId.Value, ct) is not { } app)
        {
            return null;
        }

        var task = await conn.QuerySingleAsync<LockedTask>(new CommandDefinition("""
            SELECT t.id, t.application_id, t.round, t.step_no, t.role, t.status,
                   t.claimed_by, r.steps
              FROM approval_tasks t JOIN approval_rounds r ON r.application_id = t.application_id AND r.round = t.round
             WHERE t.id = @taskId
               FOR UPDATE
            """, new { taskId }, tx, cancellationToken: ct));
        return new Locked(app, task);
    }

    private static Task<LockedApplication?> LockApplicationAsync(MySqlConnection conn, MySqlTransaction tx, Guid applicationId, CancellationToken ct) =>
        conn.QuerySingleOrDefaultAsync<LockedApplication?>(new CommandDefinition("""
            SELECT id, status, approval_round AS Round, approval_routed AS Routed, borrower_id,
                   id_number_hash, loan_officer_id
              FROM applications WHERE id = @applicationId
               FOR UPDATE
            """, new { applicationId }, tx, cancellationToken: ct));

    public static string Wire(Verdict verdict) => verdict switch { Verdict.Approve => "approve", Verdict.Reject => "reject", _ => "return" };

    private sealed record LockedApplication(Guid Id, string Status, int Round, bool Routed, Guid? BorrowerId, byte[]? IdNumberHash, Guid? LoanOfficerId)
    {
        public ApplicationStatus State => ApplicationStatusNames.Parse(Status);
    }

    private sealed record LockedTask(Guid Id, Guid ApplicationId, int Round, int StepNo, string Role, string Status, Guid? ClaimedBy, string Steps);

    private sealed record Locked(LockedApplication Application, LockedTask Task);

    private const string SelectTask = """
        SELECT t.id, t.application_id, t.round, t.step_no, t.slot, t.role,
               t.status, t.claimed_by, t.claimed_at, t.decided_by, t.decided_at,
               t.decision, t.reason_code, t.comment, t.escalated_at, t.created_at,
               r.steps, a.amount, a.product_id, a.declared_name_enc,
               a.declared_region_code, a.bureau_score, a.submitted_at,
               a.status AS ApplicationStatus
          FROM approval_tasks t
          JOIN approval_rounds r ON r.application_id = t.application_id AND r.round = t.round
          JOIN applications a ON a.id = t.application_id
        """;
}
