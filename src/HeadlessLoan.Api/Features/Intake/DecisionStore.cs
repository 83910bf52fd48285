using Dapper;
using HeadlessLoan.Api.Features.Applications;
using HeadlessLoan.Api.Platform.Audit;
using HeadlessLoan.Api.Platform.Database;
using HeadlessLoan.Domain.Applications;
using HeadlessLoan.Domain.Decisions;
using MySqlConnector;

namespace HeadlessLoan.Api.Features.Intake;

/// <summary>A submitted application as the credit check needs it, with its product version's limits.</summary>
public sealed record ClaimedApplication(
    Guid Id, Guid? BorrowerId, Guid? ChannelId, string? ChannelCustomerRef, long Amount,
    string? DeviceFingerprint, string? RequestIp, string DeclaredRegionCode,
    byte[]? DeclaredNameEnc, byte[]? IdNumberEnc, byte[]? IdNumberHash, byte[]? IdNameEnc, DateTime? IdBirthDate, byte[]? CardNumberHash,
    DateTime CreatedAt, int AgeMin, int AgeMax, long AutoApprovalLimit, int IntakeAttempts);

/// <summary>What a staff retry of a parked application came to.</summary>
public enum IntakeRetryOutcome
{
    Retried,
    NotFound,
    NotParked,
}

/// <summary>SQL of the intake pipeline: claiming work, counting fraud signals, caching reports, recording decisions.</summary>
public sealed class DecisionStore(MySqlDataSource db, AuditTrail audit)
{
    /// <summary>The intake pipeline, as it appears in the audit trail.</summary>
    public static readonly AuditActor Pipeline = new(AuditActor.SystemKind, "intake-pipeline");

    /// <summary>Leases up to <paramref name="batch"/> submitted applications to <paramref name="owner"/>, oldest first.</summary>
    public async Task<IReadOnlyList<ClaimedApplication>> ClaimAsync(Guid owner, int batch, DateTime now, DateTime leaseUntil, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        var claimed = await ApplicationTransitions.LeaseForDecisionAsync(conn, owner, batch, now, leaseUntil, ct);
        if (claimed == 0)
        {
            return [];
        }

        return (await conn.QueryAsync<ClaimedApplication>(new CommandDefinition("""
            SELECT a.id, a.borrower_id, a.channel_id, a.channel_customer_ref,
                   a.amount, a.device_fingerprint, a.request_ip,
                   a.declared_region_code, a.declared_name_enc,
                   a.id_number_enc, a.id_number_hash, a.id_name_enc,
                   a.id_birth_date, a.card_number_hash, a.created_at,
                   v.age_min, v.age_max, v.auto_approval_limit, a.intake_attempts
              FROM applications a JOIN product_versions v ON v.product_id = a.product_id AND v.version = a.product_version
             WHERE a.lease_owner = @owner AND a.status = @leased AND a.lease_until = @leaseUntil
            """, new { owner, leaseUntil, leased = ApplicationTransitions.Leased.ToWire() }, cancellationToken: ct))).AsList();
    }

    /// <summary>The anti-fraud counts over the window, in one round trip (each count uses its own index).</summary>
    public async Task<(int BorrowersOnDevice, int SameId, int SameCard)> CountSignalsAsync(ClaimedApplication app, DateTime since, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        // Applicants are borrowers, or a channel's customers (channel id + its own reference).
        return await conn.QuerySingleAsync<(int, int, int)>(new CommandDefinition("""
            SELECT
              (SELECT COUNT(DISTINCT COALESCE(borrower_id, CONCAT(channel_id, '/', channel_customer_ref)))
                 FROM applications WHERE device_fingerprint = @fingerprint AND created_at >= @since),
              (SELECT COUNT(*) FROM applications WHERE id_number_hash = @idHash AND created_at >= @since),
              (SELECT COUNT(*) FROM applications WHERE card_number_hash = @cardHash AND created_at >= @since)
            """, new { fingerprint = app.DeviceFingerprint, idHash = app.IdNumberHash, cardHash = app.CardNumberHash, since }, cancellationToken: ct));
    }

    public async Task<Guid?> ConsentIdAsync(Guid applicationId, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return await conn.ExecuteScalarAsync<Guid?>(new CommandDefinition("""
            SELECT id FROM application_consents
             WHERE application_id = @applicationId AND purpose = 'credit_bureau_query'
             ORDER BY granted_at DESC LIMIT 1
            """, new { applicationId }, cancellationToken: ct));
    }

    public async Task<byte[]?> RecentReportAsync(byte[] idNumberHash, DateTime since, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return await conn.ExecuteScalarAsync<byte[]?>(new CommandDefinition("""
            SELECT report_enc FROM bureau_reports WHERE id_number_hash = @idNumberHash AND fetched_at >= @since
             ORDER BY fetched_at DESC LIMIT 1
            """, new { idNumberHash, since }, cancellationToken: ct));
    }

    public async Task SaveReportAsync(byte[] idNumberHash, Guid applicationId, Guid consentId, byte[] reportEnc, int score, DateTime now, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        await conn.ExecuteAsync(new CommandDefinition("""
            INSERT INTO bureau_reports (id, id_number_hash, application_id, consent_id, report_enc, score, fetched_at)
            VALUES (@id, @idNumberHash, @applicationId, @consentId, @reportEnc, @score, @now)
            """, new { id = Guid.CreateVersion7(), idNumberHash, applicationId, consentId, reportEnc, score, now }, cancellationToken: ct));
    }

    /// <summary>
    /// Records the decision, the bureau score that approval routing reads, and the event in one transaction, only while
    /// this worker still holds the lease:
    /// a worker whose lease ran out cannot decide twice. False when the lease was lost.
    /// </summary>
    public async Task<bool> RecordDecisionAsync(Guid id, Guid owner, Decision decision, int? bureauScore, DateTime now, CancellationToken ct)
    {
        await using var change = await DbChange.BeginAsync(db, audit, ct);
        if (await ApplicationTransitions.RecordDecisionAsync(change, id, owner, decision, bureauScore, now, ct) is not { } moved)
        {
            return false;
        }

        var status = moved.To.ToWire();
        change.Outbox("application." + status, id, new { applicationId = id, outcome = status, policyVersion = decision.PolicyVersion }, now);
        change.Audit(new AuditEntry(Pipeline, "application.decided", ApplicationStore.EntityType, id.ToString(),
            new { status = moved.From.ToWire() },
            new { status, step = moved.To.StepOf(), reasons = decision.Reasons.Select(r => r.Code), policyVersion = decision.PolicyVersion }));
        await change.CommitAsync(ct);
        return true;
    }

    /// <summary>
    /// Records a failed attempt at deciding <paramref name="app"/> while this worker holds its lease; when it was the
    /// last allowed attempt the application is parked, with its event and audit record. Null when the lease was lost.
    /// </summary>
    public async Task<IntakeFailure?> RecordFailureAsync(
        ClaimedApplication app, Guid owner, string error, int maxAttempts, DateTime now, DateTime retryAt, CancellationToken ct)
    {
        await using var change = await DbChange.BeginAsync(db, audit, ct);
        if (await ApplicationTransitions.RecordIntakeFailureAsync(change, app.Id, owner, app.IntakeAttempts, error, maxAttempts, now, retryAt, ct)
            is not { } failure)
        {
            return null;
        }

        if (failure.Parked)
        {
            var status = failure.Change.To.ToWire();
            change.Outbox("application." + status, app.Id, new { applicationId = app.Id, attempts = failure.Attempts, error }, now);
            change.Audit(new AuditEntry(Pipeline, "application.intake_parked", ApplicationStore.EntityType, app.Id.ToString(),
                new { status = failure.Change.From.ToWire() }, new { status, attempts = failure.Attempts, error }));
        }

        await change.CommitAsync(ct);
        return failure;
    }

    /// <summary>Hands a parked application back to the credit check (its attempts counted afresh), audited as <paramref name="actor"/>.</summary>
    public async Task<IntakeRetryOutcome> RetryAsync(Guid id, AuditActor actor, DateTime now, CancellationToken ct)
    {
        await using var change = await DbChange.BeginAsync(db, audit, ct);
        var row = await change.QuerySingleOrDefaultAsync<(string Status, int Attempts, string? Error)>(
            "SELECT status, intake_attempts, intake_last_error FROM applications WHERE id = @id FOR UPDATE", new { id }, ct);
        if (row.Status is null)
        {
            return IntakeRetryOutcome.NotFound;
        }

        var locked = ApplicationStatusNames.Parse(row.Status);
        if (!ApplicationLifecycle.Allows(locked, ApplicationEvent.RetryIntake))
        {
            return IntakeRetryOutcome.NotParked;
        }

        var moved = await ApplicationTransitions.RetryIntakeAsync(change, locked, id, now, ct);
        change.Outbox("application.intake_retried", id, new { applicationId = id }, now);
        change.Audit(new AuditEntry(actor, "application.intake_retried", ApplicationStore.EntityType, id.ToString(),
            new { status = moved.From.ToWire(), attempts = row.Attempts, error = row.Error }, new { status = moved.To.ToWire(), attempts = 0 }));
        await change.CommitAsync(ct);
        return IntakeRetryOutcome.Retried;
    }
}
