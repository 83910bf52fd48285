using Dapper;
using HeadlessLoan.Api.Features.Loans;
using HeadlessLoan.Api.Platform.Audit;
using HeadlessLoan.Api.Platform.Database;
using HeadlessLoan.Domain.Ledger;
using MySqlConnector;

namespace HeadlessLoan.Api.Features.Repayments;

/// <summary>The states of an offline repayment.</summary>
public static class OfflineRepaymentStates
{
    public const string AwaitingApproval = "awaiting_approval";
    public const string Applied = "applied";
    public const string Rejected = "rejected";
}

public sealed record OfflineRepaymentRow(
    Guid Id, Guid LoanId, long Amount, DateTime ReceivedOn, string Reference, string? Note, string Status, Guid RequestedBy, Guid? DecidedBy,
    DateTime CreatedAt, DateTime? DecidedAt);

/// <summary>A new offline repayment as staff record it.</summary>
public sealed record NewOfflineRepayment(Guid LoanId, long Amount, DateOnly ReceivedOn, string Reference, string? Note);

public enum OfflineOutcome { Done, LoanNotFound, NotDisbursed, SameReference, NotFound, NotAwaiting, SamePerson }

/// <summary>
/// Money received outside WeChat Pay (a bank transfer, the counter): one member of staff records it, a second approves
/// it, and only then is it applied to the loan (<see cref="LoanPayments"/>, rail offline, the record's id its
/// reference), in the approval's transaction. Either may reject it instead; nothing is applied then.
/// </summary>
public sealed class OfflineRepayments(MySqlDataSource db, AuditTrail audit, LoanPayments payments, TimeProvider clock)
{
    public async Task<(OfflineOutcome Outcome, OfflineRepaymentRow? Row)> RecordAsync(NewOfflineRepayment record, Guid staffId, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(record);
        if (await payments.StateAsync(record.LoanId, ct) is not { } loan)
        {
            return (OfflineOutcome.LoanNotFound, null);
        }

        if (loan.DisbursedOn is not { } disbursedOn || record.ReceivedOn < disbursedOn)
        {
            return (OfflineOutcome.NotDisbursed, null);
        }

        var now = DbTime.Now(clock);
        var row = new OfflineRepaymentRow(Guid.CreateVersion7(), record.LoanId, record.Amount, record.ReceivedOn.ToDateTime(TimeOnly.MinValue),
            record.Reference, record.Note, OfflineRepaymentStates.AwaitingApproval, staffId, null, now, null);
        await using var change = await DbChange.BeginAsync(db, audit, ct);
        await LoanPayments.LockAsync(change, record.LoanId, ct);
        if (await change.ScalarAsync<Guid?>("SELECT id FROM offline_repayments WHERE loan_id = @LoanId AND reference = @Reference", record, ct) is not null)
        {
            return (OfflineOutcome.SameReference, null);
        }

        change.Write("""
            INSERT INTO offline_repayments (id, loan_id, amount, received_on, reference, note, status, requested_by, created_at)
            VALUES (@Id, @LoanId, @Amount, @ReceivedOn, @Reference, @Note, @Status, @RequestedBy, @CreatedAt)
            """, row);
        change.Record(new AuditEntry(AuditActor.Staff(staffId), "loan.offline_repayment_recorded", "loan", record.LoanId.ToString(), null, row), now);
        await change.CommitAsync(ct);
        return (OfflineOutcome.Done, row);
    }

    /// <summary>Approves (applies) or rejects a recorded repayment; approving needs another person than the one who recorded it.</summary>
    public async Task<(OfflineOutcome Outcome, OfflineRepaymentRow? Row)> DecideAsync(Guid loanId, Guid id, bool approve, Guid staffId, CancellationToken ct)
    {
        var now = DbTime.Now(clock);
        await using var change = await DbChange.BeginAsync(db, audit, ct);
        if (!await LoanPayments.LockAsync(change, loanId, ct))
        {
            return (OfflineOutcome.LoanNotFound, null);
        }

        var row = await change.QuerySingleOrDefaultAsync<OfflineRepaymentRow>(Select + " WHERE id = @id AND loan_id = @loanId FOR UPDATE", new { id, loanId }, ct);
        if (row is null)
        {
            return (OfflineOutcome.NotFound, null);
        }

        if (row.Status != OfflineRepaymentStates.AwaitingApproval)
        {
            return (OfflineOutcome.NotAwaiting, null);
        }

        if (approve && row.RequestedBy == staffId)
        {
            return (OfflineOutcome.SamePerson, null);
        }

        var decided = row with { Status = approve ? OfflineRepaymentStates.Applied : OfflineRepaymentStates.Rejected, DecidedBy = staffId, DecidedAt = now };
        object? applied = null;
        if (approve)
        {
            var payment = new LoanPayment(PaymentRail.Offline, row.Id.ToString(), row.Amount, DateOnly.FromDateTime(row.ReceivedOn), AuditActor.Staff(staffId));
            applied = await payments.ApplyAsync(change, loanId, payment, now, ct);
        }

        change.Write("UPDATE offline_repayments SET status = @Status, decided_by = @DecidedBy, decided_at = @DecidedAt WHERE id = @Id", decided);
        change.Record(new AuditEntry(AuditActor.Staff(staffId), approve ? "loan.offline_repayment_approved" : "loan.offline_repayment_rejected",
            "loan", loanId.ToString(), new { status = row.Status }, new { repayment = decided, applied }), now);
        await change.CommitAsync(ct);
        return (OfflineOutcome.Done, decided);
    }

    public async Task<IReadOnlyList<OfflineRepaymentRow>> ListAsync(Guid loanId, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return (await conn.QueryAsync<OfflineRepaymentRow>(new CommandDefinition(
            Select + " WHERE loan_id = @loanId ORDER BY created_at, id", new { loanId }, cancellationToken: ct))).AsList();
    }

    private const string Select = """
        SELECT id, loan_id, amount, received_on, reference, note, status, requested_by, decided_by, created_at, decided_at
          FROM offline_repayments
        """;
}
