using Dapper;
using HeadlessLoan.Api.Platform;
using HeadlessLoan.Domain.Loans;
using MySqlConnector;

namespace HeadlessLoan.Api.Features.Loans;

/// <summary>What a borrower owes across their loans, for the features that limit what they may borrow.</summary>
[FeatureApi]
public sealed class BorrowerExposure(MySqlDataSource db)
{
    /// <summary>Principal not yet repaid on the borrower's loans that are accepted and not closed (one statement).</summary>
    public async Task<long> PrincipalOwedAsync(Guid borrowerId, CancellationToken ct) => (await StandingAsync(borrowerId, ct)).PrincipalOwed;

    /// <summary>
    /// The principal owed on the borrower's loans that are accepted and not closed, and whether any of the borrower's loans is overdue, in
    /// one statement: what the credit check needs to fast-track a returning borrower. A written-off loan not yet
    /// recovered counts as both: the claim stands (its principal as owed, up to what is still to recover).
    /// </summary>
    public async Task<(long PrincipalOwed, bool AnyOverdue)> StandingAsync(Guid borrowerId, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        var (owed, overdue) = await conn.QuerySingleAsync<(long, long)>(new CommandDefinition($"""
            SELECT CAST(COALESCE(SUM(owed), 0) AS SIGNED), CAST(COALESCE(MAX(adverse), 0) AS SIGNED) FROM (
                SELECT p.principal_due - p.principal_paid AS owed, l.status = @overdue AS adverse
                  FROM loans l JOIN loan_periods p ON p.loan_id = l.id
                 WHERE l.borrower_id = @borrowerId AND l.status IN @open
                UNION ALL
                SELECT LEAST(principal_written_off, still_owed), 1
                  FROM (SELECT principal_written_off, {LoanWriteOffs.StillOwedSql("l")} AS still_owed
                          FROM loans l WHERE borrower_id = @borrowerId AND status = @writtenOff) w
                 WHERE still_owed > 0
            ) t
            """, new { borrowerId, open = Owing, overdue = LoanStatusNames.Overdue, writtenOff = LoanStatusNames.WrittenOff }, cancellationToken: ct));
        return (owed, overdue != 0);
    }

    private static readonly string[] Owing =
        [LoanStatusNames.PendingDisbursement, LoanStatusNames.Active, LoanStatusNames.Overdue, LoanStatusNames.DisbursementFailed];
}
