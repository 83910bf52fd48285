using Dapper;
using HeadlessLoan.Api.Features.Applications;
using HeadlessLoan.Api.Platform.Audit;
using HeadlessLoan.Api.Platform.Jobs;
using HeadlessLoan.Api.Platform.Database;
using HeadlessLoan.Domain.Applications;
using HeadlessLoan.Domain.Approvals;
using Microsoft.Extensions.Options;
using MySqlConnector;

namespace HeadlessLoan.Api.Features.Approvals;

/// <summary>
/// The job that gives every application waiting for approval its round under the policy recorded at submit, and the
/// first step's tasks; one transaction per application, its row held with <c>FOR UPDATE SKIP LOCKED</c>.
/// </summary>
public sealed partial class ApprovalRouter(
    MySqlDataSource db,
    AuditTrail audit,
    IOptions<ApprovalsOptions> options,
    TimeProvider clock,
    ILogger<ApprovalRouter> logger) : PollingWorker(logger)
{
    /// <summary>Real time, not the injected clock: polling is not business time.</summary>
    protected override Task PauseAsync(CancellationToken ct) => Task.Delay(TimeSpan.FromMilliseconds(options.Value.PollMilliseconds), ct);

    /// <summary>Routes one batch; returns how many applications this call routed.</summary>
    public override async Task<int> RunOnceAsync(CancellationToken ct)
    {
        IReadOnlyList<Guid> candidates;
        await using (var conn = await db.OpenConnectionAsync(ct))
        {
            candidates = (await conn.QueryAsync<Guid>(new CommandDefinition("""
                SELECT id FROM applications WHERE status = @pending AND approval_routed = 0 ORDER BY decided_at LIMIT @batch
                """, new { batch = options.Value.BatchSize, pending = Routable }, cancellationToken: ct))).AsList();
        }

        var routed = 0;
        foreach (var id in candidates)
        {
            if (await RouteAsync(id, ct))
            {
                routed++;
            }
        }

        return routed;
    }

    private async Task<bool> RouteAsync(Guid id, CancellationToken ct)
    {
        var now = DbTime.Now(clock);
        await using var change = await DbChange.BeginAsync(db, audit, ct);
        var (conn, tx) = (change.Connection, change.Transaction);
        var app = await conn.QuerySingleOrDefaultAsync<HandOff>(new CommandDefinition("""
            SELECT id, status, product_id, amount, bureau_score,
                   approval_policy_version AS PolicyVersion, approval_round AS Round, submitted_at
              FROM applications
             WHERE id = @id AND status = @pending AND approval_routed = 0
               FOR UPDATE SKIP LOCKED
            """, new { id, pending = Routable }, tx, cancellationToken: ct));
        if (app is null)
        {
            return false; // another instance holds or has routed it
        }

        var policy = await ApprovalPolicyStore.ReadAsync(conn, tx, app.PolicyVersion, ct)
            ?? throw new InvalidOperationException("No approval policy exists yet; it is seeded at start-up.");
        var (position, rule) = ApprovalRouting.Route(policy.Rules, new ApprovalSubject(app.ProductId, app.Amount, app.BureauScore));
        var round = app.Round + 1;
        var steps = ApprovalRouting.FormatSteps(rule.Steps);
        await conn.ExecuteAsync(new CommandDefinition("""
            INSERT INTO approval_rounds (application_id, round, policy_version, rule_position, steps, amount, bureau_score, submitted_at, routed_at)
            VALUES (@id, @round, @version, @position, @steps, @amount, @score, @submittedAt, @now)
            """, new { id, round, version = policy.Version, position, steps, amount = app.Amount, score = app.BureauScore, submittedAt = app.SubmittedAt ?? now, now },
            tx, cancellationToken: ct));
        await ApprovalTaskStore.OpenStepAsync(conn, tx, id, round, 1, rule.Steps[0], now, ct);
        await ApplicationTransitions.RouteForApprovalAsync(conn, tx, ApplicationStatusNames.Parse(app.Status), id, round, policy.Version, now, ct);
        change.Record(new AuditEntry(
            ApprovalActors.System, "approval.routed", "application", id.ToString(),
            new { status = app.Status, routed = false },
            new { round, policyVersion = policy.Version, rulePosition = position, steps }), now);
        await change.CommitAsync(ct);
        LogRouted(logger, id, policy.Version, position, steps);
        return true;
    }

    /// <summary>The one status in which an application is routed (the lifecycle's rule, as the queries' parameter).</summary>
    private static readonly string Routable = ApplicationLifecycle.From(ApplicationEvent.RouteForApproval).Single().ToWire();

    private sealed record HandOff(Guid Id, string Status, Guid ProductId, long Amount, int? BureauScore, int? PolicyVersion, int Round, DateTime? SubmittedAt);

    [LoggerMessage(Level = LogLevel.Information, Message = "Application {ApplicationId} routed by approval policy {Version} rule {Position}: {Steps}")]
    private static partial void LogRouted(ILogger logger, Guid applicationId, int version, int position, string steps);
}
