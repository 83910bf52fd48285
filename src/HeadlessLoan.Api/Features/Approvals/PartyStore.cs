using Dapper;
using HeadlessLoan.Api.Features.Applications;
using HeadlessLoan.Api.Platform.Audit;
using HeadlessLoan.Api.Platform.Database;
using HeadlessLoan.Domain.Applications;
using MySqlConnector;

namespace HeadlessLoan.Api.Features.Approvals;

public sealed record RelationRow(Guid Id, Guid StaffId, string Kind, Guid? BorrowerId, string MatchedBy, string? Note, DateTime CreatedAt, Guid CreatedBy);

public enum AssignOutcome { Done, ApplicationNotFound, NotALoanOfficer }

/// <summary>
/// SQL for who stands where around an application: the loan officer assigned to it and the relations admins record
/// between staff and applicants. The four-eyes rules read both.
/// </summary>
public sealed class PartyStore(MySqlDataSource db, AuditTrail audit, TimeProvider clock)
{
    /// <summary>Null when there is no such member of staff.</summary>
    public async Task<RelationRow?> AddRelationAsync(
        Guid staffId, string kind, Guid? borrowerId, byte[]? idNumberHash, string? note, Guid actor, CancellationToken ct)
    {
        var now = DbTime.Now(clock);
        var id = Guid.CreateVersion7();
        await using var change = await DbChange.BeginAsync(db, audit, ct);
        var (conn, tx) = (change.Connection, change.Transaction);
        var inserted = await conn.ExecuteAsync(new CommandDefinition("""
            INSERT INTO staff_relations (id, staff_id, kind, borrower_id, id_number_hash, note, created_at, created_by)
            SELECT @id, @staffId, @kind, @borrowerId, @idNumberHash, @note, @now, @actor FROM staff_users WHERE id = @staffId
            """, new { id, staffId, kind, borrowerId, idNumberHash, note, now, actor }, tx, cancellationToken: ct));
        if (inserted == 0)
        {
            return null;
        }

        // The ID number itself is never recorded, only that the relation is matched by it.
        change.Record(new AuditEntry(
            AuditActor.Staff(actor), "staff_relation.added", "staff", staffId.ToString(), null,
            new { relationId = id, kind, borrowerId, byIdNumber = idNumberHash is not null, note }), now);
        await change.CommitAsync(ct);
        return new RelationRow(id, staffId, kind, borrowerId, idNumberHash is null ? "borrower" : "id_number", note, now, actor);
    }

    /// <summary>Null when there is no such member of staff.</summary>
    public async Task<IReadOnlyList<RelationRow>?> RelationsAsync(Guid staffId, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var results = await conn.QueryMultipleAsync(new CommandDefinition("""
            SELECT COUNT(*) FROM staff_users WHERE id = @staffId;
            SELECT id, staff_id, kind, borrower_id, IF(id_number_hash IS NULL, 'borrower', 'id_number') AS MatchedBy,
                   note, created_at, created_by
              FROM staff_relations WHERE staff_id = @staffId ORDER BY created_at, id
            """, new { staffId }, cancellationToken: ct));
        var exists = await results.ReadSingleAsync<long>() == 1;
        var rows = (await results.ReadAsync<RelationRow>()).AsList();
        return exists ? rows : null;
    }

    /// <summary>Assigns the application's loan officer (who must hold the loan_officer role); replaces an earlier one.</summary>
    public async Task<(AssignOutcome Outcome, DateTime At)> AssignLoanOfficerAsync(Guid applicationId, Guid staffId, Guid actor, CancellationToken ct)
    {
        var now = DbTime.Now(clock);
        await using var change = await DbChange.BeginAsync(db, audit, ct);
        var (conn, tx) = (change.Connection, change.Transaction);
        var current = await conn.QuerySingleOrDefaultAsync<AssignedOfficer>(new CommandDefinition(
            "SELECT id, status, loan_officer_id FROM applications WHERE id = @applicationId FOR UPDATE", new { applicationId }, tx, cancellationToken: ct));
        if (current is null)
        {
            return (AssignOutcome.ApplicationNotFound, now);
        }

        var roles = await conn.ExecuteScalarAsync<string?>(new CommandDefinition(
            "SELECT roles FROM staff_users WHERE id = @staffId AND disabled = 0", new { staffId }, tx, cancellationToken: ct));
        if (roles is null || !roles.Split(',').Contains(Platform.Auth.Roles.LoanOfficer, StringComparer.Ordinal))
        {
            return (AssignOutcome.NotALoanOfficer, now);
        }

        await ApplicationTransitions.AssignLoanOfficerAsync(conn, tx, ApplicationStatusNames.Parse(current.Status), applicationId, staffId, now, ct);
        change.Record(new AuditEntry(
            AuditActor.Staff(actor), "application.loan_officer_assigned", "application", applicationId.ToString(),
            new { loanOfficerId = current.LoanOfficerId }, new { loanOfficerId = staffId }), now);
        await change.CommitAsync(ct);
        return (AssignOutcome.Done, now);
    }

    private sealed record AssignedOfficer(Guid Id, string Status, Guid? LoanOfficerId);
}
