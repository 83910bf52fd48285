using HeadlessLoan.Api.Features.Ledger;
using HeadlessLoan.Api.Platform;
using HeadlessLoan.Api.Platform.Audit;
using HeadlessLoan.Api.Platform.Database;
using HeadlessLoan.Domain.Collections;
using HeadlessLoan.Domain.Ledger;
using HeadlessLoan.Domain.Loans;
using HeadlessLoan.Domain.Overdue;

namespace HeadlessLoan.Api.Features.Loans;

/// <summary>What a loan holds of its write-off: when, what was written off per component, and what has been recovered since.</summary>
[FeatureApi]
public sealed record LoanWriteOffState(string Status, string RiskClass, DateOnly? WrittenOffOn, LoanComponents WrittenOff, long Recovered);

/// <summary>
/// Writing a loan off, for collections (which holds the proposal and its approval): in the caller's change, the loan's
/// row locked, the rule checked again (<see cref="WriteOffRules.Refusal"/>), everything the books hold as owed moved
/// to the write-off expense (<see cref="Postings.WriteOff"/>), credit the borrower held taken as recovered at once (up
/// to what was written off), the loan marked written off with those amounts kept on it, audited and announced as
/// <c>loan.written_off</c>. What the borrower pays afterwards is a recovery
/// (<see cref="LoanPayments.ApplyAsync"/>).
/// </summary>
[FeatureApi]
public sealed class LoanWriteOffs(LedgerStore ledger, LoanAccrualPool pool)
{
    /// <summary>
    /// What a written-off loan (<paramref name="loan"/>, an alias of <c>loans</c>) still owes, as SQL: what was written off
    /// less what has been recovered since (0 for any other loan).
    /// </summary>
    public static string StillOwedSql(string loan) =>
        $"({loan}.principal_written_off + {loan}.interest_written_off + {loan}.penalty_written_off + {loan}.fee_written_off - {loan}.recovered)";

    /// <summary>The loan's write-off state, its row locked in <paramref name="change"/>; null when there is no such loan.</summary>
    public static Task<LoanWriteOffState?> LockAsync(DbChange change, Guid loanId, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(change);
        return StateAsync(change, loanId, ct);
    }

    /// <summary>Writes the loan off on <paramref name="on"/> as the write-off <paramref name="writeOffId"/>: what was written off and what of the borrower's credit was recovered, or why not.</summary>
    public async Task<(LoanComponents? WrittenOff, long FromCredit, string? Refusal)> WriteOffAsync(
        DbChange change, Guid loanId, Guid writeOffId, DateOnly on, AuditActor actor, DateTime now, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(change);
        var state = await StateAsync(change, loanId, ct) ?? throw new InvalidOperationException($"Loan {loanId} does not exist.");
        var status = LoanStatusNames.Parse(state.Status);
        if (WriteOffRules.Refusal(status, RiskClassNames.Parse(state.RiskClass)) is { } refusal)
        {
            return (null, 0, refusal);
        }

        await pool.AttributeAsync(change, loanId, on, writeOffId.ToString(), ct);
        var balances = await LedgerStore.BalancesAsync(change, loanId, locked: true, ct);
        var owed = balances.Outstanding;
        var fromCredit = Math.Min(balances.Credit, owed.Total);
        if (owed.Total > 0)
        {
            await ledger.PostOnceAsync(change, Postings.WriteOff(EntryIds.For(EntryKinds.WriteOff, writeOffId.ToString()), loanId, on, owed), ct);
        }

        if (fromCredit > 0)
        {
            await ledger.PostOnceAsync(change, Postings.CreditRecovered(EntryIds.For(EntryKinds.Recovery, "credit:" + writeOffId), loanId, on, fromCredit), ct);
        }

        var next = LoanLifecycle.Next(status, LoanEvent.WriteOff).Next.ToWire();
        await change.ExecuteAsync("""
            UPDATE loans SET status = @next, written_off_on = @on, principal_written_off = @Principal, interest_written_off = @Interest,
                   penalty_written_off = @Penalty, fee_written_off = @Fee, recovered = @fromCredit, updated_at = @now
             WHERE id = @loanId
            """, new { loanId, next, on = on.ToDateTime(TimeOnly.MinValue), owed.Principal, owed.Interest, owed.Penalty, owed.Fee, fromCredit, now }, ct);
        var after = new { status = next, writtenOffOn = on, writtenOff = owed, total = owed.Total, recoveredFromCredit = fromCredit, writeOffId };
        change.Audit(new AuditEntry(actor, "loan.written_off", "loan", loanId.ToString(), new { status = state.Status, state.RiskClass }, after));
        change.Outbox("loan.written_off", loanId, new { loanId, writeOffId, writtenOffOn = on, writtenOff = owed, total = owed.Total }, now);
        return (owed, fromCredit, null);
    }

    /// <summary>
    /// A payment received on a written-off loan, in the caller's change under the loan's row lock: recovery income up to
    /// what was written off and not yet recovered, the rest the borrower's credit (<see cref="WriteOffRules.Recovery"/>).
    /// </summary>
    internal async Task<(long Recovered, long Credit)> RecoverAsync(DbChange change, Guid loanId, string source, LoanPayment payment, DateTime now, CancellationToken ct)
    {
        var state = (await StateAsync(change, loanId, ct))!;
        var (recovered, credit) = WriteOffRules.Recovery(state.WrittenOff.Total, state.Recovered, payment.Amount);
        // Money received before the write-off and applied after it (an offline repayment approved late) is recovered on
        // the day of the write-off, not before the loss it offsets.
        var on = state.WrittenOffOn is { } writtenOffOn && writtenOffOn > payment.On ? writtenOffOn : payment.On;
        await ledger.PostOnceAsync(change, Postings.Recovery(EntryIds.For(EntryKinds.Recovery, source), loanId, on, payment.Rail, recovered, credit), ct);

        if (recovered > 0)
        {
            change.Write("UPDATE loans SET recovered = recovered + @recovered, updated_at = @now WHERE id = @loanId", new { loanId, recovered, now });
        }

        return (recovered, credit);
    }

    private static async Task<LoanWriteOffState?> StateAsync(DbChange change, Guid loanId, CancellationToken ct) =>
        (await change.QuerySingleOrDefaultAsync<StateRow>("""
            SELECT status, risk_class, written_off_on, principal_written_off, interest_written_off, penalty_written_off, fee_written_off, recovered
              FROM loans WHERE id = @loanId FOR UPDATE
            """, new { loanId }, ct))?.ToState();

    private sealed record StateRow(
        string Status, string RiskClass, DateTime? WrittenOffOn, long PrincipalWrittenOff, long InterestWrittenOff, long PenaltyWrittenOff,
        long FeeWrittenOff, long Recovered)
    {
        public LoanWriteOffState ToState() => new(Status, RiskClass, WrittenOffOn is { } on ? DateOnly.FromDateTime(on) : null,
            new LoanComponents(PrincipalWrittenOff, InterestWrittenOff, PenaltyWrittenOff, FeeWrittenOff), Recovered);
    }
}
