using Dapper;
using HeadlessLoan.Api.Platform;
using HeadlessLoan.Api.Platform.Audit;
using HeadlessLoan.Api.Platform.Database;
using HeadlessLoan.Domain.Applications;
using HeadlessLoan.Domain.Approvals;
using Microsoft.Extensions.Options;
using MySqlConnector;

namespace HeadlessLoan.Api.Features.Approvals;

/// <summary>Where a pending application stands, as the borrower may see it: no names, no roles, no people.</summary>
[FeatureApi]
public sealed record ApprovalProgress(int StepNumber, int StepCount, DateTime WaitingSince, int EstimatedWaitMinutes);

/// <summary>What other features may ask of the workflow: where a pending application stands.</summary>
[FeatureApi]
public interface IApprovalProgress
{
    /// <summary>The current step and a wait estimate; null when the application is not waiting for people.</summary>
    Task<ApprovalProgress?> ProgressAsync(Guid applicationId, CancellationToken ct);
}

/// <summary>The applicant's personal data as stored, still encrypted; decrypted only for the answer that shows it.</summary>
public sealed record ApplicantSecrets(
    byte[] DeclaredNameEnc, byte[] DeclaredAddressEnc, byte[]? IdNumberEnc, byte[]? IdNameEnc, byte[]? CardNumberEnc);

/// <summary>Reads around the workflow: the borrower's progress with a wait estimate, and recorded unmasking for staff.</summary>
public sealed class ApprovalViews(MySqlDataSource db, AuditTrail audit, IOptions<ApprovalsOptions> options, TimeProvider clock) : IApprovalProgress
{
    /// <summary>
    /// The current step of the current round and an estimate of the wait: for each step still to come, how long that role
    /// took on average over recent days (or the configured default), less the time the current step has waited already.
    /// </summary>
    public async Task<ApprovalProgress?> ProgressAsync(Guid applicationId, CancellationToken ct)
    {
        var now = DbTime.Now(clock);
        await using var conn = await db.OpenConnectionAsync(ct);
        var current = await conn.QuerySingleOrDefaultAsync<CurrentStep>(new CommandDefinition("""
            SELECT t.step_no, r.steps, MIN(t.created_at) AS Since
              FROM applications a
              JOIN approval_rounds r ON r.application_id = a.id AND r.round = a.approval_round
              JOIN approval_tasks t ON t.application_id = a.id AND t.round = a.approval_round AND t.status IN ('open', 'claimed')
             WHERE a.id = @applicationId AND a.status = @pending
             GROUP BY t.step_no, r.steps
             ORDER BY t.step_no LIMIT 1
            """, new { applicationId, pending = ApplicationStatusNames.PendingApproval }, cancellationToken: ct));
        if (current is not { } c)
        {
            return null;
        }

        var steps = ApprovalRouting.ParseSteps(c.Steps);
        var averages = (await conn.QueryAsync<(string Role, decimal Seconds)>(new CommandDefinition("""
            SELECT role, AVG(TIMESTAMPDIFF(SECOND, created_at, decided_at)) FROM approval_tasks
             WHERE decided_at >= @since AND status IN ('approved', 'rejected', 'returned')
             GROUP BY role
            """, new { since = now.AddDays(-options.Value.WaitEstimateDays) }, cancellationToken: ct))).ToDictionary(a => a.Role, a => a.Seconds, StringComparer.Ordinal);
        decimal Minutes(string role) => averages.TryGetValue(role, out var s) ? s / 60m : options.Value.DefaultStepMinutes;

        var remaining = Math.Max(0m, Minutes(steps[c.StepNo - 1].Role) - (decimal)(now - c.Since).TotalMinutes)
            + steps.Skip(c.StepNo).Sum(s => Minutes(s.Role));
        return new ApprovalProgress(c.StepNo, steps.Count, c.Since, (int)Math.Ceiling(remaining));
    }

    /// <summary>The applicant's encrypted personal data, read and recorded as seen by <paramref name="staffId"/> in one transaction.</summary>
    public async Task<ApplicantSecrets?> UnmaskAsync(Guid applicationId, Guid taskId, Guid staffId, CancellationToken ct)
    {
        var now = DbTime.Now(clock);
        await using var change = await DbChange.BeginAsync(db, audit, ct);
        var (conn, tx) = (change.Connection, change.Transaction);
        var secrets = await conn.QuerySingleOrDefaultAsync<ApplicantSecrets>(new CommandDefinition("""
            SELECT declared_name_enc, declared_address_enc, id_number_enc,
                   id_name_enc, card_number_enc
              FROM applications WHERE id = @applicationId
            """, new { applicationId }, tx, cancellationToken: ct));
        if (secrets is null)
        {
            return null;
        }

        // Flagged: reports must show every look at personal data in clear.
        change.Record(new AuditEntry(
            AuditActor.Staff(staffId), "personal_data.unmasked", "application", applicationId.ToString(), null,
            new { taskId, fields = UnmaskedFields }, Flagged: true), now);
        await change.CommitAsync(ct);
        return secrets;
    }

    private static readonly string[] UnmaskedFields = ["name", "address", "idNumber", "idName", "cardNumber"];

    private sealed record CurrentStep(int StepNo, string Steps, DateTime Since);
}
