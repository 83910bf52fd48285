using System.Text.Json;
using Dapper;
using HeadlessLoan.Api.Platform;
using HeadlessLoan.Api.Platform.Database;
using HeadlessLoan.Domain.Applications;
using HeadlessLoan.Domain.Approvals;
using HeadlessLoan.Domain.Decisions;
using MySqlConnector;

namespace HeadlessLoan.Api.Features.Applications;

/// <summary>An application's status before and after a change.</summary>
[FeatureApi]
public readonly record struct StatusChange(ApplicationStatus From, ApplicationStatus To);

/// <summary>A failed attempt of the credit check as recorded: the attempts so far, and the status it left the application in.</summary>
[FeatureApi]
public readonly record struct IntakeFailure(int Attempts, StatusChange Change)
{
    public bool Parked => Change.To == ApplicationStatus.IntakeFailed;
}

/// <summary>A change of an application for the caller's change to hold and send with its other writes (<see cref="DbChange.Write"/>).</summary>
[FeatureApi]
public sealed record PreparedTransition(StatusChange Change, string Sql, object Values);

/// <summary>
/// The only way other features change an application: each call asks <see cref="ApplicationLifecycle"/> what the event
/// leads to and writes it inside the caller's change, from the status the caller read under its lock.
/// </summary>
/// <remarks>
/// Some columns written here are other features' facts kept on the application row: the credit check's lease,
/// bureau score and policy version (migration 0004), the approval round, its routing and the loan officer (0006).
/// They stay on the row for now; moving them to tables of their own features needs a migration.
/// </remarks>
[FeatureApi]
public static class ApplicationTransitions
{
    /// <summary>Leases up to <paramref name="batch"/> applications the credit check may decide, oldest submit first; how many it took.</summary>
    public static Task<int> LeaseForDecisionAsync(MySqlConnection conn, Guid owner, int batch, DateTime now, DateTime leaseUntil, CancellationToken ct) =>
        // One UPDATE decides ownership; instances racing for the same rows each get different ones.
        conn.ExecuteAsync(new CommandDefinition(LeaseSql, new
        {
            owner, leaseUntil, now, batch, from = OnlySource(ApplicationEvent.LeaseForDecision).ToWire(),
        }, cancellationToken: ct));

    /// <summary>The status an application the credit check leased has (its name in a query's parameter).</summary>
    public static ApplicationStatus Leased => OnlySource(ApplicationEvent.LeaseForDecision);

    /// <summary>
    /// Records the credit check's decision, the bureau score approval routing reads, and ends the lease, only while
    /// <paramref name="owner"/> still holds the lease and the application is still waiting for it. Null when it does not.
    /// </summary>
    public static async Task<StatusChange?> RecordDecisionAsync(
        DbChange change, Guid id, Guid owner, Decision decision, int? bureauScore, DateTime now, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(change);
        ArgumentNullException.ThrowIfNull(decision);
        var happened = ApplicationLifecycle.EventOf(decision.Outcome);
        var from = OnlySource(happened);
        var next = ApplicationLifecycle.Next(from, happened).Next;
        var reasons = JsonSerializer.Serialize(decision.Reasons.Select(r => new { code = r.Code, message = r.Message }));
        var updated = await change.ExecuteAsync(DecisionSql, new
        {
            id, owner, from = from.ToWire(), status = next.ToWire(), step = next.StepOf(), decision = next.ToWire(), reasons,
            version = decision.PolicyVersion, bureauScore, now,
        }, ct);
        return updated == 0 ? null : new StatusChange(from, next);
    }

    /// <summary>
    /// Records a failed attempt of the credit check, only while <paramref name="owner"/> holds the lease and the
    /// application has the <paramref name="attemptsBefore"/> it was leased with: the lease is released until
    /// <paramref name="retryAt"/>, or, when this was the last of <paramref name="maxAttempts"/>, the application is
    /// parked. Null when the lease was lost.
    /// </summary>
    public static async Task<IntakeFailure?> RecordIntakeFailureAsync(
        DbChange change, Guid id, Guid owner, int attemptsBefore, string error, int maxAttempts, DateTime now, DateTime retryAt, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(change);
        var from = OnlySource(ApplicationEvent.ParkIntake);
        var attempts = attemptsBefore + 1;
        var next = attempts >= maxAttempts ? ApplicationLifecycle.Next(from, ApplicationEvent.ParkIntake).Next : from;
        var updated = await change.ExecuteAsync(IntakeFailureSql, new
        {
            id, owner, from = from.ToWire(), attemptsBefore, attempts, error, status = next.ToWire(), step = next.StepOf(), now,
            retryAt = next == from ? retryAt : (DateTime?)null,
        }, ct);
        return updated == 0 ? null : new IntakeFailure(attempts, new StatusChange(from, next));
    }

    /// <summary>Hands the parked application, locked by the caller in <paramref name="locked"/>, back to the credit check with its attempts reset.</summary>
    public static async Task<StatusChange> RetryIntakeAsync(DbChange change, ApplicationStatus locked, Guid id, DateTime now, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(change);
        var next = Require(locked, ApplicationEvent.RetryIntake);
        await change.ExecuteAsync(RetryIntakeSql, new { id, status = next.ToWire(), step = next.StepOf(), now }, ct);
        return new StatusChange(locked, next);
    }

    /// <summary>Marks the application, locked by the caller in <paramref name="locked"/>, as routed into approval round <paramref name="round"/>.</summary>
    public static async Task<StatusChange> RouteForApprovalAsync(
        MySqlConnection conn, MySqlTransaction tx, ApplicationStatus locked, Guid id, int round, int policyVersion, DateTime now, CancellationToken ct)
    {
        var next = Require(locked, ApplicationEvent.RouteForApproval);
        await conn.ExecuteAsync(new CommandDefinition(RoutedSql, new { id, round, version = policyVersion, step = next.StepOf(), now }, tx, cancellationToken: ct));
        return new StatusChange(locked, next);
    }

    /// <summary>
    /// The end of an approval round on the application, locked by the caller in <paramref name="locked"/>: its status,
    /// decision and the one reason the applicant reads. Returned unsent, so the round's own writes share its round trip.
    /// </summary>
    public static PreparedTransition PrepareRoundEnd(ApplicationStatus locked, Guid id, RoundOutcome outcome, string code, string message, DateTime now)
    {
        var next = Require(locked, ApprovalRound.EventOf(outcome));
        var reasons = JsonSerializer.Serialize(new[] { new { code, message } });
        return new PreparedTransition(new StatusChange(locked, next), RoundEndSql, new
        {
            id, status = next.ToWire(), step = next.StepOf(), decision = outcome.ToWire(), reasons, now,
        });
    }

    /// <summary>Sets the loan officer of the application the caller locked (in <paramref name="locked"/>).</summary>
    public static Task AssignLoanOfficerAsync(
        MySqlConnection conn, MySqlTransaction tx, ApplicationStatus locked, Guid id, Guid staffId, DateTime now, CancellationToken ct)
    {
        Require(locked, ApplicationEvent.AssignLoanOfficer);
        return conn.ExecuteAsync(new CommandDefinition(LoanOfficerSql, new { id, staffId, now }, tx, cancellationToken: ct));
    }

    private static ApplicationStatus Require(ApplicationStatus locked, ApplicationEvent happened)
    {
        var transition = ApplicationLifecycle.Next(locked, happened);
        return transition.Allowed
            ? transition.Next
            : throw new InvalidOperationException($"{happened} is refused in {locked.ToWire()} ({transition.Refusal}); the caller checks before it writes.");
    }

    /// <summary>
    /// The one status <paramref name="happened"/> may start from, for statements that change rows they did not lock
    /// first and so carry the rule in their WHERE clause.
    /// </summary>
    private static ApplicationStatus OnlySource(ApplicationEvent happened) =>
        ApplicationLifecycle.From(happened) is [var only]
            ? only
            : throw new InvalidOperationException($"{happened} starts from more than one status; its statement needs them all.");

    private const string LeaseSql = """
        UPDATE applications SET lease_owner = @owner, lease_until = @leaseUntil
         WHERE status = @from AND (lease_until IS NULL OR lease_until < @now)
         ORDER BY submitted_at LIMIT @batch
        """;

    private const string DecisionSql = """
        UPDATE applications
           SET status = @status, current_step = @step, decision = @decision, decision_reasons = @reasons,
               decision_policy_version = @version, decided_at = @now, updated_at = @now, lease_owner = NULL, lease_until = NULL,
               bureau_score = @bureauScore, approval_routed = 0
         WHERE id = @id AND status = @from AND lease_owner = @owner
        """;

    // A lease that is kept (not parked) is released with a delay: lease_until in the future with no owner, so no
    // worker leases it again before then.
    private const string IntakeFailureSql = """
        UPDATE applications
           SET status = @status, current_step = @step, intake_attempts = @attempts, intake_last_error = @error,
               lease_owner = NULL, lease_until = @retryAt, updated_at = @now
         WHERE id = @id AND status = @from AND lease_owner = @owner AND intake_attempts = @attemptsBefore
        """;

    private const string RetryIntakeSql = """
        UPDATE applications
           SET status = @status, current_step = @step, intake_attempts = 0, lease_owner = NULL, lease_until = NULL, updated_at = @now
         WHERE id = @id
        """;

    private const string RoutedSql = """
        UPDATE applications SET approval_routed = 1, approval_round = @round, approval_policy_version = @version,
               current_step = @step, updated_at = @now
         WHERE id = @id
        """;

    private const string RoundEndSql = """
        UPDATE applications
           SET status = @status, current_step = @step, decision = @decision, decision_reasons = @reasons, decided_at = @now, updated_at = @now,
               approval_routed = 0
         WHERE id = @id
        """;

    private const string LoanOfficerSql = "UPDATE applications SET loan_officer_id = @staffId, updated_at = @now WHERE id = @id";
}
