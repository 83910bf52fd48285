using System.Globalization;
using Dapper;
using HeadlessLoan.Api.Features.Ledger;
using HeadlessLoan.Api.Integrations.Bank;
using HeadlessLoan.Api.Platform;
using HeadlessLoan.Api.Platform.Audit;
using HeadlessLoan.Api.Platform.Database;
using HeadlessLoan.Api.Platform.Privacy;
using HeadlessLoan.Domain.Ledger;
using HeadlessLoan.Domain.Loans;
using MySqlConnector;

namespace HeadlessLoan.Api.Features.Loans;

/// <summary>The states of a payout row (the bank's three and the two before it is sent).</summary>
public static class PayoutStates
{
    /// <summary>A retry asked for by one member of staff, waiting for a second to approve it.</summary>
    public const string AwaitingApproval = "awaiting_approval";

    /// <summary>To be submitted to the bank.</summary>
    public const string Pending = "pending";

    /// <summary>Submitted; the bank has not said how it ended.</summary>
    public const string Processing = "processing";

    public const string Succeeded = "succeeded";
    public const string Failed = "failed";

    public static bool IsFinal(string state) => state is Succeeded or Failed;
}

/// <summary>A payout the worker leased, with what the bank needs to pay it.</summary>
public sealed record LeasedPayout(string PayoutNo, Guid LoanId, long Amount, string State, byte[]? CardNumberEnc, byte[]? IdNameEnc, string ContractNo);

/// <summary>What applying the bank's word about a payout did.</summary>
public enum PayoutApplied
{
    /// <summary>The loan is disbursed: active, its schedule dated from the payout day, the disbursement posted.</summary>
    Disbursed,

    /// <summary>The payout failed: the loan waits for staff.</summary>
    Failed,

    /// <summary>Still processing at the bank: the payout waits for the callback, and is queried later.</summary>
    StillProcessing,

    /// <summary>The payout had ended already (a repeated callback, a late query): nothing changed.</summary>
    AlreadyFinal,

    /// <summary>No payout has this number.</summary>
    Unknown,
}

/// <summary>
/// SQL for payouts and the one place the bank's word changes a loan. Every change locks the loan's row first, then
/// the payout's, as every writer of a loan does, so a callback, a query and the worker's own answer for one payout
/// are applied one after the other and only the first changes anything.
/// </summary>
public sealed class PayoutStore(MySqlDataSource db, AuditTrail audit, LedgerStore ledger, PersonalDataProtector protector, TimeProvider clock)
{
    /// <summary>The first payout of a new loan, held by acceptance's change.</summary>
    public static void HoldFirstPayout(DbChange change, Guid loanId, string contractNo, long amount, DateTime now)
    {
        ArgumentNullException.ThrowIfNull(change);
        change.Write(InsertPayoutSql, new { payoutNo = PayoutNo(contractNo, 1), loanId, attempt = 1, amount, state = PayoutStates.Pending, requestedBy = (Guid?)null, now });
    }

    /// <summary>The contract number and the attempt: what the bank sees as our reference, unique per attempt.</summary>
    public static string PayoutNo(string contractNo, int attempt) => string.Create(CultureInfo.InvariantCulture, $"{contractNo}-{attempt}");

    /// <summary>
    /// Leases up to <paramref name="batch"/> payouts to work on: pending ones, and processing ones whose time to be
    /// queried has come. One UPDATE decides who works on what; a crashed worker's lease runs out and is taken again.
    /// </summary>
    public async Task<IReadOnlyList<LeasedPayout>> LeaseAsync(Guid owner, int batch, DateTime now, DateTime leaseUntil, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        await conn.ExecuteAsync(new CommandDefinition("""
            UPDATE loan_payouts SET lease_owner = @owner, lease_until = @leaseUntil
             WHERE state IN (@pending, @processing) AND (lease_until IS NULL OR lease_until < @now)
             ORDER BY created_at LIMIT @batch
            """, new { owner, leaseUntil, now, batch, pending = PayoutStates.Pending, processing = PayoutStates.Processing }, cancellationToken: ct));
        return (await conn.QueryAsync<LeasedPayout>(new CommandDefinition("""
            SELECT p.payout_no, p.loan_id, p.amount, p.state, a.card_number_enc, a.id_name_enc, l.contract_no
              FROM loan_payouts p JOIN loans l ON l.id = p.loan_id JOIN applications a ON a.id = l.application_id
             WHERE p.lease_owner = @owner AND p.lease_until = @leaseUntil AND p.state IN (@pending, @processing)
            """, new { owner, leaseUntil, pending = PayoutStates.Pending, processing = PayoutStates.Processing }, cancellationToken: ct))).AsList();
    }

    /// <summary>The payout as the bank is asked to pay it: to the card the application was checked with, in the name on the ID card.</summary>
    public PayoutRequest RequestFor(LeasedPayout payout)
    {
        ArgumentNullException.ThrowIfNull(payout);
        if (payout.CardNumberEnc is null || payout.IdNameEnc is null)
        {
            throw new InvalidOperationException($"Loan {payout.LoanId} has no checked bank card or ID name to pay out to.");
        }

        return new PayoutRequest(payout.PayoutNo, protector.Decrypt(payout.CardNumberEnc, PersonalDataPurpose.CardNumber),
            protector.Decrypt(payout.IdNameEnc, PersonalDataPurpose.Name), payout.Amount, $"Loan {payout.ContractNo}");
    }

    /// <summary>Marks the payout submitted, to be queried after <paramref name="queryAt"/> unless the bank calls back first.</summary>
    public async Task MarkSubmittedAsync(string payoutNo, DateTime now, DateTime queryAt, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        await conn.ExecuteAsync(new CommandDefinition("""
            UPDATE loan_payouts SET state = @processing, submitted_at = COALESCE(submitted_at, @now), lease_owner = NULL, lease_until = @queryAt
             WHERE payout_no = @payoutNo AND state = @pending
            """, new { payoutNo, now, queryAt, pending = PayoutStates.Pending, processing = PayoutStates.Processing }, cancellationToken: ct));
    }

    /// <summary>
    /// Applies the bank's word about a payout, once: the first answer that ends it (the worker's, a callback's or a
    /// query's) changes the loan; later ones find it ended and change nothing.
    /// </summary>
    public async Task<PayoutApplied> ApplyAsync(PayoutResult result, DateTime queryAt, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(result);
        var now = DbTime.Now(clock);
        await using var change = await DbChange.BeginAsync(db, audit, ct);
        var loanId = await change.ScalarAsync<Guid?>("SELECT loan_id FROM loan_payouts WHERE payout_no = @no", new { no = result.PayoutNo }, ct);
        if (loanId is null)
        {
            return PayoutApplied.Unknown;
        }

        var loan = await change.QuerySingleOrDefaultAsync<(string Status, long Principal, string Method, int TermMonths)>(
            "SELECT status, principal, method, term_months FROM loans WHERE id = @loanId FOR UPDATE", new { loanId }, ct);
        var state = await change.ScalarAsync<string>("SELECT state FROM loan_payouts WHERE payout_no = @no FOR UPDATE", new { no = result.PayoutNo }, ct);
        if (PayoutStates.IsFinal(state!))
        {
            return PayoutApplied.AlreadyFinal;
        }

        var applied = result.State switch
        {
            PayoutState.Succeeded => await DisburseAsync(change, loanId.Value, loan, result, now, ct),
            PayoutState.Failed => Fail(change, loanId.Value, loan.Status, result, now),
            _ => StillProcessing(change, result, now, queryAt),
        };
        await change.CommitAsync(ct);
        return applied;
    }

    private async Task<PayoutApplied> DisburseAsync(
        DbChange change, Guid loanId, (string Status, long Principal, string Method, int TermMonths) loan, PayoutResult result, DateTime now, CancellationToken ct)
    {
        var from = LoanStatusNames.Parse(loan.Status);
        var next = Require(from, LoanEvent.ConfirmDisbursement);
        var paidOut = result.CompletedAt ?? DbTime.ToOffset(now);
        var disbursedOn = DateOnly.FromDateTime(paidOut.ToOffset(ChinaTime.Offset).DateTime);
        var entry = Postings.Disbursement(EntryIds.For(EntryKinds.Disbursement, result.PayoutNo), loanId, disbursedOn, loan.Principal);
        if (await ledger.PostAsync(change, entry, ct) is not (PostingOutcome.Written or PostingOutcome.AlreadyWritten) and var outcome)
        {
            throw new InvalidOperationException($"The disbursement of loan {loanId} could not be posted: {outcome}.");
        }

        // The schedule is re-dated from the payout day, its amounts unchanged (interest is by the month): period k
        // falls due k months on (a bullet loan's one period after the term), the month's last day where it is shorter.
        change.Write("""
            UPDATE loan_periods
               SET due_date = DATE_ADD(@disbursedOn, INTERVAL IF(@bullet, @termMonths, period) MONTH)
             WHERE loan_id = @loanId
            """, new { loanId, disbursedOn = disbursedOn.ToDateTime(TimeOnly.MinValue), bullet = loan.Method == "bullet", termMonths = loan.TermMonths });
        change.Write("UPDATE loans SET status = @status, disbursed_on = @disbursedOn, updated_at = @now WHERE id = @loanId",
            new { loanId, status = next.ToWire(), disbursedOn = disbursedOn.ToDateTime(TimeOnly.MinValue), now });
        HoldPayoutEnd(change, result, PayoutStates.Succeeded, now);
        change.Record(new AuditEntry(AuditActor.System, "loan.disbursed", "loan", loanId.ToString(),
            new { status = loan.Status }, new { status = next.ToWire(), disbursedOn, payoutNo = result.PayoutNo, bankReference = result.BankReference }), now);
        return PayoutApplied.Disbursed;
    }

    private static PayoutApplied Fail(DbChange change, Guid loanId, string status, PayoutResult result, DateTime now)
    {
        var next = Require(LoanStatusNames.Parse(status), LoanEvent.FailDisbursement);
        change.Write("UPDATE loans SET status = @status, updated_at = @now WHERE id = @loanId", new { loanId, status = next.ToWire(), now });
        HoldPayoutEnd(change, result, PayoutStates.Failed, now);
        change.Record(new AuditEntry(AuditActor.System, "loan.disbursement_failed", "loan", loanId.ToString(),
            new { status }, new { status = next.ToWire(), payoutNo = result.PayoutNo, failureCode = result.FailureCode, failureMessage = result.FailureMessage }), now);
        return PayoutApplied.Failed;
    }

    private static PayoutApplied StillProcessing(DbChange change, PayoutResult result, DateTime now, DateTime queryAt)
    {
        change.Write("""
            UPDATE loan_payouts SET state = @processing, bank_reference = COALESCE(@reference, bank_reference),
                   submitted_at = COALESCE(submitted_at, @now), lease_owner = NULL, lease_until = @queryAt
             WHERE payout_no = @payoutNo
            """, new { payoutNo = result.PayoutNo, reference = result.BankReference, processing = PayoutStates.Processing, now, queryAt });
        return PayoutApplied.StillProcessing;
    }

    private static void HoldPayoutEnd(DbChange change, PayoutResult result, string state, DateTime now) =>
        change.Write("""
            UPDATE loan_payouts
               SET state = @state, bank_reference = @reference, failure_code = @code, failure_message = @message,
                   submitted_at = COALESCE(submitted_at, @now), completed_at = @completed, lease_owner = NULL, lease_until = NULL
             WHERE payout_no = @payoutNo
            """, new
        {
            payoutNo = result.PayoutNo, state, reference = result.BankReference, code = result.FailureCode,
            message = result.FailureMessage is { Length: > 200 } m ? m[..200] : result.FailureMessage,
            completed = result.CompletedAt?.UtcDateTime ?? now, now,
        });

    private static LoanStatus Require(LoanStatus from, LoanEvent happened)
    {
        var transition = LoanLifecycle.Next(from, happened);
        return transition.Allowed
            ? transition.Next
            : throw new InvalidOperationException($"{happened} is refused in {from.ToWire()} ({transition.Refusal}) with the payout still open.");
    }

    private const string InsertPayoutSql = """
        INSERT INTO loan_payouts (payout_no, loan_id, attempt, amount, state, requested_by, created_at)
        VALUES (@payoutNo, @loanId, @attempt, @amount, @state, @requestedBy, @now)
        """;
}

/// <summary>A payout as stored, for staff and the loan's owner.</summary>
public sealed record PayoutRow(
    string PayoutNo, int Attempt, long Amount, string State, string? BankReference, string? FailureCode, string? FailureMessage,
    Guid? RequestedBy, Guid? ApprovedBy, DateTime CreatedAt, DateTime? SubmittedAt, DateTime? CompletedAt);

/// <summary>What asking for or approving a payout retry came to.</summary>
public enum RetryOutcome { Done, LoanNotFound, NotFailed, AlreadyAsked, NothingToApprove, SamePerson }

/// <summary>Payout retries after a failure, by two people: one asks, another approves, and only then is the bank asked again.</summary>
public sealed class PayoutRetries(MySqlDataSource db, AuditTrail audit, TimeProvider clock)
{
    public async Task<(RetryOutcome Outcome, PayoutRow? Payout)> AskAsync(Guid loanId, Guid staffId, CancellationToken ct)
    {
        var now = DbTime.Now(clock);
        await using var change = await DbChange.BeginAsync(db, audit, ct);
        var loan = await change.QuerySingleOrDefaultAsync<(string Status, string ContractNo, long Principal)?>(
            "SELECT status, contract_no, principal FROM loans WHERE id = @loanId FOR UPDATE", new { loanId }, ct);
        if (loan is not { } l)
        {
            return (RetryOutcome.LoanNotFound, null);
        }

        if (!LoanLifecycle.Allows(LoanStatusNames.Parse(l.Status), LoanEvent.RetryDisbursement))
        {
            return (RetryOutcome.NotFailed, null);
        }

        var last = await change.QuerySingleOrDefaultAsync<(int Attempt, string State)>(
            "SELECT attempt, state FROM loan_payouts WHERE loan_id = @loanId ORDER BY attempt DESC LIMIT 1", new { loanId }, ct);
        if (last.State == PayoutStates.AwaitingApproval)
        {
            return (RetryOutcome.AlreadyAsked, null);
        }

        var attempt = last.Attempt + 1;
        var payoutNo = PayoutStore.PayoutNo(l.ContractNo, attempt);
        await change.ExecuteAsync("""
            INSERT INTO loan_payouts (payout_no, loan_id, attempt, amount, state, requested_by, created_at)
            VALUES (@payoutNo, @loanId, @attempt, @amount, @state, @staffId, @now)
            """, new { payoutNo, loanId, attempt, amount = l.Principal, state = PayoutStates.AwaitingApproval, staffId, now }, ct);
        var payout = new PayoutRow(payoutNo, attempt, l.Principal, PayoutStates.AwaitingApproval, null, null, null, staffId, null, now, null, null);
        change.Record(new AuditEntry(AuditActor.Staff(staffId), "loan.payout_retry_requested", "loan", loanId.ToString(), null, payout), now);
        await change.CommitAsync(ct);
        return (RetryOutcome.Done, payout);
    }

    /// <summary>Approves the retry waiting for approval (one waits at a time).</summary>
    public async Task<(RetryOutcome Outcome, PayoutRow? Payout)> ApproveAsync(Guid loanId, Guid staffId, CancellationToken ct)
    {
        var now = DbTime.Now(clock);
        await using var change = await DbChange.BeginAsync(db, audit, ct);
        if (await change.ScalarAsync<string?>("SELECT status FROM loans WHERE id = @loanId FOR UPDATE", new { loanId }, ct) is not { } status)
        {
            return (RetryOutcome.LoanNotFound, null);
        }

        var payout = await change.QuerySingleOrDefaultAsync<PayoutRow>(
            SelectPayouts + " WHERE loan_id = @loanId ORDER BY attempt DESC LIMIT 1 FOR UPDATE", new { loanId }, ct);
        if (payout is null || payout.State != PayoutStates.AwaitingApproval)
        {
            return (RetryOutcome.NothingToApprove, null);
        }

        if (payout.RequestedBy == staffId)
        {
            return (RetryOutcome.SamePerson, null);
        }

        var transition = LoanLifecycle.Next(LoanStatusNames.Parse(status), LoanEvent.RetryDisbursement);
        if (!transition.Allowed)
        {
            return (RetryOutcome.NotFailed, null);
        }

        await change.ExecuteAsync("UPDATE loans SET status = @status, updated_at = @now WHERE id = @loanId", new { loanId, status = transition.Next.ToWire(), now }, ct);
        await change.ExecuteAsync("UPDATE loan_payouts SET state = @pending, approved_by = @staffId WHERE payout_no = @no",
            new { no = payout.PayoutNo, pending = PayoutStates.Pending, staffId }, ct);
        var approved = payout with { State = PayoutStates.Pending, ApprovedBy = staffId };
        change.Record(new AuditEntry(AuditActor.Staff(staffId), "loan.payout_retry_approved", "loan", loanId.ToString(),
            new { status, payout = payout.State }, new { status = transition.Next.ToWire(), payout = approved }), now);
        await change.CommitAsync(ct);
        return (RetryOutcome.Done, approved);
    }

    public async Task<IReadOnlyList<PayoutRow>> ListAsync(Guid loanId, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return (await conn.QueryAsync<PayoutRow>(new CommandDefinition(SelectPayouts + " WHERE loan_id = @loanId ORDER BY attempt", new { loanId }, cancellationToken: ct))).AsList();
    }

    private const string SelectPayouts = """
        SELECT payout_no, attempt, amount, state, bank_reference, failure_code, failure_message, requested_by, approved_by,
               created_at, submitted_at, completed_at
          FROM loan_payouts
        """;
}
