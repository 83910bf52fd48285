using HeadlessLoan.Api.Platform;
using HeadlessLoan.Api.Platform.Database;

namespace HeadlessLoan.Api.Features.Loans;

/// <summary>A loan's risk class set outside the close of business (a manual class approved), in the caller's change.</summary>
[FeatureApi]
public static class LoanClasses
{
    public static Task SetAsync(DbChange change, Guid loanId, string riskClass, DateTime now, CancellationToken ct) =>
        change.ExecuteAsync("UPDATE loans SET risk_class = @riskClass, updated_at = @now WHERE id = @loanId", new { loanId, riskClass, now }, ct);
}
