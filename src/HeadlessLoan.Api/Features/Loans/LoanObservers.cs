using HeadlessLoan.Api.Platform;
using HeadlessLoan.Api.Platform.Database;

namespace HeadlessLoan.Api.Features.Loans;

/// <summary>A loan just accepted by its borrower: what features that follow a borrower's borrowing are told.</summary>
[FeatureApi]
public sealed record AcceptedLoan(Guid LoanId, Guid BorrowerId, long Principal, DateTime Now);

/// <summary>
/// Told of every acceptance inside its change, so what it writes commits with the loan or not at all. Features that
/// follow a borrower (their credit line) implement it; Loans knows none of them.
/// </summary>
[FeatureApi]
public interface ILoanAcceptanceObserver
{
    Task OnAcceptedAsync(DbChange change, AcceptedLoan loan, CancellationToken ct);
}

/// <summary>A repayment just applied to a loan, with the periods it settled in full on or before they fell due.</summary>
[FeatureApi]
public sealed record RepaidLoan(Guid LoanId, Guid BorrowerId, int PeriodsSettledOnTime, DateTime Now);

/// <summary>Told of every repayment applied, inside its change (as <see cref="ILoanAcceptanceObserver"/> of acceptances).</summary>
[FeatureApi]
public interface ILoanRepaymentObserver
{
    Task OnRepaidAsync(DbChange change, RepaidLoan repaid, CancellationToken ct);
}
